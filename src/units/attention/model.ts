// Bit-exact model of the attention module's exp unit and block-exponent accumulation (contract: ./README.md).
import type { DesignSpec } from '../design.ts';
import { sra } from '../../spec/arith.ts';

export interface ExpOut {
  e: number;
  m: number;
} // value = (2^mF + m) · 2^(e - mF)
/** e^(score·scale) = 2^y, y = score·expC (expYF frac bits). e = floor(y) saturated to ±expEmax,
 *  m = table[top mF fraction bits of y] (2^frac - 1 rounded to mF bits). */
export function expUnit(D: DesignSpec, score: number): ExpOut {
  const y = score * D.attention.exp.constant;
  const e = Math.max(
    -D.attention.exp.exponentMax,
    Math.min(D.attention.exp.exponentMax, sra(y, D.attention.exp.y.frac)),
  );
  const idx = sra(y, D.attention.exp.y.frac - D.attention.exp.mantissaFrac) % 2 ** D.attention.exp.mantissaFrac;
  return { e, m: D.attention.exp.table[(idx + 2 ** D.attention.exp.mantissaFrac) % 2 ** D.attention.exp.mantissaFrac] };
}

// ---------------------------------------------------------------- block-exponent accumulation
/** One bank's partial result: Σe and Σe·v scaled by 2^(accG - E) (E = largest exponent seen). */
export interface Partial {
  started: boolean;
  e: number;
  s: number;
  o: number[];
}
export const emptyPartial = (d: number): Partial => ({ started: false, e: 0, s: 0, o: new Array(d).fill(0) });

/** Accumulate one term: M = 2^mF + m; if e > E the accumulators shift right by e - E (floor) first,
 *  else the new term shifts right by E - e (floor). S is unsigned accSW bits, O signed accOW bits. */
export function accumulate(D: DesignSpec, p: Partial, x: ExpOut, v: number[]): void {
  const M = 2 ** D.attention.exp.mantissaFrac + x.m;
  const G = D.attention.accGuard;
  if (!p.started || x.e > p.e) {
    const sh = p.started ? x.e - p.e : 0;
    p.s = sra(p.s, sh) + M * 2 ** G;
    for (let i = 0; i < v.length; i++) p.o[i] = sra(p.o[i], sh) + M * v[i] * 2 ** G;
    p.e = x.e;
    p.started = true;
  } else {
    const sh = p.e - x.e;
    p.s += sra(M * 2 ** G, sh);
    for (let i = 0; i < v.length; i++) p.o[i] += sra(M * v[i] * 2 ** G, sh);
  }
}
