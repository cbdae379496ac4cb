// Timing of the key norm path that the cycle model (src/perf/cycles.ts) uses (contract: ./README.md).
import type { DesignSpec } from '../design.ts';

/** Cycles from a key's load to its norm in the norm memory: the shared dot unit (3 cycles: operand
 *  register, products, adder tree, plus pipeline.dot extra adder-tree stages) and the square root (one stage
 *  per result bit), plus the write. */
export const keyNormLatency = (D: DesignSpec): number => 3 + D.cfg.pipeline.dot + D.norm.sqrtLatency + 1;
