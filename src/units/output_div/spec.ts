// Spec slice of the output division (templates/elsa_output_div.v.ejs): reduce the P_a partials,
// normalise Σe, look up its reciprocal, multiply m_o elements per cycle. Contract:
// src/units/output_div/README.md.
import type { ElsaConfig } from '../../spec/schema.ts';
import { ConfigError } from '../../spec/errors.ts';
import { clog2, ubits, width, type Width } from '../../spec/width.ts';
import type { AttentionSpec } from '../attention/spec.ts';

export interface OutputDivSpec {
  /** Σe after the reduction of the P_a partials. */
  sumE: Width;
  sumEV: Width;
  recipIndexBits: number;
  /** Reciprocal table entry (recipFrac fraction bits). */
  recip: Width;
  /** Entry i: round(2^recipFrac / (1 + i/2^recipIndexBits)). */
  recipTable: number[];
  /** d / m_o chunks per row. */
  chunks: number;
  /** Chunk counter bits (0: no counter when d / m_o = 1). */
  chunkCounterBits: number;
  /** Rounding-shift amount p + recipFrac + qkv.frac − out.frac − 1, p ≤ sumE − 1. */
  roundShift: Width;
}

export const recipTableOf = (indexBits: number, frac: number): number[] =>
  Array.from({ length: 2 ** indexBits }, (_, i) => Math.round(2 ** frac / (1 + i / 2 ** indexBits)));

export function outputDivSpec(c: ElsaConfig, qkv: Width, out: Width, att: AttentionSpec): OutputDivSpec {
  const fm = c.formats;
  const sumBits = att.exp.mantissa.bits + fm.accGuard + ubits(c.nMax);
  const recipF = fm.recipFrac;
  if (recipF + att.exp.mantissaFrac + fm.accGuard + qkv.frac - out.frac < 1)
    throw new ConfigError('formats.out', `output fraction bits ${out.frac} too many for recipFrac + expFracBits + accGuard + qkv.frac`,
      'lower formats.out.frac or raise formats.recipFrac');
  const sumE = width.unsigned('TOT_S_W', sumBits, 'Σe of all banks');
  return {
    sumE,
    sumEV: width.signed('TOT_O_W', qkv.bits + sumBits + 1, 'Σe·v of all banks'),
    recipIndexBits: fm.recipIndexBits,
    recip: width.unsigned('RECIP_W', recipF + 1, 'reciprocal table entry (recipFrac fraction bits)', recipF),
    recipTable: recipTableOf(fm.recipIndexBits, recipF),
    chunks: c.d / c.mO,
    chunkCounterBits: clog2(c.d / c.mO),
    roundShift: width.forMax('RSH_W', Math.max(0, sumE.bits - 1 + recipF + qkv.frac - out.frac - 1), 'rounding shift amount'),
  };
}
