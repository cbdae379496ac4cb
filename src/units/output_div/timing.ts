// Timing of elsa_output_div that the cycle model (src/perf/cycles.ts) and the unit trace use.
import type { DesignSpec } from '../design.ts';

/** Cycle timing of elsa_output_div (templates/elsa_output_div.v.ejs; contract: ./README.md), counted from its start
 *  cycle (cycle 0: idle, every part_full set, o_valid low or taken now). part_clear is high in exactly cycle `clearAt`
 *  (the banks may replace their partials at its edge); busy in cycles 1..clearAt; o_valid rises in `validAt` and stays
 *  high until the cycle (inclusive) in which o_ready is high; o_data keeps the previous row through `dataHeldTo`, then
 *  fills chunk by chunk. With o_ready always high the next start is no earlier than `next`. */
export const outputDivTiming = (D: DesignSpec) => ({
  clearAt: D.outputDiv.chunks + 1,
  validAt: D.outputDiv.chunks + 2,
  dataHeldTo: 2,
  next: D.outputDiv.chunks + 2,
});
