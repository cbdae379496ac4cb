// Timing of elsa_attention that the cycle model (src/perf/cycles.ts) and the traces use (contract: ./README.md).
import type { DesignSpec } from '../design.ts';

/** Where a token sits in the attention pipeline, as indices into the stages after S0 (0 = S1):
 *  `score`: the score (or Σk² of a preprocessing key) leaves elsa_dot (S3 without extra stages; sumsq out);
 *  `vRead`: the exp unit's output is ready and the V row of the key is read (S3 without extra stages);
 *  `finish`: the accumulation stage, where an end-of-query mark finishes the query (S4 without extra stages).
 *  `depth` = finish + 1 stages from S0 to the accumulation (EOQ to S4: 4 without extra stages). */
export interface AttentionStages {
  score: number;
  vRead: number;
  finish: number;
  depth: number;
}

export const attentionStages = (D: DesignSpec): AttentionStages => {
  const { dot, exp, acc } = D.cfg.pipeline;
  const score = 2 + dot;
  const vRead = score + exp;
  // acc = 3: S5 aligns and pairs, S6 shifts and S7 adds the pair, S8 hands the sums over
  const finish = vRead + 1 + (acc >= 3 ? 4 : acc);
  return { score, vRead, finish, depth: finish + 1 };
};

/** Attention pipeline depth from S0 (pop / end-of-query token) to the accumulation stage (S4 without extra stages). */
export const eoqToFinish = (D: DesignSpec): number => attentionStages(D).depth;
