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
  /** pipeline.candSel = 3: the multiply as two partial products, cos = cosHi·2^cosLo.bits + cosLo. */
  split: { cosLo: Width; cosHi: Width; ppLo: Width; ppHi: Width };
  /** Top-m selection's estimate histogram (selection = 'topm'); null for the paper's threshold rule. */
  topm: TopmSpec | null;
  /** emptySet = 'best': a query with no candidate takes the keys of the largest estimate over all banks. */
  best: boolean;
  /** Pass 1 over the keys before selection (top-m or emptySet = 'best'): the query threshold comes from it. */
  passOne: boolean;
  /** dataEnables with a registered table entry (pipeline.candSel >= 2, no pass 1 reading the table unregistered):
   *  the popcount and the table lookup are written inside stage 1's enabled block, and the bank enables the
   *  stages only while they hold a row, so a simulator evaluates them only for rows (Verilator computes a wire
   *  in every cycle; about 20% of a paper simulation). The same logic: the table as a constant indexed by ham. */
  gatedTable: boolean;
  /** Stage 1 registers the Hamming distance instead of the table entry, and stage 2 looks the entry up ahead of
   *  the partial products (gatedTable, pipeline.candSel 3, k > HAM_STAGE_ABOVE_K): the popcount of more than 32
   *  bits and the lookup exceed 6 LUT levels on Xilinx (paper's k = 64: 8 LUT + 8 mux; k = 32: 5 LUT), while
   *  a table lookup in front of a multiplier with a registered product is a few LUTs and one registered DSP. */
  hamStage: boolean;
}

/** The widest hash code whose popcount and cos table lookup share candidate selection's stage 1. */
const HAM_STAGE_ABOVE_K = 32;

/** Pass 1 of top-m selection: each key's estimate ‖k‖·cos binned to 2^binBits bins, a window of equal bins
 *  around 0 chosen from the bit length L of max‖k‖ (no divider): bin = clamp(floor(est / 2^shift) + bins/2,
 *  0, bins − 1) with shift = max(0, L + simFrac + 1 − binBits − zoom), so the window is ±2^(L + simFrac − zoom):
 *  zoom 0 covers every possible estimate, each zoom step halves the window (finer bins near 0, where the
 *  estimates of most keys lie), and estimates beyond it fall into the end bins. */
export interface TopmSpec {
  binBits: number;
  bins: number;
  /** A bin index 0..bins-1. */
  bin: Width;
  /** The estimate's right shift, 0..shiftOf[NORM_W]. */
  shift: Width;
  /** shiftOf[L]: the shift for a max‖k‖ of bit length L = 0..NORM_W. */
  shiftOf: number[];
}

function topmSpec(c: ElsaConfig, norm: NormSpec, simFrac: number): TopmSpec | null {
  if (c.selection !== 'topm') return null;
  const binBits = c.topmBinBits;
  const shiftOf = Array.from({ length: norm.norm.bits + 1 }, (_, L) =>
    Math.max(0, L + simFrac + 1 - binBits - c.topmZoom),
  );
  return {
    binBits,
    bins: 2 ** binBits,
    bin: width.unsigned('BIN_W', binBits, 'bin of the estimate histogram (top-m selection)'),
    shift: width.forMax('SHIFT_W', shiftOf[norm.norm.bits], 'right shift of an estimate to its histogram bin'),
    shiftOf,
  };
}

/** The (k+1)-entry cos table indexed by the Hamming distance h. */
export const cosTableOf = (k: number, thetaBias: number, simFrac: number): number[] =>
  Array.from({ length: k + 1 }, (_, h) =>
    Math.round(Math.cos(Math.max(0, (Math.PI * h) / k - thetaBias)) * 2 ** simFrac),
  );

/** The multiply's partial products: the cos entry (cosBits, signed) cut at half its bits, the low part unsigned
 *  (times the NORM_W-bit norm), the high part signed (times the norm made signed, NORM_W + 1 bits). */
function splitOf(cosBits: number, normBits: number, frac: number) {
  const lo = Math.floor(cosBits / 2);
  return {
    cosLo: width.unsigned('COS_LO_W', lo, 'low part of the cos entry (unsigned)'),
    cosHi: width.signed('COS_HI_W', cosBits - lo, 'high part of the cos entry (signed)'),
    ppLo: width.unsigned('SIM_PP_LO_W', normBits + lo, 'partial product ‖k‖ · cos_lo', frac),
    ppHi: width.signed('SIM_PP_HI_W', normBits + 1 + cosBits - lo, 'partial product ‖k‖ · cos_hi', frac),
  };
}

export function candSelSpec(c: ElsaConfig, norm: NormSpec): CandSelSpec {
  const thetaBias = c.thetaBias ?? estimateThetaBias(c.d, c.k);
  const simFrac = c.formats.simFrac;
  const frac = simFrac + norm.norm.frac;
  const thresholdProduct = width.signed('THR_W', simFrac + 2 + norm.norm.bits + 1, 'threshold register t·max‖k‖', frac);
  const similarity = width.signed('SIM_W', simFrac + 2 + norm.norm.bits + 1, 'similarity estimate ‖k‖·cos', frac);
  const passOne = c.selection === 'topm' || c.emptySet === 'best';
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
    split: splitOf(simFrac + 2, norm.norm.bits, frac),
    topm: topmSpec(c, norm, simFrac),
    best: c.emptySet === 'best',
    passOne,
    gatedTable: c.dataEnables && c.pipeline.candSel >= 2 && !passOne,
    hamStage: c.dataEnables && c.pipeline.candSel >= 3 && !passOne && c.k > HAM_STAGE_ABOVE_K,
  };
}
