// Spec slice of the attention module (templates/elsa_attention.v.ejs, elsa_dot.v.ejs, elsa_exp.v.ejs):
// q·k on d multipliers, exp as a custom float 2^e·(1 + m/2^mF), block-exponent accumulation of Σe and
// Σe·v. Contract: src/units/attention/README.md.
import type { ElsaConfig } from '../../spec/schema.ts';
import { ConfigError } from '../../spec/errors.ts';
import { clog2, ubits, width, type Width } from '../../spec/width.ts';

export interface ExpSpec {
  /** round(scoreScale·log2(e)·2^expConstFrac). */
  constant: number;
  constantWidth: Width;
  /** y = score·constant: exponent of 2 (fraction bits = 2·qkv.frac + expConstFrac). */
  y: Width;
  exponent: Width;
  /** Largest |exponent| (saturation). */
  exponentMax: number;
  /** Integer part floor(y) (signed): the exponent before saturation. */
  yInt: Width;
  /** Fraction bits of the mantissa = log2 of the 2^frac table size. */
  mantissaFrac: number;
  /** m: the top mantissaFrac fraction bits of y (table index) and the table entry. */
  fraction: Width;
  /** Table entry i: min(2^mF − 1, round(2^mF·(2^(i/2^mF) − 1))). */
  table: number[];
  /** M = 2^mF + table entry (unsigned). */
  mantissa: Width;
}

export interface AttentionSpec {
  product: Width;
  score: Width;
  scoreScale: number;
  exp: ExpSpec;
  accGuard: number;
  /** Σe accumulator of a bank (unsigned). */
  sumE: Width;
  /** Σe·v accumulators of a bank (signed). */
  sumEV: Width;
  /** Alignment shift between block exponents. */
  alignShift: Width;
  /** The alignment shift clamped to ACC_O_W − 1 or more (pipeline.acc = 2): larger shifts floor to the same value. */
  alignShiftClamped: Width;
  /** pipeline.acc = 3: the shift of a pair of terms, a1 + a2 (each clamped to its lane's width, accShiftMax). */
  pairShift: Width;
  /** pipeline.acc = 3: the largest alignment shift of a Σe·v / Σe term or sum; larger ones floor alike, and a2 ≤ W
   *  keeps the pair's low frame whole (the two-step identity, README). */
  accShiftMax: { o: number; s: number };
  /** Difference of two exponents: one bit over the exponent, never overflows. */
  exponentDiff: Width;
  /** M·v_i of the Σe·v term: signed (M with a zero sign bit) × v_i, before the guard bits. */
  mantTimesV: Width;
}

export const expTableOf = (mF: number): number[] =>
  Array.from({ length: 2 ** mF }, (_, i) => Math.min(2 ** mF - 1, Math.round(2 ** mF * (2 ** (i / 2 ** mF) - 1))));

export function attentionSpec(c: ElsaConfig, qkv: Width, bankKeys: number): AttentionSpec {
  const fm = c.formats;
  const product = width.signed('PROD_W', 2 * qkv.bits, 'q_i·k_i product', 2 * qkv.frac);
  const score = width.signed(
    'SCORE_W',
    product.bits + clog2(c.d),
    'score q·k (2·qkv.frac fraction bits)',
    2 * qkv.frac,
  );
  const scoreScale = c.scoreScale === 'inv_sqrt_d' ? 1 / Math.sqrt(c.d) : c.scoreScale;
  const constant = Math.round(scoreScale * Math.LOG2E * 2 ** fm.expConstFrac);
  if (constant < 1)
    throw new ConfigError(
      'formats.expConstFrac',
      `too few bits for scoreScale·log2(e) = ${scoreScale * Math.LOG2E}`,
      'raise expConstFrac',
    );
  const constantWidth = width.forMax(
    'EXP_C_W',
    constant,
    'exp constant scoreScale·log2(e) (expConstFrac fraction bits)',
  );
  const yFrac = 2 * qkv.frac + fm.expConstFrac;
  const mF = fm.expFracBits;
  if (yFrac < mF)
    throw new ConfigError(
      'formats.expConstFrac',
      `2·qkv.frac + expConstFrac must be ≥ expFracBits = ${mF}`,
      'raise expConstFrac',
    );
  const mantissa = width.unsigned('MANT_W', mF + 1, 'exp mantissa M = 2^mF + table entry', mF);
  const sumBits = mantissa.bits + fm.accGuard + ubits(bankKeys);
  const shcBits = Math.min(fm.expExpBits + 1, clog2(qkv.bits + sumBits + 1));
  const y = width.signed('EXP_Y_W', score.bits + constantWidth.bits + 1, 'y = score·C, exponent of 2', yFrac);
  return {
    product,
    score,
    scoreScale,
    exp: {
      constant,
      constantWidth,
      mantissaFrac: mF,
      table: expTableOf(mF),
      mantissa,
      y,
      yInt: width.signed('EXP_YI_W', y.bits - yFrac, 'integer part floor(y) of y = score·C'),
      fraction: width.unsigned('EXP_M_W', mF, 'exp mantissa fraction m: table index and entry', mF),
      exponent: width.signed('EXP_E_W', fm.expExpBits, 'exp exponent (saturated to ±exponentMax)'),
      exponentMax: 2 ** (fm.expExpBits - 1) - 1,
    },
    accGuard: fm.accGuard,
    sumE: width.unsigned('ACC_S_W', sumBits, 'bank accumulator Σe'),
    sumEV: width.signed('ACC_O_W', qkv.bits + sumBits + 1, 'bank accumulator Σe·v'),
    alignShift: width.unsigned('ACC_SH_W', fm.expExpBits + 1, 'block-exponent alignment shift'),
    alignShiftClamped: width.unsigned(
      'ACC_SHC_W',
      shcBits,
      'alignment shift, clamped (a shift by ACC_O_W - 1 or more floors any sum to 0 or -1)',
    ),
    pairShift: width.unsigned('ACC_SHP_W', shcBits + 1, 'shift of a pair of terms a1 + a2 (pipeline.acc = 3)'),
    // Σe·v: a signed sum shifted by W - 1 or more is 0 or -1; Σe: an unsigned one shifted by W is 0
    accShiftMax: {
      o: Math.min(qkv.bits + sumBits, 2 ** shcBits - 1),
      s: Math.min(sumBits, 2 ** shcBits - 1),
    },
    exponentDiff: width.signed('EXP_DIFF_W', fm.expExpBits + 1, 'difference of two exp exponents'),
    mantTimesV: width.signed('ACC_MV_W', qkv.bits + mantissa.bits + 1, 'term M·v_i of Σe·v before the guard bits'),
  };
}
