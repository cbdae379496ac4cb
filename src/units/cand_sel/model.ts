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
