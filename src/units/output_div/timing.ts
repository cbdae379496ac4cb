// Timing of elsa_output_div that the cycle model (src/perf/cycles.ts) and the unit trace use.
import type { DesignSpec } from '../design.ts';

/** Cycle timing of elsa_output_div (templates/elsa_output_div.v.ejs; contract: ./README.md), counted from its start
 *  cycle (cycle 0: idle, every part_full set, o_valid low or taken now). part_clear is high in exactly cycle `clearAt`
 *  (the banks may replace their partials at its edge); o_valid rises in `validAt` and stays high until the cycle
 *  (inclusive) in which o_ready is high; o_data keeps the previous row through `dataHeldTo`, then fills chunk by chunk
 *  (at once with `copy` or extra stages). With o_ready always high the next start is no earlier than `next`.
 *  `legacy`: one partial per bank and no extra stage, the first design (no overlap of two rows); otherwise rows
 *  overlap and move together, frozen only while a finished row waits for o_ready. `copy` (partialBuffers = 2): the
 *  division copies the partials at its start and frees them in cycle 1. */
export const outputDivTiming = (D: DesignSpec) => {
  const C = D.outputDiv.chunks;
  const X = D.cfg.pipeline.outputDiv;
  const copy = D.cfg.partialBuffers === 2;
  const legacy = !copy && X === 0;
  const validAt = C + 2 + X;
  return {
    legacy,
    copy,
    extra: X,
    clearAt: copy ? 1 : C + 1,
    validAt,
    dataHeldTo: legacy ? 2 : validAt - 1,
    // copy: the align stage is free after its last chunk, but not in the part_clear cycle (stale part_full)
    next: copy ? Math.max(C, 2) : C + 2,
  };
};
