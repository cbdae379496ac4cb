// Bit-exact model of the output division (contract: ./README.md).
import type { DesignSpec } from '../design.ts';
import { saturate, sra } from '../../spec/arith.ts';
import type { Partial } from '../attention/model.ts';

/** Reduce the P_a partials (align to the largest exponent, floor shifts), then o_i = O_i / S:
 *  S normalised to 2^p·(1.f), f = recipIdxBits bits (truncated), recip = table[f] (recipF frac bits),
 *  o = round-half-up(O_i · recip / 2^(recipF + p + qF - outF)), saturated to outW bits.
 *  No candidate in any bank → o = 0 (defined behaviour, see README). */
export function outputDivision(D: DesignSpec, parts: Partial[]): number[] {
  const d = D.cfg.d;
  const live = parts.filter((p) => p.started);
  if (live.length === 0) return new Array(d).fill(0);
  const E = Math.max(...live.map((p) => p.e));
  let S = 0;
  const O = new Array<number>(d).fill(0);
  for (const p of live) {
    S += sra(p.s, E - p.e);
    for (let i = 0; i < d; i++) O[i] += sra(p.o[i], E - p.e);
  }
  const pBit = Math.floor(Math.log2(S));
  const msb = 2 ** pBit > S ? pBit - 1 : 2 ** (pBit + 1) <= S ? pBit + 1 : pBit; // guard float log2 at powers of 2
  const f = sra(S, msb - D.outputDiv.recipIndexBits) % 2 ** D.outputDiv.recipIndexBits;
  const recip = BigInt(D.outputDiv.recipTable[f]);
  const sh = BigInt(D.outputDiv.recip.frac + msb + D.qkv.frac - D.out.frac);
  return O.map((o) => {
    const prod = BigInt(o) * recip;
    const r = (prod + (1n << (sh - 1n))) >> sh;
    return saturate(Number(r), D.out.bits);
  });
}
