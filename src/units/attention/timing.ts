// Timing of elsa_attention that the cycle model (src/perf/cycles.ts) uses (contract: ./README.md).

/** Attention pipeline depth from S0 (pop / end-of-query token) to S4 (accumulate / finish). */
export const EOQ_TO_S4 = 4;
