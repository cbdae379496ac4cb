// Kronecker-structured hash matrices (docs/spec.md §1.1): A = A_1 ⊗ … ⊗ A_L per block, rows orthogonal.

import { Rng } from './rng.ts';

/** Small factor sizes allowed for one Kronecker factor of d. */
export const MIN_FACTOR = 2;
export const MAX_FACTOR = 8;

/** Multiplies needed to apply ⊗A_m (g_m×f_m) to a vector, mode by mode in order 0..L-1. */
export function kronMultiplies(f: number[], g: number[]): number {
  let dims = [...f];
  let total = 0;
  for (let m = 0; m < f.length; m++) {
    const others = dims.reduce((a, b) => a * b, 1) / dims[m];
    total += g[m] * f[m] * others;
    dims[m] = g[m];
  }
  return total;
}

/** All factorisations of d into factors in [MIN_FACTOR, MAX_FACTOR], non-increasing order. */
function factorisations(d: number, maxF = MAX_FACTOR): number[][] {
  if (d === 1) return [[]];
  const out: number[][] = [];
  for (let f = Math.min(maxF, d); f >= MIN_FACTOR; f--) {
    if (d % f === 0) for (const rest of factorisations(d / f, f)) out.push([f, ...rest]);
  }
  return out;
}

/** The factorisation of d with the fewest multiplies (ties: fewer factors), or null. */
export function chooseFactors(d: number): number[] | null {
  let best: number[] | null = null;
  let bestCost = Infinity;
  for (const f of factorisations(d)) {
    const cost = kronMultiplies(f, f);
    if (cost < bestCost || (cost === bestCost && best && f.length < best.length)) {
      best = f;
      bestCost = cost;
    }
  }
  return best;
}

/** Row counts g_m of each factor for kb ≤ d output bits: reduce the leading factors first. */
export function rowFactors(f: number[], kb: number): number[] | null {
  let r = f.reduce((a, b) => a * b, 1) / kb;
  if (!Number.isInteger(r)) return null;
  const g = f.map((fm) => {
    let gm = fm;
    for (let c = fm; c >= 1; c--) {
      if (fm % c === 0 && r % c === 0) {
        gm = fm / c;
        r /= c;
        break;
      }
    }
    return gm;
  });
  return r === 1 ? g : null;
}

/** Random f×f matrix with orthonormal rows: Gaussian, then modified Gram-Schmidt. */
export function randomOrthogonal(f: number, rng: Rng): number[][] {
  for (;;) {
    const m = Array.from({ length: f }, () => Array.from({ length: f }, () => rng.normal()));
    let ok = true;
    for (let i = 0; i < f && ok; i++) {
      for (let j = 0; j < i; j++) {
        const dot = m[i].reduce((s, x, c) => s + x * m[j][c], 0);
        for (let c = 0; c < f; c++) m[i][c] -= dot * m[j][c];
      }
      const norm = Math.hypot(...m[i]);
      if (norm < 1e-6) ok = false;
      else for (let c = 0; c < f; c++) m[i][c] /= norm;
    }
    if (ok) return m;
  }
}

/** One block's factors: g_m×f_m real matrices with orthonormal rows. */
export function randomKronFactors(f: number[], g: number[], rng: Rng): number[][][] {
  return f.map((fm, m) => randomOrthogonal(fm, rng).slice(0, g[m]));
}

/** Apply factors mode by mode to x (row-major tensor, mode 0 most significant). Generic over number. */
export function kronApply(factors: number[][][], x: number[]): number[] {
  let dims = factors.map((a) => a[0].length);
  let t = x;
  for (let m = 0; m < factors.length; m++) {
    const a = factors[m];
    const outDims = [...dims];
    outDims[m] = a.length;
    const inner = dims.slice(m + 1).reduce((p, q) => p * q, 1);
    const outer = dims.slice(0, m).reduce((p, q) => p * q, 1);
    const out = new Array<number>(outer * a.length * inner).fill(0);
    for (let o = 0; o < outer; o++)
      for (let j = 0; j < a.length; j++)
        for (let in_ = 0; in_ < inner; in_++) {
          let s = 0;
          for (let i = 0; i < dims[m]; i++) s += a[j][i] * t[(o * dims[m] + i) * inner + in_];
          out[(o * a.length + j) * inner + in_] = s;
        }
    t = out;
    dims = outDims;
  }
  return t;
}
