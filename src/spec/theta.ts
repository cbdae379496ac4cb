// θ_bias (docs/spec.md §1.2): the 80th-percentile of the signed angle-estimate error (π/k)·ham − θ,
// measured on standard-normal vector pairs hashed by random Kronecker matrices of the design's shape.
import { Rng } from './rng.ts';
import { chooseFactors, kronApply, randomKronFactors, rowFactors } from './kron.ts';

export const THETA_SEED = 0x5eed;
export const THETA_MATRICES = 16;
export const THETA_PAIRS = 400;

/** Signed errors (estimate − true angle) for `matrices`×`pairs` random pairs. */
export function angleErrors(
  d: number,
  k: number,
  seed = THETA_SEED,
  matrices = THETA_MATRICES,
  pairs = THETA_PAIRS,
): number[] {
  const f = chooseFactors(d);
  const kb = Math.min(k, d);
  const g = f && rowFactors(f, kb);
  if (!f || !g) throw new Error(`no Kronecker hash for d=${d}, k=${k}`);
  const rng = new Rng(seed);
  const errs: number[] = [];
  for (let m = 0; m < matrices; m++) {
    const blocks = Array.from({ length: k / kb }, () => randomKronFactors(f, g, rng));
    for (let t = 0; t < pairs; t++) {
      const x = Array.from({ length: d }, () => rng.normal());
      const y = Array.from({ length: d }, () => rng.normal());
      const hx = blocks.flatMap((b) => kronApply(b, x));
      const hy = blocks.flatMap((b) => kronApply(b, y));
      let ham = 0;
      for (let i = 0; i < k; i++) if (hx[i] >= 0 !== hy[i] >= 0) ham++;
      const cos = x.reduce((s, v, i) => s + v * y[i], 0) / Math.hypot(...x) / Math.hypot(...y);
      errs.push((Math.PI * ham) / k - Math.acos(Math.max(-1, Math.min(1, cos))));
    }
  }
  return errs;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

const cache = new Map<string, number>();
/** θ_bias for (d, k), rounded to 1e-4 rad so the value is stable and printable. */
export function estimateThetaBias(d: number, k: number): number {
  const key = `${d}:${k}`;
  if (!cache.has(key)) cache.set(key, Math.round(Math.max(0, percentile(angleErrors(d, k), 0.8)) * 1e4) / 1e4);
  return cache.get(key)!;
}
