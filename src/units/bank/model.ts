// Cycle-exact model of one bank's candidate queues and arbitration (contract: ./README.md).
import type { DesignSpec } from '../design.ts';

/** Keys of bank b for runtime n: global y = b + pA·j. */
export const bankSize = (D: DesignSpec, b: number, n: number): number => (b >= n ? 0 : Math.ceil((n - b) / D.cfg.pA));

export interface BankRun {
  order: number[];
  /** From qs_start (cycle 0) to the first cycle with every row issued, nothing in flight, queues empty. */
  cycles: number;
  /** Cycle whose S0 carries the query's end-of-query mark: the pop that empties the queues once every
   *  row's keys are in, or else a bare token in the first cycle with nothing left (no candidate, or the
   *  last candidate left before the last rows were read). */
  eoqAt: number;
  /** First cycle in which the bank can take the next query (its `ready`; see `overlapTail`). */
  readyAt: number;
}

/** Cycle-exact model of one bank's candidate selection from empty queues (cycle 0 = qs_start):
 *  each cycle (1) the longest non-empty queue (ties: lowest index) pops its head to the attention unit,
 *  (2) the row issued last cycle pushes its selected keys (slot c → queue c),
 *  (3) row r issues when every queue satisfies cnt + inflight + 1 ≤ queueDepth (no overflow possible).
 *  The next query may start in cycle readyAt ≥ 2 (cycle 1 still belongs to the old tail): once every
 *  row is issued and pushed and at most two entries are queued (overlapTail; else none). The
 *  end-of-query mark (eoqAt) goes out in a cycle ≥ 2 once every row is issued and nothing is pushed:
 *  on the pop of the only queued key, or as a bare token if none is left. */
export function bankOrder(D: DesignSpec, mask: boolean[]): BankRun {
  const { pC, queueDepth } = D.cfg;
  const rowsRt = Math.ceil(mask.length / pC);
  // D.bank.overlapTail: with every row pushed and at most two entries queued, the old tail leaves in the
  // start cycle and the next, before the new query's first pop (cycle 2), so the new query sees the same
  // queues as from empty. The issue rule then holds for both queries in cycles 0 and 1 only if
  // queueDepth ≥ 3; queues of 2 wait until the old query is fully drained.
  const tail = D.bank.overlapTail;
  const fifo: number[][] = Array.from({ length: pC }, () => []);
  const order: number[] = [];
  let r = 0;
  let inflight = -1;
  let readyAt = -1;
  let eoqAt = -1;
  for (let cycle = 0; ; cycle++) {
    const queued = fifo.reduce((s, q) => s + q.length, 0);
    // keys of the row in flight that pass selection: pushed this cycle (slot c → queue c)
    const pushes: [number, number][] = [];
    if (inflight >= 0)
      for (let c = 0; c < pC; c++) {
        const j = inflight * pC + c;
        if (j < mask.length && mask[j]) pushes.push([c, j]);
      }
    if (cycle >= 2 && r >= rowsRt) {
      const ready = inflight < 0 && queued <= (tail ? 2 : 0);
      if (ready && readyAt < 0) readyAt = cycle;
      if (eoqAt < 0 && pushes.length === 0 && queued <= 1) eoqAt = cycle;
    }
    if (r >= rowsRt && inflight < 0 && queued === 0)
      return { order, cycles: cycle, eoqAt: eoqAt < 0 ? 2 : eoqAt, readyAt: readyAt < 0 ? 2 : readyAt };
    let popQ = -1;
    for (let c = 0; c < pC; c++) if (fifo[c].length > 0 && (popQ < 0 || fifo[c].length > fifo[popQ].length)) popQ = c;
    const canIssue = r < rowsRt && fifo.every((q) => q.length + (inflight >= 0 ? 1 : 0) + 1 <= queueDepth);
    if (popQ >= 0) order.push(fifo[popQ].shift()!);
    for (const [c, j] of pushes) fifo[c].push(j);
    inflight = canIssue ? r++ : -1;
  }
}
