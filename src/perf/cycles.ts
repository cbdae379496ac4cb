// Cycle-level performance model of the generated top level. It mirrors the RTL's registers at the
// level that decides timing (controller, hash unit, each bank's selection/drain and hold, the
// attention pipeline's end-of-query tokens, the output division) and must predict the testbench's
// cycles_pre and cycles_exec exactly when the host streams never stall.
import type { DesignSpec } from '../units/design.ts';
import type { InvocationTrace } from '../units/top/model.ts';
import { outputDivTiming } from '../units/output_div/timing.ts';
import { eoqToFinish } from '../units/attention/timing.ts';
import { keyNormLatency } from '../units/norm/timing.ts';
import { passOneCycles } from '../units/bank/model.ts';

export interface CyclePrediction {
  pre: number;
  exec: number;
  perQuery: number[];
}

/** Preprocessing: one key per hash period (S, or S + 1 without step overlap); after the last key, wait
 *  until the hash unit can take a start again and for its norm (keyNormLatency), then one cycle for the
 *  threshold register. */
export function predictPre(D: DesignSpec, n: number): number {
  const P = D.hash.period;
  return (n - 1) * P + Math.max(2, P, keyNormLatency(D)) + 2;
}

/** Execution: queries are accepted into the hash unit one per hash period while the top's two-entry
 *  query queue has room; every bank takes query i+1 once it is hashed and all banks are ready for it
 *  (bankOrder().readyAt cycles after query i started, counting only cycles without hold); each query's
 *  end-of-query marker enters S0 eoqAt such cycles after its start and freezes the bank at S4 while the
 *  previous partial still waits for the output division. */
export function predictExec(D: DesignSpec, tr: InvocationTrace): { exec: number; perQuery: number[] } {
  const n = tr.queries.length;
  const pA = D.cfg.pA;
  const S = D.hash.cycles;
  const div = outputDivTiming(D);
  // pass 1 (top-m, emptySet = 'best'): qs_start begins it once the previous query's rows are all read
  // (rowsDoneAt); the selection (bankOrder()'s cycle 0) starts with thr_go, passOne cycles later, or once
  // the previous query's selection lets it (readyAt, the rule of threshold mode)
  const p1 = D.candSel.passOne;
  const passOne = D.candSel.passOne ? passOneCycles(D, n) : 0;
  const EOQ_TO_S4 = eoqToFinish(D);

  let qCount = 0,
    oCount = 0;
  // the top's two-entry query queue: each entry's hash-done cycle (hashed from the cycle after)
  let lastAccept = -Infinity;
  const queue: number[] = [];
  // adv counts a bank's cycles without hold; eoqs: adv values at which an end-of-query marker enters S0
  const bank = Array.from({ length: pA }, () => ({
    started: false,
    adv: 0,
    startAdv: 0,
    query: -1,
    eoqs: [] as number[],
    tokens: [] as number[],
    partFull: false,
    goAt: -1,
    selStarted: false,
    selQuery: -1,
  }));
  let divBusyUntil = -Infinity,
    clearAt = -Infinity;
  // rows in the output division overlap (partialBuffers = 2, extra stages): the cycles their o_valid rises
  const oValidAt: number[] = [];
  let started = 0; // queries started in the banks
  const outCycles: number[] = [];
  for (let c = 0; ; c++) {
    if (c > 1e8) throw new Error('cycle model did not terminate');
    // ---- combinational view of this cycle
    // a partial cleared in this cycle can be replaced at its edge: no hold then
    const clearNow = c === clearAt;
    const hold = bank.map((b) => b.tokens.includes(EOQ_TO_S4) && b.partFull && !clearNow);
    // the previous selection lets the next one start (threshold mode: the next query)
    const selOk = bank.map(
      (b, i) => b.selQuery < 0 || (!hold[i] && b.adv - b.startAdv >= tr.queries[b.selQuery].banks[i].readyAt),
    );
    const ready = bank.map((b, i) =>
      p1
        ? !b.started || (b.selStarted && !hold[i] && b.adv - b.startAdv >= tr.queries[b.query].banks[i].rowsDoneAt)
        : selOk[i],
    );
    const qsFire = queue.length > 0 && queue[0] < c && ready.every(Boolean) && started < n;
    const hashFree = c >= lastAccept + D.hash.period;
    const qFire = qCount < n && hashFree && (qsFire || queue.length < 2);
    const oFire = c === oValidAt[0];
    // part_full is stale in the part_clear cycle itself
    const divStartNow = c >= divBusyUntil && !clearNow && bank.every((b) => b.partFull);
    // ---- register updates at the end of the cycle
    bank.forEach((b, i) => {
      if (qsFire) {
        b.started = true;
        b.query = started;
        b.goAt = c + passOne;
        b.selStarted = false;
      }
      if (b.started && !b.selStarted && c >= b.goAt && selOk[i]) {
        b.selStarted = true;
        b.selQuery = b.query;
        b.startAdv = b.adv;
        b.eoqs.push(b.adv + tr.queries[b.query].banks[i].eoqAt);
      }
      let finishing = false;
      if (!hold[i]) {
        finishing = b.tokens.includes(EOQ_TO_S4);
        b.tokens = b.tokens.filter((t) => t !== EOQ_TO_S4).map((t) => t + 1);
        if (b.eoqs[0] === b.adv) {
          b.eoqs.shift();
          b.tokens.push(1);
        }
        b.adv++;
      }
      if (finishing) b.partFull = true;
      else if (clearNow) b.partFull = false;
    });
    if (qsFire) started++;
    if (divStartNow) {
      clearAt = c + div.clearAt;
      oValidAt.push(c + div.validAt);
      divBusyUntil = c + div.next;
    }
    if (oFire) {
      oValidAt.shift();
      outCycles.push(c);
      oCount++;
      if (oCount === n) return { exec: c + 1, perQuery: outCycles.map((x, i) => (i ? x - outCycles[i - 1] : x + 1)) };
    }
    if (qsFire) queue.shift();
    if (qFire) {
      qCount++;
      lastAccept = c;
      queue.push(c + S + 1);
    }
  }
}

/** Cycles each pipeline stage needs per query back to back: the hash unit (one query per hash
 *  period), the slowest bank (bankOrder().readyAt: rows + 1, candidates, at least 2), the output division
 *  (outputDivTiming().next: d/m_o + 2 with one partial per bank, freed after the last chunk is read;
 *  max(d/m_o, 2) when it copies the partials). In steady state a query
 *  costs at least the largest; the cycle model adds how the stages' variation couples. */
export interface StageCycles {
  hash: number;
  bank: number;
  outputDiv: number;
}
export function stageCycles(D: DesignSpec, banks: { readyAt: number }[]): StageCycles {
  return { hash: D.hash.period, bank: Math.max(...banks.map((b) => b.readyAt)), outputDiv: outputDivTiming(D).next };
}

export function predictCycles(D: DesignSpec, tr: InvocationTrace): CyclePrediction {
  const { exec, perQuery } = predictExec(D, tr);
  return { pre: predictPre(D, tr.queries.length), exec, perQuery };
}
