// Threshold learning (docs/spec.md §1.3, paper III-E): t for a layer from calibration inputs and the knob p.
import { dot, norm2, type Matrix } from './float.ts';

/** The per-query value the paper averages: for the query's softmax scores s' (scaled by `scale`),
 *  keep keys with s' > p/n; of those take the smallest s'; return its raw score q·k / (‖q‖·max‖k‖).
 *  If no key exceeds p/n, use the key with the largest score. */
export function queryThresholdSample(
  q: number[],
  K: Matrix,
  scale: number,
  p: number,
  maxK: number = Math.max(...K.map(norm2)),
): number {
  return sampleAt(queryScores(q, K, scale), maxK, p);
}

/** What a query's samples for every p share: raw scores q·k, softmax weights, ‖q‖. */
interface QueryScores {
  raw: number[];
  sp: number[];
  nq: number;
}

function queryScores(q: number[], K: Matrix, scale: number): QueryScores {
  const raw = K.map((k) => dot(q, k));
  const s = raw.map((x) => scale * x);
  const mx = Math.max(...s);
  const e = s.map((x) => Math.exp(x - mx));
  const z = e.reduce((a, b) => a + b, 0);
  return { raw, sp: e.map((x) => x / z), nq: norm2(q) };
}

function sampleAt({ raw, sp, nq }: QueryScores, maxK: number, p: number): number {
  const n = raw.length;
  let pick = -1;
  for (let y = 0; y < n; y++) if (sp[y] > p / n && (pick < 0 || sp[y] < sp[pick])) pick = y;
  if (pick < 0) pick = raw.indexOf(Math.max(...raw));
  return nq === 0 || maxK === 0 ? 0 : raw[pick] / (nq * maxK);
}

/** Layer threshold: mean of the per-query samples over every query of every calibration input.
 *  p = 0 means exact attention: returns -2 (the hardware's "select every key" value). */
export function learnThreshold(inputs: { Q: Matrix; K: Matrix }[], scale: number, p: number): number {
  return learnThresholds(inputs, scale, [p])[0]!;
}

/** learnThreshold for several p in one pass: each query's scores are computed once for all of them (the
 *  same values, summed in the same order per p). */
export function learnThresholds(inputs: { Q: Matrix; K: Matrix }[], scale: number, ps: number[]): number[] {
  const sum = ps.map(() => 0);
  let count = 0;
  if (ps.some((p) => p !== 0))
    for (const { Q, K } of inputs) {
      const maxK = Math.max(...K.map(norm2)); // the same for every query of the input
      for (const q of Q) {
        const sc = queryScores(q, K, scale);
        ps.forEach((p, j) => {
          if (p !== 0) sum[j] += sampleAt(sc, maxK, p);
        });
        count++;
      }
    }
  return ps.map((p, j) => (p === 0 || !count ? -2 : sum[j]! / count));
}
