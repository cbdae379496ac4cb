// Float reference models: exact softmax attention, and ELSA's approximation in real arithmetic.
// Both implement AttentionModel, as does the fixed-point model (wrapped in ./models.ts).
import type { DesignSpec } from '../units/design.ts';
import { kronApply } from '../spec/kron.ts';

export type Matrix = number[][];
export interface AttentionResult {
  out: Matrix;
  candidates: boolean[][];
}
/** One interface for every level: real Q, K, V in, real outputs and the selected keys out. */
export interface AttentionModel {
  attend(Q: Matrix, K: Matrix, V: Matrix, t: number): AttentionResult;
}

export const dot = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * b[i], 0);
export const norm2 = (a: number[]): number => Math.sqrt(dot(a, a));

/** softmax(scale·q·K) over the keys in `keep` (all when omitted), times V. */
export function softmaxAttend(q: number[], K: Matrix, V: Matrix, scale: number, keep?: boolean[]): number[] {
  const idx = K.map((_, y) => y).filter((y) => !keep || keep[y]);
  const d = V[0]?.length ?? 0;
  if (idx.length === 0) return new Array(d).fill(0);
  const s = idx.map((y) => scale * dot(q, K[y]));
  const mx = Math.max(...s);
  const e = s.map((x) => Math.exp(x - mx));
  const z = e.reduce((a, b) => a + b, 0);
  const out = new Array(d).fill(0);
  idx.forEach((y, i) => {
    for (let c = 0; c < d; c++) out[c] += (e[i] / z) * V[y][c];
  });
  return out;
}

export function exactAttention(Q: Matrix, K: Matrix, V: Matrix, scale: number): Matrix {
  return Q.map((q) => softmaxAttend(q, K, V, scale));
}

/** sign(A·x) with the design's real (unquantised) Kronecker factors. */
export function hashFloat(D: DesignSpec, x: number[]): number[] {
  return D.hash.real.flatMap((blk) => kronApply(blk, x).map((v) => (v >= 0 ? 1 : 0)));
}

/** Estimated query-normalised similarity ‖k‖·cos(max(0, π·ham/k − θ_bias)). */
export function estimatedSimilarity(D: DesignSpec, hq: number[], hk: number[], normK: number): number {
  let ham = 0;
  for (let i = 0; i < hq.length; i++) ham += hq[i] ^ hk[i];
  return normK * Math.cos(Math.max(0, (Math.PI * ham) / D.cfg.k - D.candSel.thetaBias));
}

/** ELSA in float: candidates by the hash/norm/threshold test (≥, as the hardware), softmax over them. */
export function elsaFloatModel(D: DesignSpec): AttentionModel {
  return {
    attend(Q, K, V, t) {
      const hk = K.map((k) => hashFloat(D, k));
      const nk = K.map(norm2);
      const thr = t * Math.max(0, ...nk);
      const candidates = Q.map((q) => {
        const hq = hashFloat(D, q);
        return K.map((_, y) => estimatedSimilarity(D, hq, hk[y], nk[y]) >= thr);
      });
      return { out: Q.map((q, x) => softmaxAttend(q, K, V, D.attention.scoreScale, candidates[x])), candidates };
    },
  };
}

export function exactModel(D: DesignSpec): AttentionModel {
  return {
    attend: (Q, K, V) => ({
      out: exactAttention(Q, K, V, D.attention.scoreScale),
      candidates: Q.map(() => K.map(() => true)),
    }),
  };
}
