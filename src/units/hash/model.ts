// Bit-exact model of the hash unit (contract: ./README.md).
import type { DesignSpec } from '../design.ts';

/** Kronecker hash, executed exactly as the hash unit's step schedule does: exact integer sums
 *  (bufW bits never overflow), bit j = 1 when projection j ≥ 0. Returns k bits, bit j at index j. */
export function hashFixed(D: DesignSpec, x: number[]): number[] {
  const H = D.hash;
  const bits: number[] = new Array(D.cfg.k).fill(0);
  let bufs: number[][] = [];
  for (const step of H.steps) {
    if (step.mode === 0 && bufs.length === 0)
      bufs = [x.slice(), ...H.modeLen.slice(1).map((n) => new Array<number>(n).fill(0))];
    for (const op of step.lanes) {
      let s = 0;
      for (let t = 0; t < op.src.length; t++) s += op.coef[t] * bufs[step.mode][op.src[t]];
      bufs[step.mode + 1][op.dst] = s;
      if (step.mode === H.factors.length - 1) bits[step.block * H.kb + op.dst] = s >= 0 ? 1 : 0;
    }
  }
  return bits;
}
