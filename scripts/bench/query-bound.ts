// The paper's per-query bound (docs/spec.md §2), shared by the bench scripts.
import { PRESETS } from '../../src/gen/config.ts';
import { MATRIX } from '../../src/gen/matrix.ts';
import { predictCycles } from '../../src/perf/cycles.ts';
import { thresholdSweep } from '../../src/sim/stimulus.ts';
import type { DesignSpec } from '../../src/units/design.ts';
import { elsaFixed } from '../../src/units/top/model.ts';

/** Analytic per-query bound: max(hash cycles, rows of the busiest bank, its candidates, d/m_o). With pass 1
 *  (top-m selection, emptySet = 'best'; not in the paper) the bank reads its rows twice per query, once for the
 *  estimates and once for the selection, through the same memory port: the bound counts 2·rows (the
 *  candidates of one query may drain while the next query's pass 1 reads). */
export function queryBound(D: DesignSpec, banks: { order: number[] }[], n: number): number {
  const rows = Math.ceil(Math.ceil(n / D.cfg.pA) / D.cfg.pC);
  const readRows = D.candSel.passOne ? 2 * rows : rows;
  const cand = Math.max(...banks.map((b) => b.order.length));
  return Math.max(D.hash.cycles, readRows, cand, D.outputDiv.chunks);
}

/** Steady state: the output-row gaps after the first quarter of the rows (the pipeline fill) over their bounds.
 *  The per-query bound takes the busiest bank of each query; banks that stall their next query by different
 *  amounts (early start, src/units/bank/README.md rule 5) overlap one query's busiest bank with another's,
 *  so a ratio may fall below 1. */
export function steadyRatio(perQuery: number[], bounds: number[]): number {
  const skip = Math.floor(perQuery.length / 4);
  const sum = (a: number[]) => a.slice(skip).reduce((s, x) => s + x, 0);
  return sum(perQuery) / sum(bounds);
}

/** Every preset and matrix config once (the matrix holds small and kwt1 again). */
export const boundConfigs = [...Object.values(PRESETS), ...MATRIX].filter(
  (c, i, all) => all.findIndex((x) => x.name === c.name) === i,
);

/** The cycle model's steady-state cycles per query over the bound, one seeded invocation per p. */
export const modelRatios = (D: DesignSpec, ps: number[], seed: number): number[] =>
  thresholdSweep(D, ps, seed).map(({ inv }) => {
    const tr = elsaFixed(D, inv.K, inv.V, inv.Q, inv.tQ);
    return steadyRatio(
      predictCycles(D, tr).perQuery,
      tr.queries.map((q) => queryBound(D, q.banks, inv.n)),
    );
  });
