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

/** Σ a_i·b_i summed from 0 in index order (a loop: the evaluations call it millions of times). */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
export const norm2 = (a: ArrayLike<number>): number => Math.sqrt(dot(a, a));
/** Input rows: arrays or typed arrays (the interpreter's Float32Array rows, read without a copy). */
export type Rows = readonly ArrayLike<number>[];

/** softmax(scale·q·K) over the keys in `keep` (all when omitted), times V: scores, their maximum, the
 *  exponentials and their sum, then the weighted rows, each in key order. */
export function softmaxAttend(q: ArrayLike<number>, K: Rows, V: Rows, scale: number, keep?: boolean[]): number[] {
  const d = V[0]?.length ?? 0;
  const idx: number[] = [];
  for (let y = 0; y < K.length; y++) if (!keep || keep[y]) idx.push(y);
  if (idx.length === 0) return new Array(d).fill(0);
  const e = new Float64Array(idx.length);
  // four keys at a time: four independent sums, each over i in order (the same values as dot())
  let t = 0;
  for (; t + 3 < idx.length; t += 4) {
    const k0 = K[idx[t]!]!;
    const k1 = K[idx[t + 1]!]!;
    const k2 = K[idx[t + 2]!]!;
    const k3 = K[idx[t + 3]!]!;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < q.length; i++) {
      const x = q[i]!;
      s0 += x * k0[i]!;
      s1 += x * k1[i]!;
      s2 += x * k2[i]!;
      s3 += x * k3[i]!;
    }
    e[t] = scale * s0;
    e[t + 1] = scale * s1;
    e[t + 2] = scale * s2;
    e[t + 3] = scale * s3;
  }
  for (; t < idx.length; t++) e[t] = scale * dot(q, K[idx[t]!]!);
  let mx = -Infinity;
  for (let i = 0; i < idx.length; i++) mx = Math.max(mx, e[i]!);
  let z = 0;
  for (let i = 0; i < idx.length; i++) {
    e[i] = Math.exp(e[i]! - mx);
    z += e[i]!;
  }
  const out = new Array<number>(d).fill(0);
  for (let i = 0; i < idx.length; i++) {
    const w = e[i]! / z;
    const v = V[idx[i]!]!;
    for (let c = 0; c < d; c++) out[c] += w * v[c]!;
  }
  return out;
}

export function exactAttention(Q: Matrix, K: Matrix, V: Matrix, scale: number): Matrix {
  return Q.map((q) => softmaxAttend(q, K, V, scale));
}

/** sign(A·x) with the design's real (unquantised) Kronecker factors. */
export function hashFloat(D: DesignSpec, x: number[]): number[] {
  return D.hash.real.flatMap((blk) => kronApply(blk, x).map((v) => (v >= 0 ? 1 : 0)));
}

/** How ELSA picks each query's keys. `threshold`: the paper's rule, estimate ≥ t·max‖k‖ (≥, as the
 *  hardware); with `fallback` a query left with no candidate keeps its best-estimate key instead of
 *  outputting zeros. `top-m`: per query the m keys with the largest estimate ‖k‖·cos(θ̂) (`oracle`: the
 *  largest exact score q·k instead); ties go to the lower key index. */
export type Selection =
  { kind: 'threshold'; t: number; fallback?: boolean } | { kind: 'top-m'; m: number; oracle?: boolean };

/** Float ELSA with a per-invocation selection rule. */
export interface SelectingModel {
  /** candidates[x][y]: query x keeps key y */
  select(Q: Rows, K: Rows, sel: Selection): boolean[][];
  attend(Q: Rows, K: Rows, V: Rows, sel: Selection): AttentionResult;
}

const popcount = (v: number): number => {
  let x = v - ((v >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
};

/** hashFloat() of one design on flat arrays, bits packed 32 to a word (hash bit j: word j >> 5, bit j & 31):
 *  kronApply()'s sums in its order (mode by mode, each sum from 0 over i), so the same signs. */
function packedHasher(D: DesignSpec): (x: ArrayLike<number>) => Int32Array {
  const blocks = D.hash.real.map((factors) => {
    let dims = factors.map((a) => a[0]!.length);
    return factors.map((a, m) => {
      const g = a.length;
      const f = dims[m]!;
      const inner = dims.slice(m + 1).reduce((p, q) => p * q, 1);
      const outer = dims.slice(0, m).reduce((p, q) => p * q, 1);
      dims = dims.map((x, i) => (i === m ? g : x));
      return { a: Float64Array.from(a.flat()), g, f, inner, outer, out: new Float64Array(outer * g * inner) };
    });
  });
  const words = (D.cfg.k + 31) >> 5;
  return (x) => {
    const h = new Int32Array(words);
    let bit = 0;
    for (const modes of blocks) {
      let t: ArrayLike<number> = x;
      for (const { a, g, f, inner, outer, out } of modes) {
        for (let o = 0; o < outer; o++)
          for (let j = 0; j < g; j++)
            for (let in_ = 0; in_ < inner; in_++) {
              let s = 0;
              for (let i = 0; i < f; i++) s += a[j * f + i]! * t[(o * f + i) * inner + in_]!;
              out[(o * g + j) * inner + in_] = s;
            }
        t = out;
      }
      for (let j = 0; j < t.length; j++, bit++) if (t[j]! >= 0) h[bit >> 5] |= 1 << (bit & 31);
    }
    return h;
  };
}

/** The m indices of the largest values, ties by lower index (a stable sort of the indices). */
export function topIndices(values: ArrayLike<number>, m: number): number[] {
  const idx = Array.from({ length: values.length }, (_, y) => y);
  idx.sort((a, b) => values[b]! - values[a]! || a - b);
  return idx.slice(0, Math.max(0, Math.min(m, values.length)));
}

/** ELSA in real arithmetic: hash, norms, the estimated query-normalised similarity
 *  ‖k‖·cos(max(0, π·ham/k − θ_bias)) (the cosine tabulated once per Hamming distance), the selection
 *  rule, then exact softmax over the selected keys. */
export function elsaFloatSelecting(D: DesignSpec): SelectingModel {
  const k = D.cfg.k;
  const cosOfHam = Array.from({ length: k + 1 }, (_, ham) =>
    Math.cos(Math.max(0, (Math.PI * ham) / k - D.candSel.thetaBias)),
  );
  const hasher = packedHasher(D);
  const select = (Q: Rows, K: Rows, sel: Selection): boolean[][] => {
    const n = K.length;
    const hk = K.map(hasher);
    const nk = K.map(norm2);
    const thr = sel.kind === 'threshold' ? sel.t * Math.max(0, ...nk) : 0;
    const est = new Float64Array(n);
    return Q.map((q) => {
      const hq = hasher(q);
      for (let y = 0; y < n; y++) {
        const h = hk[y]!;
        let ham = 0;
        for (let w = 0; w < hq.length; w++) ham += popcount(hq[w]! ^ h[w]!);
        est[y] = nk[y]! * cosOfHam[ham]!;
      }
      if (sel.kind === 'threshold') {
        const c = Array.from(est, (e) => e >= thr);
        if (sel.fallback && n > 0 && !c.includes(true)) c[topIndices(est, 1)[0]!] = true;
        return c;
      }
      const c = new Array<boolean>(n).fill(false);
      const score = sel.oracle ? K.map((key) => dot(q, key)) : est;
      for (const y of topIndices(score, sel.m)) c[y] = true;
      return c;
    });
  };
  return {
    select,
    attend(Q, K, V, sel) {
      const candidates = select(Q, K, sel);
      return { out: Q.map((q, x) => softmaxAttend(q, K, V, D.attention.scoreScale, candidates[x])), candidates };
    },
  };
}

/** ELSA in float with the paper's threshold rule (the AttentionModel of the fixed-point comparison). */
export function elsaFloatModel(D: DesignSpec): AttentionModel {
  const m = elsaFloatSelecting(D);
  return { attend: (Q, K, V, t) => m.attend(Q, K, V, { kind: 'threshold', t }) };
}

export function exactModel(D: DesignSpec): AttentionModel {
  return {
    attend: (Q, K, V) => ({
      out: exactAttention(Q, K, V, D.attention.scoreScale),
      candidates: Q.map(() => K.map(() => true)),
    }),
  };
}
