// Cycle-exact model of one bank's candidate queues and arbitration (contract: ./README.md).
import type { DesignSpec } from '../design.ts';

/** Keys of bank b for runtime n: global y = b + pA·j. */
export const bankSize = (D: DesignSpec, b: number, n: number): number => (b >= n ? 0 : Math.ceil((n - b) / D.cfg.pA));

/** Pass 1 (top-m, emptySet = 'best'): cycles from qs_start to thr_go, the top's answer. Every bank reads
 *  its rows in pass 1 from qs_start, one per cycle, and counts each row the cycle after; the top combines
 *  the banks' results the cycle after the last bank's is complete and registers the query's threshold the
 *  next (bank 0 has the most rows). Pass 1 runs through hold; pass 2 starts at thr_go or, later, once the
 *  previous query lets it (the ready rule 5 of ./README.md). */
export const passOneCycles = (D: DesignSpec, n: number): number => Math.ceil(bankSize(D, 0, n) / D.cfg.pC) + 3;

export interface BankRun {
  order: number[];
  /** From qs_start (cycle 0) to the first cycle with every row issued, nothing in flight, queues empty. */
  cycles: number;
  /** Cycle whose S0 carries the query's end-of-query mark: the pop that empties the queues once every
   *  row's keys are in, or else a bare token in the first cycle with nothing left (no candidate, or the
   *  last candidate left before the last rows were read). */
  eoqAt: number;
  /** First cycle in which the bank can take the next query (its `ready`, README rule 5). */
  readyAt: number;
  /** First cycle ≥ L + 2 (after the window) that starts with every row issued: with pass 1, the next query's
   *  pass 1 may start. Run-ahead: the first cycle ≥ 1 that starts with every row issued (the read stage
   *  is free once its row moves on; passOneReadyAt()). */
  rowsDoneAt: number;
  /** Early start (BankSpec.earlyStart): stall[k] = the cycles the next query waits in its first window cycle
   *  when it starts in cycle readyAt + k, until the old entries fit the rest of the window (0 beyond). Run-ahead
   *  (BankSpec.runAhead): the cycles its first row waits in the last selection stage until at most one old
   *  entry is queued. */
  stall: number[];
  /** Run-ahead: the entries queued at the start of each cycle until the run ends (empty otherwise). */
  queuedAt: number[];
}

/** Cycles the next query waits when it starts in cycle `at` of the run (early start; 0 otherwise). */
export const stallAt = (run: BankRun, at: number): number => run.stall[at - run.readyAt] ?? 0;

/** Pass 1: cycles from a selection start to the first cycle the next query's pass 1 may start, when that
 *  selection waited `stall` cycles (stallAt() of the query before). Run-ahead: every row issued and the read
 *  stage's row moving on; before the opening (cycle L + 1) nothing waits, so the stall counts only from there. */
export const passOneReadyAt = (D: DesignSpec, run: Pick<BankRun, 'rowsDoneAt'>, stall: number): number =>
  run.rowsDoneAt + (D.bank.runAhead && run.rowsDoneAt <= D.cfg.pipeline.candSel ? 0 : stall);

/** Cycle-exact model of one bank's candidate selection from empty queues (cycle 0 = qs_start): the
 *  issue, push, pop, end-of-query and ready rules of ./README.md, in the order they act within a cycle
 *  (pop, push, issue). With L = pipeline.candSel a row issued in cycle t pushes its keys in cycle t + 1 + L;
 *  the rows in flight are pipe[0] (read last cycle) … pipe[L] (pushes now). The issue and ready rules see the
 *  selection of pipe[L] only when it is registered (L ≥ 1); the rows before it count as unknown. */
export function bankOrder(D: DesignSpec, mask: boolean[]): BankRun {
  const { pC, queueDepth } = D.cfg;
  const L = D.cfg.pipeline.candSel;
  const rowsRt = Math.ceil(mask.length / pC);
  // ready rule (README rule 5): an old tail only with queueDepth ≥ L + 3
  const tail = D.bank.overlapTail;
  const fifo: number[][] = Array.from({ length: pC }, () => []);
  let queued = 0; // entries in all queues
  const order: number[] = [];
  let r = 0;
  const pipe: number[] = Array.from({ length: L + 1 }, () => -1);
  let readyAt = -1;
  let eoqAt = -1;
  let rowsDoneAt = -1;
  const first = L + 2; // the first cycle after the last query's entries have left (its fresh window)
  const early = D.bank.earlyStart;
  // early start: the old entries (queued, pushed now) fit the rest of the window from each cycle on
  const fits: boolean[] = [];
  // run-ahead: the next query's first row reaches the last stage L + 1 cycles after its start and pushes once
  // at most one old entry is queued (queuedAt: the entries at the start of each cycle)
  const ahead = D.bank.runAhead;
  const queuedAt: number[] = [];
  // keys of the row in pipe[L] that pass selection, pushed this cycle (slot c → queue c): pushKey[c] or -1
  const pushKey = new Int32Array(pC);
  for (let cycle = 0; ; cycle++) {
    if (ahead) queuedAt.push(queued);
    let pushes = 0;
    for (let c = 0; c < pC; c++) {
      const j = pipe[L] * pC + c;
      pushKey[c] = pipe[L] >= 0 && j < mask.length && mask[j] ? j : -1;
      if (pushKey[c] >= 0) pushes++;
    }
    // rows whose keys are not known yet: before pipe[L] (and pipe[0] itself when L = 0, for issue and ready)
    let pending = 0;
    for (let k = 0; k < L; k++) if (pipe[k] >= 0) pending++;
    const unknown = L === 0 ? (pipe[0] >= 0 ? 1 : 0) : pending;
    const known = L === 0 ? 0 : pushes;
    if (cycle >= (ahead ? 1 : first) && r >= rowsRt && rowsDoneAt < 0) rowsDoneAt = cycle;
    // every queue has room for the issue's keys: its entries, its known push, the unknown rows and one more
    let room = true;
    for (let c = 0; c < pC && room; c++)
      room = fifo[c].length + (L > 0 && pushKey[c] >= 0 ? 1 : 0) + unknown + 1 <= queueDepth;
    if (early && readyAt >= 0) fits.push(queued + pushes <= L + 1 && (queued > 0 || pushes <= L));
    if (early && cycle >= first && r >= rowsRt && readyAt < 0 && room) readyAt = cycle;
    // run-ahead: every row issued and this query's first row pushed (cycle L + 1) or pushing now
    if (ahead && cycle >= L + 1 && r >= rowsRt && readyAt < 0) readyAt = cycle;
    if (!early && !ahead && cycle >= first && r >= rowsRt && unknown === 0) {
      const ready = tail ? queued + known <= L + 2 && (queued > 0 || known <= L + 1) : queued === 0 && known === 0;
      if (ready && readyAt < 0) readyAt = cycle;
    }
    if (cycle >= first && r >= rowsRt && pending === 0 && eoqAt < 0 && pushes === 0 && queued <= 1) eoqAt = cycle;
    if (r >= rowsRt && pipe.every((x) => x < 0) && queued === 0) {
      // fits[j]: cycle readyAt + 1 + j, where a start in readyAt + j decides first; nothing is left from here
      if (ahead && readyAt < 0) readyAt = Math.max(L + 1, cycle);
      const stall = ahead
        ? Array.from({ length: Math.max(0, cycle - readyAt) }, (_, k) => {
            let s = 0;
            while ((queuedAt[readyAt + k + L + 1 + s] ?? 0) > 1) s++;
            return s;
          })
        : fits.map((_, k) => {
            let s = 0;
            while (k + s < fits.length && !fits[k + s]) s++;
            return s;
          });
      while (stall.length > 0 && stall[stall.length - 1] === 0) stall.pop();
      return {
        order,
        cycles: cycle,
        eoqAt: eoqAt < 0 ? first : eoqAt,
        readyAt: readyAt < 0 ? first : readyAt,
        rowsDoneAt: rowsDoneAt >= 0 ? rowsDoneAt : ahead ? 1 : first,
        stall,
        queuedAt,
      };
    }
    let popQ = -1;
    for (let c = 0; c < pC; c++) if (fifo[c].length > 0 && (popQ < 0 || fifo[c].length > fifo[popQ].length)) popQ = c;
    const canIssue = r < rowsRt && room;
    if (popQ >= 0) {
      order.push(fifo[popQ].shift()!);
      queued--;
    }
    for (let c = 0; c < pC; c++)
      if (pushKey[c] >= 0) {
        fifo[c].push(pushKey[c]);
        queued++;
      }
    pipe.pop();
    pipe.unshift(canIssue ? r++ : -1);
  }
}
