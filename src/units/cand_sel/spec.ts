// Spec slice of candidate selection (templates/elsa_cand_sel.v.ejs, elsa_cos_table.v.ejs): Hamming
// distance, the cos table with θ_bias, ‖k‖·cos against t·max‖k‖. Contract: src/units/cand_sel/README.md.
import type { ElsaConfig } from '../../spec/schema.ts';
import { estimateThetaBias } from '../../spec/theta.ts';
import { width, type Width } from '../../spec/width.ts';
import type { NormSpec } from '../norm/spec.ts';

export interface CandSelSpec {
  thetaBias: number;
  /** Fraction bits of the cos table and of t. */
  simFrac: number;
  /** cos table entry: signed, simFrac fraction bits, range [-2, 2). */
  cos: Width;
  /** (k+1) entries: round(cos(max(0, π·h/k − θ_bias))·2^simFrac). */
  cosTable: number[];
  /** Threshold t: signed, simFrac fraction bits, range [-2, 2). */
  threshold: Width;
  hamming: Width;
  /** t·max‖k‖: the threshold register (simFrac + qkv.frac fraction bits). */
  thresholdProduct: Width;
  /** ‖k‖·cos (simFrac + qkv.frac fraction bits). */
  similarity: Width;
  /** The wider of similarity and thresholdProduct: the compare. */
  compare: Width;
}

/** The (k+1)-entry cos table indexed by the Hamming distance h. */
export const cosTableOf = (k: number, thetaBias: number, simFrac: number): number[] =>
  Array.from({ length: k + 1 }, (_, h) =>
    Math.round(Math.cos(Math.max(0, (Math.PI * h) / k - thetaBias)) * 2 ** simFrac),
  );

export function candSelSpec(c: ElsaConfig, norm: NormSpec): CandSelSpec {
  const thetaBias = c.thetaBias ?? estimateThetaBias(c.d, c.k);
  const simFrac = c.formats.simFrac;
  const frac = simFrac + norm.norm.frac;
  const thresholdProduct = width.signed('THR_W', simFrac + 2 + norm.norm.bits + 1, 'threshold register t·max‖k‖', frac);
  const similarity = width.signed('SIM_W', simFrac + 2 + norm.norm.bits + 1, 'similarity estimate ‖k‖·cos', frac);
  return {
    thetaBias,
    simFrac,
    cosTable: cosTableOf(c.k, thetaBias, simFrac),
    cos: width.signed('COS_W', simFrac + 2, 'cos table entry (simFrac fraction bits)', simFrac),
    threshold: width.signed('T_W', simFrac + 2, 'threshold t (simFrac fraction bits)', simFrac),
    hamming: width.forMax('HAM_W', c.k, 'Hamming distance 0..k'),
    thresholdProduct,
    similarity,
    compare: width.signed(
      'CMP_W',
      Math.max(thresholdProduct.bits, similarity.bits),
      'compare of similarity and threshold',
      frac,
    ),
  };
}
