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

// ---------------------------------------------------------------- two steps at once (pipeline.acc = 3)
/** One lane of elsa_attention's accumulation with pipeline.acc = 3: the two steps A1 = ⌊A/2^a1⌋ + t1,
 *  A2 = ⌊A1/2^a2⌋ + t2 in one, as the RTL computes them over a 2W-bit frame (W = the lane's width): the sum's
 *  frame F = {A, 0^W} >> (a1 + a2) (the loop's only shift), the first term's G = {t1, 0^W} >> a2 (feed-forward),
 *  A2 = top half of F + G + t2·2^W, where the low halves' carry is the carry lost by the second floor. Exact
 *  because ⌊(⌊x/2^a⌋ + t)/2^b⌋ = ⌊(x + t·2^a)/2^(a+b)⌋ and F + G differs from (A + t1·2^a1)·2^(W−a1−a2) by less
 *  than 1, given a2 ≤ W (clamp a shift to `max`: larger ones floor a W-bit value alike). Values are W-bit two's
 *  complement (`signed`) or unsigned, and every true A1, A2 fits W bits (the accumulator widths guarantee it). */
export function pairStep(
  A: bigint,
  t1: bigint,
  t2: bigint,
  a1: number,
  a2: number,
  W: number,
  signed: boolean,
): bigint {
  const w = BigInt(W);
  const mod = (x: bigint, b: bigint) => ((x % (1n << b)) + (1n << b)) % (1n << b);
  const asValue = (x: bigint, b: bigint) => (signed && x >= 1n << (b - 1n) ? x - (1n << b) : x);
  // arithmetic (signed) or logical right shift of a 2W-bit frame holding x in its top half
  const frame = (x: bigint, sh: number) => mod(asValue(mod(x, w) << w, 2n * w) >> BigInt(sh), 2n * w);
  const F = frame(A, a1 + a2);
  const G = frame(t1, a2);
  const u = mod((G >> w) + t2, w);
  const carry = (mod(F, w) + mod(G, w)) >> w;
  return asValue(mod((F >> w) + u + carry, w), w);
}
