// The paper's per-query bound (docs/spec.md §2), shared by the bench scripts.
import type { DesignSpec } from '../../src/units/design.ts';

/** Analytic per-query bound: max(hash cycles, rows of the busiest bank, its candidates, d/m_o). */
export function queryBound(D: DesignSpec, banks: { order: number[] }[], n: number): number {
  const rows = Math.ceil(Math.ceil(n / D.cfg.pA) / D.cfg.pC);
  const cand = Math.max(...banks.map((b) => b.order.length));
  return Math.max(D.hash.cycles, rows, cand, D.outputDiv.chunks);
}
