// Spec slice of the output division (templates/elsa_output_div.v.ejs): reduce the P_a partials,
// normalise Σe, look up its reciprocal, multiply m_o elements per cycle. Contract:
// src/units/output_div/README.md.
import type { ElsaConfig } from '../../spec/schema.ts';
import { ConfigError } from '../../spec/errors.ts';
import { ubits, width, type Width } from '../../spec/width.ts';
import type { AttentionSpec } from '../attention/spec.ts';

export interface OutputDivSpec {
  /** Σe after the reduction of the P_a partials. */
  sumE: Width;
  sumEV: Width;
  recipIndexBits: number;
  /** Reciprocal table index: the recipIndexBits bits of Σe below its msb. */
  recipIndex: Width;
  /** Reciprocal table entry (recipFrac fraction bits). */
  recip: Width;
  /** O_i · recip: sumEV + recip bits, one spare bit so the + 1 of the rounding never overflows. */
  product: Width;
  /** Entry i: round(2^recipFrac / (1 + i/2^recipIndexBits)). */
  recipTable: number[];
  /** d / m_o chunks per row. */
  chunks: number;
  /** Chunk counter 0..chunks − 1 (the module has none when d / m_o = 1). */
  chunk: Width;
  /** recipFrac + qkv.frac − out.frac − 1: the rounding shift is max(0, p + roundShiftBase), p = msb of Σe. */
  roundShiftBase: number;
  /** Rounding-shift amount max(0, p + roundShiftBase), p ≤ sumE − 1. */
  roundShift: Width;
}

export const recipTableOf = (indexBits: number, frac: number): number[] =>
  Array.from({ length: 2 ** indexBits }, (_, i) => Math.round(2 ** frac / (1 + i / 2 ** indexBits)));

export function outputDivSpec(c: ElsaConfig, qkv: Width, out: Width, att: AttentionSpec): OutputDivSpec {
  const fm = c.formats;
  const sumBits = att.exp.mantissa.bits + fm.accGuard + ubits(c.nMax);
  const recipF = fm.recipFrac;
  if (recipF + att.exp.mantissaFrac + fm.accGuard + qkv.frac - out.frac < 1)
    throw new ConfigError(
      'formats.out',
      `output fraction bits ${out.frac} too many for recipFrac + expFracBits + accGuard + qkv.frac`,
      'lower formats.out.frac or raise formats.recipFrac',
    );
  const sumE = width.unsigned('TOT_S_W', sumBits, 'Σe of all banks');
  const sumEV = width.signed('TOT_O_W', qkv.bits + sumBits + 1, 'Σe·v of all banks');
  const recip = width.unsigned('RECIP_W', recipF + 1, 'reciprocal table entry (recipFrac fraction bits)', recipF);
  const product = width.signed('DIV_PROD_W', sumEV.bits + recip.bits, 'O_i·recip before the rounding shift');
  // the product, rounded and shifted by at least one bit, must still hold every output value
  if (product.bits - 1 < out.bits)
    throw new ConfigError(
      'formats.out',
      `${out.bits} output bits exceed the ${product.bits - 1}-bit rounded product`,
      'lower formats.out.int or formats.out.frac',
    );
  const roundShiftBase = recipF + qkv.frac - out.frac - 1;
  return {
    sumE,
    sumEV,
    recipIndexBits: fm.recipIndexBits,
    recipIndex: width.unsigned('RECIP_IDX_W', fm.recipIndexBits, 'reciprocal table index: Σe bits below its msb'),
    recip,
    product,
    recipTable: recipTableOf(fm.recipIndexBits, recipF),
    chunks: c.d / c.mO,
    chunk: width.index('CHUNK_W', c.d / c.mO, 'output chunk counter 0..d/m_o−1'),
    roundShiftBase,
    roundShift: width.forMax('RSH_W', Math.max(0, sumE.bits - 1 + roundShiftBase), 'rounding shift amount'),
  };
}
