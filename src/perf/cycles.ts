// Cycle-level performance model of the generated top level. It mirrors the RTL's registers at the
// level that decides timing (controller, hash unit, each bank's selection/drain and hold, the
// attention pipeline's end-of-query tokens, the output division) and must predict the testbench's
// cycles_pre and cycles_exec exactly when the host streams never stall.
import type { DesignSpec } from '../units/design.ts';
import { outputDivTiming } from '../units/output_div/timing.ts';
import { eoqToFinish } from '../units/attention/timing.ts';
import { keyNormLatency } from '../units/norm/timing.ts';
import { passOneCycles, passOneReadyAt, stallAt, type BankRun } from '../units/bank/model.ts';

/** What the cycle model reads of an invocation's trace: per query, each bank's selection run. */
interface CycleTrace {
  queries: { banks: BankRun[] }[];
}

export interface CyclePrediction {
  pre: number;
  exec: number;
  perQuery: number[];
}

/** Preprocessing: one key per hash period (S, or S + 1 without step overlap; the issue slots with pipeline
 *  stages); after the last key, wait until the hash unit has no hash to come after the next cycle
 *  (HashSpec.drain) and for its norm (keyNormLatency), then one cycle for the threshold register. */
export function predictPre(D: DesignSpec, n: number): number {
  return (n - 1) * D.hash.period + Math.max(2, D.hash.drain, keyNormLatency(D)) + 2;
}

/** Execution: queries are accepted into the hash unit one per hash period while the top's two-entry
 *  query queue has room; every bank takes query i+1 once it is hashed and all banks are ready for it
 *  (bankOrder().readyAt cycles after query i started, counting only cycles without hold); each query's
 *  end-of-query marker enters S0 eoqAt such cycles after its start and freezes the bank at S4 while the
 *  previous partial still waits for the output division. */
export function predictExec(
  D: DesignSpec,
  tr: CycleTrace,
  host?: ExecHost,
): { exec: number; perQuery: number[]; lastAccept: number } {
  const n = tr.queries.length;
  const pA = D.cfg.pA;
  const div = outputDivTiming(D);
  // pass 1 (top-m, emptySet = 'best'): qs_start begins it once the previous query's rows are all read
  // (passOneReadyAt); the selection (bankOrder()'s cycle 0) starts with thr_go, passOne cycles later, or once
  // the previous query's selection lets it (readyAt, the rule of threshold mode)
  const p1 = D.candSel.passOne;
  const passOne = D.candSel.passOne ? passOneCycles(D, n) : 0;
  const EOQ_TO_S4 = eoqToFinish(D);

  let qCount = 0,
    oCount = 0;
  // the top's two-entry query queue: each entry's hash-done cycle (hashed from the cycle after)
  let lastAccept = host?.lastAccept ?? -Infinity;
  const queue: number[] = [];
  // adv counts a bank's cycles without hold; eoqs: adv values at which an end-of-query marker enters S0;
  // run: the bank's run of the query it started last, selRun: of the query whose selection started last
  const bank = Array.from({ length: pA }, () => ({
    started: false,
    adv: 0,
    startAdv: 0,
    run: null as BankRun | null,
    eoqs: [] as number[],
    tokens: [] as number[],
    partFull: false,
    goAt: -1,
    selStarted: false,
    selRun: null as BankRun | null,
    selStall: 0,
  }));
  let divBusyUntil = -Infinity,
    clearAt = -Infinity;
  // rows in the output division overlap (partialBuffers = 2, extra stages): the cycles their o_valid rises
  const oValidAt: number[] = [];
  let started = 0; // queries started in the banks
  const outCycles: number[] = [];
  // this cycle's hold and selection-start permission per bank (typed arrays: no allocation per cycle)
  const hold = new Uint8Array(pA);
  const selOk = new Uint8Array(pA);
  for (let c = 0; ; c++) {
    if (c > 1e8) throw new Error('cycle model did not terminate');
    // ---- combinational view of this cycle
    // a partial cleared in this cycle can be replaced at its edge: no hold then
    const clearNow = c === clearAt;
    let allReady = true,
      allFull = true;
    for (let i = 0; i < pA; i++) {
      const b = bank[i];
      const h = b.partFull && !clearNow && b.tokens.includes(EOQ_TO_S4);
      hold[i] = h ? 1 : 0;
      // the previous selection lets the next one start (threshold mode: the next query)
      const ok = b.selRun === null || (!h && b.adv - b.startAdv >= b.selRun.readyAt);
      selOk[i] = ok ? 1 : 0;
      const ready = p1
        ? !b.started || (b.selStarted && !h && b.adv - b.startAdv + b.selStall >= passOneReadyAt(D, b.run!, b.selStall))
        : ok;
      if (!ready) allReady = false;
      if (!b.partFull) allFull = false;
    }
    const qsFire = queue.length > 0 && queue[0] < c && allReady && started < n;
    const hashFree = c >= lastAccept + D.hash.period;
    // pipeline.queryRoom: only an entry free at the start of the cycle takes a query
    const qFire = qCount < n && hashFree && (queue.length < 2 || (qsFire && D.cfg.pipeline.queryRoom === 0));
    const oFire = oValidAt.length > 0 && c === oValidAt[0];
    // kvBuffers = 2: a key of the next invocation takes the hash unit in a cycle no query takes
    if (host && !qFire && host.keyAccept(c, hashFree)) lastAccept = c;
    // part_full is stale in the part_clear cycle itself
    const divStartNow = c >= divBusyUntil && !clearNow && allFull;
    // ---- register updates at the end of the cycle
    for (let i = 0; i < pA; i++) {
      const b = bank[i];
      if (qsFire) {
        b.started = true;
        b.run = tr.queries[started].banks[i];
        b.goAt = c + passOne;
        b.selStarted = false;
      }
      if (b.started && !b.selStarted && c >= b.goAt && selOk[i]) {
        b.selStarted = true;
        // early start: the new query's cycle 1 waits until the old entries fit the window
        const stall = b.selRun === null ? 0 : stallAt(b.selRun, b.adv - b.startAdv);
        b.selRun = b.run!;
        b.selStall = stall;
        b.startAdv = b.adv + stall;
        b.eoqs.push(b.startAdv + b.selRun.eoqAt);
      }
      let finishing = false;
      if (!hold[i]) {
        // tokens at S4 leave (the partial is finished), the others move one stage on, in place
        const tk = b.tokens;
        let w = 0;
        for (let k = 0; k < tk.length; k++)
          if (tk[k] === EOQ_TO_S4) finishing = true;
          else tk[w++] = tk[k] + 1;
        if (w !== tk.length) tk.length = w; // a length store is a runtime call: only when a token left
        if (b.eoqs.length > 0 && b.eoqs[0] === b.adv) {
          b.eoqs.shift();
          tk.push(1);
        }
        b.adv++;
      }
      if (finishing) b.partFull = true;
      else if (clearNow) b.partFull = false;
    }
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
      if (oCount === n)
        return { exec: c + 1, perQuery: outCycles.map((x, i) => (i ? x - outCycles[i - 1] : x + 1)), lastAccept };
    }
    if (qsFire) queue.shift();
    if (qFire) {
      qCount++;
      lastAccept = c;
      queue.push(c + D.hash.latency);
    }
  }
}

/** Cycles each pipeline stage needs per query back to back: the hash unit (one query per hash
 *  period), the slowest bank (bankOrder().readyAt: rows + 1, candidates, at least 2; with early start
 *  readyAt plus the next query's stall there), the output division
 *  (outputDivTiming().next: d/m_o + 2 with one partial per bank, freed after the last chunk is read;
 *  max(d/m_o, 2) when it copies the partials). In steady state a query
 *  costs at least the largest; the cycle model adds how the stages' variation couples. */
export interface StageCycles {
  hash: number;
  bank: number;
  outputDiv: number;
}
export function stageCycles(D: DesignSpec, banks: BankRun[]): StageCycles {
  const bank = Math.max(...banks.map((b) => b.readyAt + stallAt(b, b.readyAt)));
  return { hash: D.hash.period, bank, outputDiv: outputDivTiming(D).next };
}

export function predictCycles(D: DesignSpec, tr: CycleTrace): CyclePrediction {
  if (D.cfg.kvBuffers === 2) {
    const { pre, exec, perQuery } = predictBackToBack(D, [tr]).invocations[0];
    return { pre, exec, perQuery };
  }
  const { exec, perQuery } = predictExec(D, tr);
  return { pre: predictPre(D, tr.queries.length), exec, perQuery };
}

/** What shares the hash unit with an invocation's queries (kvBuffers = 2): the last start before its first
 *  execution cycle (relative to it), and the next invocation's keys, asked in every cycle no query takes the
 *  hash unit whether one takes it now. */
interface ExecHost {
  lastAccept: number;
  keyAccept: (c: number, hashFree: boolean) => boolean;
}

export interface BackToBackInvocation extends CyclePrediction {
  /** Cycle of its start pulse, its first execution cycle, and its done pulse (invocation 0 starts at 0). */
  start: number;
  execStart: number;
  done: number;
}

/** kvBuffers = 2, invocations back to back as the top testbench's +b2b mode drives them: invocation j+1
 *  starts in the cycle after the swap of invocation j (when busy falls) and streams its keys from the cycle
 *  after; a key takes the hash unit in a cycle it is free and no query takes it (queries first); its hash is
 *  written HashSpec.latency cycles and its norm serial.cycles + NORM_W cycles after that; the load side sees every hash
 *  and norm in the cycle after, is ready one cycle later, and swaps once the previous invocation's last row
 *  is out (the cycle after); then one threshold cycle and execution (predictExec, with the next
 *  invocation's keys in the hash unit's idle cycles). cycles_pre = start to execution; `done` of the last
 *  invocation closes the span. */
export function predictBackToBack(
  D: DesignSpec,
  traces: CycleTrace[],
): { invocations: BackToBackInvocation[]; span: number } {
  const P = D.hash.period;
  // from the last key's accept to the first cycle the load side sees its hash and its norm
  const tail = Math.max(D.hash.latency + 1, D.norm.serial.cycles + D.norm.sqrtLatency + 1);
  let lastAccept = -Infinity;
  const newLoad = (n: number, start: number) => ({ n, taken: 0, from: start + 1, lastKey: -Infinity });
  type Load = ReturnType<typeof newLoad>;
  const take = (l: Load, c: number, hashFree: boolean): boolean => {
    if (l.taken >= l.n || c < l.from || !hashFree) return false;
    l.taken++;
    l.lastKey = c;
    return true;
  };
  const out: BackToBackInvocation[] = [];
  let start = 0,
    prevEnd = -Infinity;
  let load = newLoad(traces[0].queries.length, 0);
  for (const [j, tr] of traces.entries()) {
    // keys left when the previous invocation finished (or all of the first one's) go in alone
    for (let c = Math.max(load.from, prevEnd + 1); load.taken < load.n; c++)
      if (take(load, c, c >= lastAccept + P)) lastAccept = c;
    const swap = Math.max(load.lastKey + tail + 1, prevEnd + 1);
    const execStart = swap + 2;
    const next = j + 1 < traces.length ? newLoad(traces[j + 1].queries.length, swap + 1) : null;
    const ex = predictExec(D, tr, {
      lastAccept: lastAccept - execStart,
      keyAccept: (c, hashFree) => next !== null && take(next, execStart + c, hashFree),
    });
    lastAccept = ex.lastAccept + execStart;
    const end = execStart + ex.exec - 1;
    out.push({ start, execStart, done: end + 1, pre: execStart - 1 - start, exec: ex.exec, perQuery: ex.perQuery });
    prevEnd = end;
    start = swap + 1;
    if (next) load = next;
  }
  return { invocations: out, span: out[out.length - 1].done - out[0].start };
}
