// The whole-datapath fixed-point model: the unit models composed as the top level connects the units.
// The specification the RTL must match bit for bit (contract: ./README.md).
import type { DesignSpec } from '../design.ts';
import { saturate } from '../../spec/arith.ts';
import { hashFixed } from '../hash/model.ts';
import {
  bestThreshold,
  estimate,
  estimateBin,
  hamming,
  histShift,
  isCandidate,
  thresholdRegister,
  topmBin,
  topmThreshold,
} from '../cand_sel/model.ts';
import { keyNorm } from '../norm/model.ts';
import { bankOrder, bankSize, type BankRun } from '../bank/model.ts';
import { accumulate, emptyPartial, expUnit, type Partial } from '../attention/model.ts';
import { outputDivision } from '../output_div/model.ts';

/** Real → Q/K/V integer: round to nearest (ties away from zero), saturate to the qkv width. */
export function quantize(x: number, D: DesignSpec): number {
  const v = Math.sign(x) * Math.round(Math.abs(x) * 2 ** D.qkv.frac);
  return saturate(v, D.qkv.bits);
}
export const quantizeRows = (m: number[][], D: DesignSpec): number[][] => m.map((r) => r.map((x) => quantize(x, D)));

/** Threshold t (real, [-2, 2)) → signed tW-bit integer with simF fraction bits (round, saturate). */
export function quantizeThreshold(t: number, D: DesignSpec): number {
  return saturate(Math.round(t * 2 ** D.candSel.simFrac), D.candSel.threshold.bits);
}

export interface QueryTrace {
  hash: number[];
  candidates: boolean[]; // per key y < n
  banks: (BankRun & { partial: Partial })[];
  out: number[];
}
export interface InvocationTrace {
  keyHash: number[][];
  keyNorm: number[];
  maxNorm: number;
  thr: number;
  queries: QueryTrace[];
  out: number[][];
}

/** Fixed-point ELSA attention for one invocation: K, V (n×d ints), Q (n×d ints), threshold t_q and, in
 *  top-m mode, m: per query the keys whose estimate bin is at least the bin of the m-th largest estimate
 *  (src/units/cand_sel/README.md), and whose estimate is at least t_q·max‖k‖. With emptySet = 'best' the
 *  threshold is at most the largest estimate of the query, so no query selects nothing. */
export function elsaFixed(
  D: DesignSpec,
  K: number[][],
  V: number[][],
  Q: number[][],
  tQ: number,
  m = 0,
): InvocationTrace {
  const n = K.length;
  const { pA } = D.cfg;
  const keyHash = K.map((k) => hashFixed(D, k));
  const norms = K.map(keyNorm);
  const maxNorm = Math.max(0, ...norms);
  const thr = thresholdRegister(tQ, maxNorm);
  const topm = D.candSel.topm;
  const shift = topm ? histShift(D, maxNorm) : 0;
  const queries = Q.map((q) => {
    const hash = hashFixed(D, q);
    const hams = keyHash.map((kh) => hamming(hash, kh));
    const est = hams.map((h, y) => estimate(D, h, norms[y]));
    let qThr = thr;
    if (topm) {
      const hist = new Array<number>(topm.bins).fill(0);
      for (const e of est) hist[estimateBin(D, e, shift)]++;
      qThr = topmThreshold(D, topmBin(hist, m), shift, thr);
    }
    if (D.candSel.best) qThr = bestThreshold(qThr, Math.max(...est));
    const candidates = hams.map((h, y) => isCandidate(D, h, norms[y], qThr));
    const banks = Array.from({ length: pA }, (_, b) => {
      const nb = bankSize(D, b, n);
      const mask = Array.from({ length: nb }, (_, j) => candidates[b + pA * j]);
      const run = bankOrder(D, mask);
      const partial = emptyPartial(D.cfg.d);
      for (const j of run.order) {
        const y = b + pA * j;
        const score = q.reduce((s, qi, i) => s + qi * K[y][i], 0);
        accumulate(D, partial, expUnit(D, score), V[y]);
      }
      return { ...run, partial };
    });
    return {
      hash,
      candidates,
      banks,
      out: outputDivision(
        D,
        banks.map((b) => b.partial),
      ),
    };
  });
  return { keyHash, keyNorm: norms, maxNorm, thr, queries, out: queries.map((q) => q.out) };
}
