// Bit-exact model of candidate selection (contract: ./README.md).
import type { DesignSpec } from '../design.ts';

export function hamming(a: number[], b: number[]): number {
  let h = 0;
  for (let i = 0; i < a.length; i++) h += a[i] ^ b[i];
  return h;
}

/** Threshold register: t_q · max‖k‖ (signed thrW bits, simF + qF fraction bits). */
export const thresholdRegister = (tQ: number, maxNorm: number): number => tQ * maxNorm;
/** Candidate test: ‖k‖ · cos_table[ham] ≥ t_q · max‖k‖. (≥, so t = -2 selects every key, even zero keys.) */
export const isCandidate = (D: DesignSpec, ham: number, normK: number, thr: number): boolean =>
  normK * D.candSel.cosTable[ham] >= thr;

// ---- top-m selection (selection = 'topm', rule in ./README.md)

/** The histogram shift for max‖k‖: shiftOf[bit length of maxNorm]. */
export const histShift = (D: DesignSpec, maxNorm: number): number =>
  D.candSel.topm!.shiftOf[maxNorm === 0 ? 0 : Math.floor(Math.log2(maxNorm)) + 1];
/** The estimate ‖k‖·cos_table[ham] (the value the candidate test compares). */
export const estimate = (D: DesignSpec, ham: number, normK: number): number => normK * D.candSel.cosTable[ham];
/** Histogram bin of an estimate: floor(est / 2^shift) + bins/2, saturated to 0..bins − 1. */
export const estimateBin = (D: DesignSpec, est: number, shift: number): number => {
  const bins = D.candSel.topm!.bins;
  return Math.min(bins - 1, Math.max(0, Math.floor(est / 2 ** shift) + bins / 2));
};
/** The bin holding the m-th largest estimate: the largest bin b with Σ_{j ≥ b} hist[j] ≥ m (0 if none). */
export function topmBin(hist: number[], m: number): number {
  let acc = 0;
  for (let j = hist.length - 1; j >= 0; j--) {
    acc += hist[j];
    if (acc >= m) return j;
  }
  return 0;
}
/** emptySet = 'best': the threshold register never above the largest estimate, so a query that would
 *  select nothing keeps the keys of the largest estimate (ties kept). */
export const bestThreshold = (thr: number, maxEst: number): number => Math.min(thr, maxEst);
/** The query's threshold register: the lower edge of bin b, (b − bins/2)·2^shift (bin 0: the smallest
 *  register value, every key),
 *  but never below the invocation's t·max‖k‖. */
export const topmThreshold = (D: DesignSpec, bin: number, shift: number, thr: number): number =>
  Math.max(bin === 0 ? D.candSel.thresholdProduct.min : (bin - D.candSel.topm!.bins / 2) * 2 ** shift, thr);
