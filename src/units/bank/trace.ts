// Cycle trace for elsa_bank (templates/elsa_bank.v.ejs), from the fixed-point model.
//
// A register-level model of the bank's control (derived from the template, one cycle = one rising edge
// at its end) drives the bank as the top level would and says what it must show each cycle:
//   load     ld_valid writes K/V at kv_count and sends the row through the attention module's dot
//            product (norm request tag {w_slot, w_row}); Σk² leaves S3 three cycles later into
//            elsa_isqrt (normW stages), whose result writes norm memory slot j mod P_c, row j div P_c
//            and raises max_norm. norms_pending = keys loaded whose norm has not come out yet.
//            h_valid writes the key hashes in load order (later, one per cycle).
//   query    qs_start (only when ready) latches hash, threshold and q (into the attention module's
//            q_next; q_swap moves it into q_att two advancing cycles later) and issues row 0 in the same
//            cycle; then the issue, push, pop, end-of-query and ready rules of ./README.md (in the
//            `fresh` cycle after qs_start the queues hold only the previous query's tail).
//   hold     README rule 6: an end-of-query mark at S4 while part_full (and no part_clear this cycle)
//            freezes the whole bank until the part_clear cycle, where the query finishes.
// The expected partial of each query is accumulate() over bankOrder()'s key order (the model's
// cycle-exact selection/queue/arbiter order), the same computation elsaFixed() does for one bank; the
// generator also checks that its own pop order equals bankOrder()'s and, for queries without a hold,
// that the end-of-query mark and the first ready cycle come exactly bankOrder().eoqAt and .readyAt
// cycles after qs_start.
import type { DesignSpec } from '../design.ts';
import { Rng } from '../../spec/rng.ts';
import { bankOrder, passOneReadyAt } from './model.ts';
import { emptyPartial, type Partial } from '../attention/model.ts';
import { estimate, estimateBin, hamming, histShift, isCandidate } from '../cand_sel/model.ts';
import { hashFixed } from '../hash/model.ts';
import { isqrt, sumSquares } from '../norm/model.ts';
import { packBus, type Cycle, type Trace } from '../../sim/trace.ts';
import {
  AttentionModel,
  kvRows,
  partOut,
  queryPartial,
  randVec,
  randVecScaled,
  type Slot,
} from '../attention/trace.ts';
import { attentionStages } from '../attention/timing.ts';
import { tracePorts } from '../module.ts';
import { bankModule } from './rtl.ts';

type Kind = 'all' | 'none' | 'quarter' | 'half' | 'most';
export interface QueryRec {
  kind: Kind;
  q: number[];
  hash: number[];
  tQ: number;
  thr: number;
  K: number[][];
  V: number[][]; // the bank's keys and values when the query ran
  mask: boolean[];
  order: number[];
  eoqAt: number;
  readyAt: number;
  partial: Partial; // fixed-point model
  /** Selection start (bankOrder()'s cycle 0: qs_start, or p2_start after pass 1). */
  qs: number;
  eoq: number;
  ready: number;
  /** Pass 1 (top-m, emptySet = 'best'): its qs_start, the first cycle the bank is ready for the next
   *  query's pass 1 (bankOrder().rowsDoneAt after qs), and the histogram and largest estimate it left. */
  p1: number;
  rowsDone: number;
  rowsDoneAt: number;
  hist: number[] | null;
  best: number | null;
  pops: number[];
  holdCycles: number; // cycle model
  /** Early start: cycles its cycle 1 waited in the first window cycle for the old entries. */
  stallCycles: number;
  /** Run-ahead: its first row pushed while the old query's last entry popped (lateAt()). */
  late: boolean;
}

export interface BankTraceInfo {
  trace: Trace;
  queries: QueryRec[];
  holdCycles: number;
  /** qs_start while the previous query still had keys queued or being pushed (overlapped), and in the
   *  first cycle the bank was ready (back to back). */
  qsOverTail: number;
  qsBackToBack: number;
  partChecks: number;
  /** Cycles where a row was due but the issue rule (count + in flight + 1 ≤ depth) held it back. */
  roomStalls: number;
  /** Hold cycles in which the bank would otherwise have issued a row, pushed, popped or sent a token. */
  holdBlocked: { issue: number; push: number; pop: number; token: number };
  /** Early start: selection starts while the old query's last row was unknown, and stall cycles. */
  earlyStarts: number;
  stalls: number;
  /** Pass 1: qs_start while the previous query's keys still drain; thr_go before the previous query let
   *  pass 2 start (go_wait). */
  p1OverDrain: number;
  goWaits: number;
  /** Run-ahead with pass 1: qs_start before the latest query opened (its q parked in q_save); cycles the next
   *  pass 1 waits only for the read stage's row, held by the opening's wait. */
  p1BeforeOpen: number;
  p1ReadWaits: number;
}

class BankSim {
  readonly D: DesignSpec;
  readonly rng: Rng;
  readonly cycles: Cycle[] = [];
  // memories and load counters
  K: number[][] = [];
  V: number[][] = [];
  hashes: (number[] | undefined)[] = [];
  norms: (number | undefined)[] = [];
  kvCount = 0;
  hCount = 0;
  pendingHashes: { at: number; data: number[] }[] = [];
  normPipe: { done: number; tag: number; value: number }[] = [];
  inFlight = 0;
  maxNorm = 0;
  // selection
  selActive = false;
  r = 0;
  /** Rows in the selection pipeline (pipeline.candSel = L): pipe[0] was read last cycle, pipe[L] pushes now. */
  pipe: number[];
  /** Advancing cycles since the last selection start, counted up to L + 2 (the old query's window). */
  sinceStart = Infinity;
  eoqOwed = false;
  /** Early start: the old query's last row was unknown at the start; it pushes in the first window cycle. */
  oldRow = false;
  prev = -1; // the query before cur (its end mark may still come in the window)
  /** Run-ahead (README rule 5b): bnd[i] = the row (or empty marker) in pipe[i] opens a query; qpipe[i] = the
   *  query of pipe[i]; drain = the query whose entries are queued and whose end mark is owed. */
  bnd: boolean[];
  qpipe: number[];
  drain = -1;
  /** Run-ahead: the opening row pushed while the old query's last entry popped; the attention module takes
   *  the new q in the next cycle without hold. */
  swapLate = false;
  /** Run-ahead: a query started in a late opening cycle; its q goes into q_next with that swap. */
  qPend = -1;
  earlyStarts = 0;
  stalls = 0;
  queues: { j: number; query: number }[][];
  cur = -1; // query the selection works on
  queries: QueryRec[] = [];
  attn = new AttentionModel();
  expected: Partial[] = [];
  clearAt = -1;
  qsOverTail = 0;
  qsBackToBack = 0;
  partChecks = 0;
  roomStalls = 0;
  holdBlocked = { issue: 0, push: 0, pop: 0, token: 0 };
  // pass 1 (README "Pass 1"): rows read from qs_start, counted the cycle after; runs through hold
  pq = -1; // query of the last qs_start
  hActive = false;
  hR = 0;
  hInflight = false;
  hRowB = 0;
  p1Done = false;
  goWait = false;
  hist: number[] = [];
  best = 0;
  shift = 0;
  p1OverDrain = 0;
  goWaits = 0;
  p1BeforeOpen = 0;
  p1ReadWaits = 0;

  constructor(D: DesignSpec, rng: Rng) {
    this.D = D;
    this.rng = rng;
    this.attn = new AttentionModel(attentionStages(D));
    this.queues = Array.from({ length: D.cfg.pC }, () => []);
    this.pipe = new Array<number>(D.cfg.pipeline.candSel + 1).fill(-1);
    this.bnd = new Array<boolean>(D.cfg.pipeline.candSel + 1).fill(false);
    this.qpipe = new Array<number>(D.cfg.pipeline.candSel + 1).fill(-1);
    if (D.candSel.topm) this.hist = new Array<number>(D.candSel.topm.bins).fill(0);
    this.best = D.candSel.similarity.min;
  }
  get L(): number {
    return this.D.cfg.pipeline.candSel;
  }
  /** In the window after a selection start only the old query's entries pop (README rule 5). */
  get fresh(): boolean {
    return this.sinceStart >= 1 && this.sinceStart <= this.L + 1;
  }
  /** Rows read whose selection is not in a register yet (with L = 0 the row in flight itself). */
  get unknownRows(): number {
    return this.pipe.slice(0, Math.max(1, this.L)).filter((x) => x >= 0).length;
  }
  /** Rows before pipe[L]: their keys are not all in. */
  get pendingRows(): number {
    return this.pipe.slice(0, this.L).filter((x) => x >= 0).length;
  }

  get c(): number {
    return this.cycles.length;
  }
  get nRows(): number {
    return Math.ceil(this.kvCount / this.D.cfg.pC);
  }
  /** Keys of the row in pipe[L] that pass selection (pushed this cycle unless hold). */
  rowPushes(): [number, number][] {
    const pC = this.D.cfg.pC,
      out: [number, number][] = [];
    const row = this.pipe[this.L];
    if (row >= 0)
      for (let i = 0; i < pC; i++) {
        const j = row * pC + i;
        if (j < this.kvCount && this.sel(j)) out.push([i, j]);
      }
    return out;
  }
  comb() {
    if (this.D.bank.runAhead) return this.combAhead();
    this.attn.clearNow = this.c === this.clearAt;
    const hold = this.attn.hold;
    const queued = this.queues.reduce((s, q) => s + q.length, 0);
    const selected = this.rowPushes();
    const pushes = hold ? [] : selected;
    const rowsDone = this.r === this.nRows;
    // the ready rule sees the registered results of pipe[L] only (L ≥ 1)
    const L = this.L;
    const due = L === 0 ? 0 : selected.length;
    // count + its key due from pipe[L] (registered, L ≥ 1) + the unknown rows + 1 ≤ depth
    const dueIn = (i: number) => (L > 0 && selected.some(([c]) => c === i) ? 1 : 0);
    const room = this.queues.every((q, i) => this.unknownRows + dueIn(i) + q.length < this.D.cfg.queueDepth);
    const early = this.D.bank.earlyStart;
    const tailOk = early
      ? room
      : this.unknownRows === 0 &&
        (this.D.bank.overlapTail ? queued + due <= L + 2 && (queued > 0 || due <= L + 1) : queued === 0 && due === 0);
    // early start: the first window cycle waits until the old entries leave in the rest of the window
    const stall = early && this.sinceStart === 1 && !(queued + due <= L + 1 && (queued > 0 || due <= L));
    const selOk = !this.selActive || (rowsDone && !this.fresh && !hold && tailOk);
    const pass1 = this.hActive || this.p1Done || this.goWait;
    const ready = this.D.candSel.passOne ? !pass1 && (!this.selActive || (rowsDone && !this.fresh && !hold)) : selOk;
    const keysIn = rowsDone && this.pendingRows === 0;
    const tokenDue = this.selActive && this.eoqOwed && !this.fresh && keysIn && queued === 0 && selected.length === 0;
    const oldTokenDue = this.oldRow && this.sinceStart === 1 && queued === 0 && selected.length === 0;
    return {
      hold,
      queued,
      pushes,
      selected,
      keysIn,
      selOk,
      ready,
      room,
      stall,
      tokenDue: tokenDue || oldTokenDue,
      token: tokenDue && !hold,
      oldToken: oldTokenDue && !hold,
      readWait: false,
    };
  }
  /** Run-ahead (README rule 5b): the issue and ready rules count the latest query's own entries only; the rows
   *  ahead of an opening row (bnd) are the draining query's. */
  combAhead() {
    this.attn.clearNow = this.c === this.clearAt;
    const hold = this.attn.hold;
    const L = this.L;
    const queued = this.queues.reduce((s, q) => s + q.length, 0);
    const selected = this.rowPushes();
    const pending = this.bnd.some(Boolean);
    const bLast = this.bnd[L];
    // its first row waits in the last stage while more than one old entry is queued
    const stall = bLast && queued > 1;
    const pushes = hold || stall ? [] : selected;
    const rowsDone = this.r === this.nRows;
    const opened = (i: number) => this.bnd.slice(i).some(Boolean);
    const stages = this.pipe.slice(0, L).map((x, i) => ({ row: x >= 0, own: !pending || opened(i) }));
    const unknown = stages.filter((x) => x.row && x.own).length;
    const drainRows = stages.filter((x, i) => x.row && !opened(i)).length;
    const dueIn = (i: number) => (selected.some(([c]) => c === i) ? 1 : 0);
    const own = !pending || bLast; // pipe[L] holds a row of the latest query
    const room = this.queues.every(
      (q, i) => unknown + (own ? dueIn(i) : 0) + (pending ? 0 : q.length) < this.D.cfg.queueDepth,
    );
    // every row issued and the latest query's first row pushed (or pushing now); with pass 1 that lets the next
    // query's selection start, and its pass 1 already once every row is issued and the read stage's row moves on
    const selOk = !this.selActive || (rowsDone && !hold && !this.bnd.slice(0, L).some(Boolean) && !stall);
    const pass1 = this.hActive || this.p1Done || this.goWait;
    const p1Ok = !this.selActive || (rowsDone && !hold && !(this.pipe[0] >= 0 && stall));
    const readWait = this.selActive && !pass1 && rowsDone && !hold && this.pipe[0] >= 0 && stall;
    const ready = this.D.candSel.passOne ? !pass1 && p1Ok : selOk;
    const keysIn = (pending || rowsDone) && drainRows === 0;
    // pushes at an opening row are the new query's
    const drainPush = bLast ? 0 : selected.length;
    const tokenDue = this.selActive && this.eoqOwed && keysIn && queued === 0 && drainPush === 0;
    return {
      hold,
      queued,
      pushes,
      selected,
      keysIn,
      selOk,
      ready,
      room,
      stall,
      tokenDue,
      token: tokenDue && !hold,
      oldToken: false,
      readWait,
    };
  }
  get idle(): boolean {
    return (
      !this.eoqOwed &&
      !this.bnd.some(Boolean) &&
      !this.swapLate &&
      this.qPend < 0 &&
      !this.hActive &&
      !this.p1Done &&
      !this.goWait &&
      this.pipe.every((x) => x < 0) &&
      this.queues.every((q) => q.length === 0) &&
      this.attn.empty &&
      !this.attn.partFull &&
      this.normPipe.length === 0 &&
      this.pendingHashes.length === 0
    );
  }

  /** The query of the row in pipe[L]: after an early start the old query's last row pushes in the first
   *  window cycle. */
  get pushQuery(): number {
    if (this.D.bank.runAhead) return this.qpipe[this.L];
    return this.oldRow ? this.prev : this.cur;
  }

  private sel(j: number): boolean {
    const q = this.queries[this.pushQuery];
    const h = this.hashes[j],
      n = this.norms[j];
    if (h === undefined || n === undefined)
      throw new Error(`bank model: key ${j} selected before its hash/norm was written`);
    return isCandidate(this.D, hamming(q.hash, h), n, q.thr);
  }

  tick(
    inp: {
      rst?: boolean;
      clear?: boolean;
      ld?: { k: number[]; v: number[]; hashAt: number };
      qs?: QueryRec;
      go?: boolean;
    } = {},
  ): void {
    const D = this.D,
      pC = D.cfg.pC,
      rng = this.rng;
    const c = this.c;
    const junk = () => packBus(randVec(D, rng), D.qkv.bits);
    const junkBits = () =>
      packBus(
        Array.from({ length: D.cfg.k }, () => rng.int(0, 1)),
        1,
      );
    const inputs: Record<string, bigint | number> = {
      rst: 0,
      clear: 0,
      ld_valid: 0,
      ld_k: junk(),
      ld_v: junk(),
      h_valid: 0,
      h_data: junkBits(),
      qs_start: 0,
      qs_hash: junkBits(),
      qs_vec: junk(),
      thr: rng.int(-(2 ** (D.candSel.thresholdProduct.bits - 1)), 2 ** (D.candSel.thresholdProduct.bits - 1) - 1),
      part_clear: 0,
      ...(D.candSel.passOne ? { thr_go: 0 } : {}),
      ...(D.candSel.topm ? { hist_shift: this.shift } : {}),
    };
    if (inp.rst) {
      inputs.rst = 1;
      this.cycles.push({ in: inputs, out: {} });
      return;
    }
    const { hold, queued, pushes, selected, keysIn, selOk, ready, room, stall, tokenDue, token, oldToken, readWait } =
      this.comb();
    if (readWait) this.p1ReadWaits++;
    const ahead = D.bank.runAhead;
    const P = pushes.length;
    // ---- combinational view of this cycle
    const p1 = D.candSel.passOne;
    const qsIn = inp.qs;
    if (qsIn && !ready) throw new Error('bank model: qs_start while not ready');
    if (inp.go && !p1) throw new Error('bank model: thr_go without pass 1');
    if (inp.go && !this.p1Done) throw new Error('bank model: thr_go before p1_done');
    // the selection starts at qs_start, or after pass 1 with thr_go (or later, once the last query lets it)
    const goNow = !!inp.go || this.goWait;
    const qs = p1 ? (goNow && selOk ? this.queries[this.pq] : undefined) : qsIn;
    const curQ = this.cur >= 0 ? this.queries[this.cur] : null;
    if (curQ && selOk && curQ.ready < 0) {
      curQ.ready = c;
      if (curQ.holdCycles === 0 && c - curQ.qs !== curQ.readyAt + curQ.stallCycles)
        throw new Error(`bank model: ready ${c - curQ.qs} cycles after qs_start, bankOrder says ${curQ.readyAt}`);
    }
    if (p1 && curQ && ready && curQ.rowsDone < 0 && this.pq === this.cur) {
      curQ.rowsDone = c;
      if (curQ.holdCycles === 0 && c - curQ.qs !== passOneReadyAt(D, curQ, curQ.stallCycles))
        throw new Error(`bank model: pass-1 ready ${c - curQ.qs} cycles after p2_start, bankOrder: ${curQ.rowsDoneAt}`);
    }
    const rCur = qs ? 0 : this.r;
    // run-ahead: row 0 issues in the start cycle (the new query has nothing queued or in flight yet)
    const issue =
      ahead && qs !== undefined
        ? rCur < this.nRows
        : (qs !== undefined || this.selActive) && rCur < this.nRows && room && !hold && !stall;
    if ((qs !== undefined || this.selActive) && rCur < this.nRows && !room && !hold) this.roomStalls++;
    if (hold) {
      const hb = this.holdBlocked;
      if ((qs !== undefined || this.selActive) && rCur < this.nRows && room) hb.issue++;
      if (selected.length > 0) hb.push++;
      if (this.queues.some((q) => q.length > 0)) hb.pop++;
      if (tokenDue) hb.token++;
    }
    let g = -1;
    for (let i = 0; i < pC; i++)
      if (this.queues[i].length > 0 && (g < 0 || this.queues[i].length > this.queues[g].length)) g = i;
    const pop = g >= 0 && !hold;
    // in the first window cycle after an early start the old query's last row may still push
    const lastPop =
      pop &&
      queued === 1 &&
      (ahead
        ? keysIn && (this.bnd[this.L] || P === 0) // pushes with an opening row are the new query's
        : (this.fresh && !(this.oldRow && P > 0)) || (keysIn && P === 0));
    const hNow = this.pendingHashes.length && this.pendingHashes[0].at <= c ? this.pendingHashes.shift()! : null;
    const nDone = this.normPipe.length && this.normPipe[0].done === c ? this.normPipe.shift()! : null;
    if (this.normPipe.length && this.normPipe[0].done <= c) throw new Error('bank model: norm pipeline out of order');
    const partClear = c === this.clearAt;
    if (inp.ld && (pop || token || hold)) throw new Error('bank model: load during a query');
    if (inp.clear && (!this.idle || inp.ld)) throw new Error('bank model: clear while busy');

    // ---- inputs and expected outputs
    if (inp.clear) inputs.clear = 1;
    if (inp.ld)
      Object.assign(inputs, { ld_valid: 1, ld_k: packBus(inp.ld.k, D.qkv.bits), ld_v: packBus(inp.ld.v, D.qkv.bits) });
    if (hNow) Object.assign(inputs, { h_valid: 1, h_data: packBus(hNow.data, 1) });
    if (qsIn)
      Object.assign(inputs, {
        qs_start: 1,
        qs_hash: packBus(qsIn.hash, 1),
        qs_vec: packBus(qsIn.q, D.qkv.bits),
        ...(p1 ? {} : { thr: qsIn.thr }),
      });
    if (inp.go) Object.assign(inputs, { thr_go: 1, thr: this.queries[this.pq].thr });
    if (partClear) inputs.part_clear = 1;
    const pf = this.attn.partFull;
    if (pf) this.partChecks++;
    this.cycles.push({
      in: inputs,
      out: {
        norms_pending: this.inFlight !== 0 ? 1 : 0,
        max_norm: this.maxNorm,
        ready: ready ? 1 : 0,
        ...(p1 ? { p1_done: this.p1Done ? 1 : 0 } : {}),
        ...(D.candSel.topm ? { hist: packBus(this.hist, D.bank.histCount.bits) } : {}),
        ...(D.candSel.best ? { best_est: this.best } : {}),
        part_full: pf ? 1 : 0,
        ...partOut(
          D,
          pf ? (this.attn.partQuery < 0 ? emptyPartial(D.cfg.d) : this.expected[this.attn.partQuery]) : null,
        ),
      },
    });

    // ---- rising edge
    if (hold) for (const q of this.queries) if (q.qs >= 0 && (q.eoq < 0 || q.ready < 0)) q.holdCycles++;
    if (qs && queued + P > 0) this.qsOverTail++;
    if (qsIn && p1 && this.selActive && queued + P > 0) this.p1OverDrain++;
    if (inp.go && !selOk) this.goWaits++;
    if (qs && this.cur >= 0 && this.queries[this.cur].ready === c) this.qsBackToBack++;
    let s0: Slot = null;
    let ended: QueryRec | null = null;
    if (pop) {
      const { j, query } = this.queues[g].shift()!;
      const q = this.queries[query];
      q.pops.push(j);
      if (lastPop && q.pops.length !== q.order.length)
        throw new Error(`bank model: last-key mark on key ${q.pops.length} of ${q.order.length}`);
      s0 = { kind: 'key', id: j, query, ...(lastPop ? { last: true } : {}) };
      if (lastPop) ended = q;
    } else if (token || oldToken) {
      const query = ahead ? this.drain : oldToken ? this.prev : this.cur;
      s0 = { kind: 'eoq', query };
      ended = this.queries[query];
      if (ended.pops.length !== ended.order.length) throw new Error('bank model: bare token before the last key');
    } else if (inp.ld) {
      const j = this.kvCount;
      s0 = { kind: 'pre', x: inp.ld.k, tag: ((j % pC) << D.bank.rowIndex.bits) | Math.floor(j / pC) };
    }
    const pq = this.pushQuery;
    for (const [i, j] of pushes) this.queues[i].push({ j, query: pq });
    if (ended) {
      ended.eoq = c;
      const want = ended.order.join(',');
      if (ended.pops.join(',') !== want)
        throw new Error(`bank model: pop order ${ended.pops} differs from bankOrder ${want}`);
      if (ended.holdCycles === 0 && c - ended.qs !== ended.eoqAt + ended.stallCycles)
        throw new Error(
          `bank model: end of query ${c - ended.qs} cycles after qs_start, bankOrder says ${ended.eoqAt}`,
        );
    }
    // the attention module takes the new q in the first cycle after the window
    const qSwap = ahead
      ? (this.bnd[this.L] && !hold && !stall && queued === 0) || (this.swapLate && !hold)
      : this.sinceStart === this.L + 2 && !hold;
    // run-ahead: a start while the attention module's next q is still unswapped after this cycle (a late opening
    // cycle; with pass 1 also before the latest query opens) parks its q and loads it with the swap (rule 5b)
    const park = ahead && (this.qPend >= 0 || (this.bnd.some(Boolean) && !qSwap));
    // (a qs_start needs the parked query's selection started, and so the latest query opened)
    if (qsIn && this.qPend >= 0 && !qSwap) throw new Error('bank model: a third q before the swap');
    let qLoad = qsIn && !park ? this.queries.length : null;
    if (ahead && this.qPend >= 0 && qSwap) qLoad = this.qPend;
    if (ahead) {
      if (qsIn && park) this.qPend = this.queries.length;
      else if (qSwap) this.qPend = -1;
    }
    if (qsIn && p1 && ahead && this.bnd.some(Boolean)) this.p1BeforeOpen++;
    // the query whose selection starts now (with pass 1: started earlier)
    const selQ = qs ? (p1 ? this.pq : this.queries.length) : -1;
    if (ahead) this.aheadEdge(selQ, issue ? rCur : -1, hold, stall, token, lastPop, queued);
    if (qs) {
      this.oldRow = this.pipe[0] >= 0;
      if (this.oldRow) this.earlyStarts++;
    } else if (!hold) this.oldRow = false;
    if (ahead) {
      // the pipeline, the row counter and the end-of-query flag: aheadEdge()
      if (qs) {
        this.selActive = true;
        this.r = issue ? 1 : 0;
      } else if (!hold && issue) this.r++;
    } else if (stall && !hold) {
      // row 0 stays read; the old row leaves the selection register
      this.pipe[this.L] = -1;
      this.queries[this.cur].stallCycles++;
      this.stalls++;
    } else if (qs || !hold) {
      this.pipe.pop();
      this.pipe.unshift(issue ? rCur : -1);
    }
    if (ahead) {
      // done above
    } else if (qs) {
      this.selActive = true;
      this.r = issue ? 1 : 0;
      this.sinceStart = 1;
      this.eoqOwed = true;
    } else if (!hold) {
      if (issue) this.r++;
      if (token || (lastPop && !this.fresh)) this.eoqOwed = false; // in the window a last pop is the old query's
      if (!stall) this.sinceStart = Math.min(this.sinceStart + 1, this.L + 3);
    }
    // attention: a norm request leaving S3 enters the square root pipeline (normW stages)
    if (this.attn.sumsqValid) {
      const s3 = this.attn.s3 as { x: number[]; tag: number };
      this.normPipe.push({ done: c + D.norm.sqrtLatency, tag: s3.tag, value: isqrt(sumSquares(s3.x)) });
    }
    if (qsIn) {
      this.pq = this.queries.length;
      this.queries.push(qsIn);
      this.expected.push(qsIn.partial);
      if (p1) qsIn.p1 = c;
    }
    if (qs) {
      qs.qs = c;
      this.prev = this.cur;
      this.cur = this.queries.indexOf(qs);
    }
    if (p1) this.passOneEdge(qsIn, !!inp.go, goNow && !selOk);
    // a finish fills the partial registers (also in a part_clear cycle): the output division takes it later
    if (this.attn.edge(s0, partClear, qLoad, qSwap) >= 0)
      this.clearAt = c + 1 + (rng.next() < 0.25 ? 0 : rng.int(1, 12 + 2 * D.bank.rows));
    // load counters, memories, norms
    if (inp.ld) {
      this.K[this.kvCount] = inp.ld.k;
      this.V[this.kvCount] = inp.ld.v;
      this.pendingHashes.push({ at: inp.ld.hashAt, data: hashFixed(D, inp.ld.k) });
    }
    if (hNow) this.hashes[this.hCount++] = hNow.data;
    if (nDone) {
      const j = (nDone.tag & ((1 << D.bank.rowIndex.bits) - 1)) * pC + (nDone.tag >> D.bank.rowIndex.bits);
      this.norms[j] = nDone.value;
    }
    this.inFlight += (inp.ld ? 1 : 0) - (nDone ? 1 : 0);
    if (inp.clear) {
      this.selActive = false;
      this.hActive = this.p1Done = this.hInflight = this.goWait = false;
      this.kvCount = 0;
      this.hCount = 0;
      this.maxNorm = 0;
      this.hashes = [];
      this.norms = [];
    } else {
      if (inp.ld) this.kvCount++;
      if (nDone && nDone.value > this.maxNorm) this.maxNorm = nDone.value;
    }
  }

  /** Run-ahead at the rising edge: the stages advance unless hold or the opening row's wait; an opening row that
   *  pushes makes its query the draining one (its end mark owed). qs: the index of a query starting now. */
  private aheadEdge(
    qs: number,
    issued: number,
    hold: boolean,
    stall: boolean,
    token: boolean,
    lastPop: boolean,
    queued: number,
  ) {
    const L = this.L;
    const opens = this.bnd[L] && !hold && !stall;
    if (opens) {
      this.eoqOwed = true;
      this.drain = this.qpipe[L];
    } else if (!hold && (token || lastPop)) this.eoqOwed = false;
    // the old query's last entry pops now: its key reads q_att in the next cycle, the swap waits for it
    if (opens && queued !== 0) {
      this.swapLate = true;
      this.queries[this.qpipe[L]].late = true;
    } else if (!hold) this.swapLate = false;
    if (qs >= 0 || (!hold && !stall)) {
      this.pipe.pop();
      this.pipe.unshift(issued);
      this.bnd.pop();
      this.bnd.unshift(qs >= 0);
      this.qpipe.pop();
      this.qpipe.unshift(qs >= 0 ? qs : this.cur);
    } else if (stall && !hold) {
      this.queries[this.qpipe[L]].stallCycles++;
      this.stalls++;
    }
  }

  /** Pass 1 at the rising edge: the row read last cycle is counted (top-m: each existing key's estimate
   *  into its bin; best: the largest estimate), the next row is read, p1_done rises after the last row and
   *  falls with thr_go; go_wait keeps a thr_go that came before the last query let pass 2 start. */
  private passOneEdge(qs: QueryRec | undefined, go: boolean, wait: boolean): void {
    const D = this.D,
      pC = D.cfg.pC;
    const nRows = this.nRows;
    const hRCur = qs ? 0 : this.hR;
    const hIssue = (qs !== undefined || this.hActive) && hRCur < nRows;
    const hLast = this.hInflight && this.hRowB + 1 === nRows;
    if (qs) {
      if (D.candSel.topm) this.hist.fill(0);
      this.best = D.candSel.similarity.min;
    } else if (this.hInflight) {
      const q = this.queries[this.pq];
      for (let i = 0; i < pC; i++) {
        const j = this.hRowB * pC + i;
        if (j >= this.kvCount) continue;
        const est = estimate(D, hamming(q.hash, this.hashes[j]!), this.norms[j]!);
        if (D.candSel.topm) this.hist[estimateBin(D, est, this.shift)]++;
        this.best = Math.max(this.best, est);
      }
    }
    this.hInflight = hIssue;
    if (qs) {
      this.hActive = nRows !== 0;
      this.p1Done = nRows === 0;
    } else if (hLast) {
      this.hActive = false;
      this.p1Done = true;
      const q = this.queries[this.pq];
      q.hist = [...this.hist];
      q.best = this.best;
    } else if (go) this.p1Done = false;
    this.goWait = wait;
    if (hIssue) {
      this.hR = hRCur + 1;
      this.hRowB = hRCur;
    }
  }
}

/** Query of a kind against the keys loaded now: 'all' (t = -2), 'none' (t just below 2), or the t whose
 *  selection is closest to a quarter, half or three quarters of the keys (but neither none nor all). */
function makeQuery(D: DesignSpec, sim: BankSim, rng: Rng, kind: Kind): QueryRec {
  const nb = sim.kvCount;
  const q = randVecScaled(D, rng);
  const hash = hashFixed(D, q);
  const K = sim.K.slice(0, nb);
  const norms = K.map((k) => isqrt(sumSquares(k)));
  const maxNorm = Math.max(0, ...norms);
  const maskFor = (tQ: number) =>
    K.map((k, j) => isCandidate(D, hamming(hash, hashFixed(D, k)), norms[j], tQ * maxNorm));
  const tLo = -(2 ** (D.candSel.threshold.bits - 1)),
    tHi = 2 ** (D.candSel.threshold.bits - 1) - 1;
  let tQ = kind === 'all' ? tLo : tHi;
  if (kind !== 'all' && kind !== 'none') {
    const target = nb * { quarter: 0.25, half: 0.5, most: 0.75 }[kind];
    let best = Infinity;
    for (let t = tLo; t <= tHi; t++) {
      const n = maskFor(t).filter(Boolean).length;
      const score = Math.abs(n - target) + (n === 0 || n === nb ? nb : 0);
      if (score < best) {
        best = score;
        tQ = t;
      }
    }
  }
  const mask = maskFor(tQ);
  const n = mask.filter(Boolean).length;
  if (nb > 0 && ((kind === 'all' && n !== nb) || (kind === 'none' && n !== 0)))
    throw new Error(`query kind ${kind} selects ${n} of ${nb}`);
  const run = bankOrder(D, mask);
  const V = sim.V.slice(0, nb);
  return {
    kind,
    q,
    hash,
    tQ,
    thr: tQ * maxNorm,
    K,
    V,
    mask,
    order: run.order,
    eoqAt: run.eoqAt,
    readyAt: run.readyAt,
    partial: queryPartial(D, q, run.order, K, V),
    qs: -1,
    eoq: -1,
    ready: -1,
    p1: -1,
    rowsDone: -1,
    rowsDoneAt: run.rowsDoneAt,
    hist: null,
    best: null,
    pops: [],
    holdCycles: 0,
    stallCycles: 0,
    late: false,
  };
}

/** The bank trace: four invocations (clear, load, queries): nb = nB keys, a count that leaves the last
 *  row partly filled, no keys at all (a bank beyond n) and a single key. */
export function bankTraceInfo(D: DesignSpec, seed: number): BankTraceInfo {
  const rng = new Rng(seed);
  const pC = D.cfg.pC;
  const sim = new BankSim(D, rng);
  const { K, V } = kvRows(D, rng, D.bank.keys);
  let nb2 = D.bank.keys - 1;
  if (pC > 1 && nb2 % pC === 0) nb2--;
  // first queries fixed (all, none, partial), then random kinds; short queries are frequent so that
  // end-of-query tokens catch up with a partial the output division has not taken yet (hold)
  const kinds = (n: number, fixed: Kind[]): Kind[] => {
    const pool: Kind[] = ['none', 'none', 'none', 'quarter', 'quarter', 'half', 'most', 'all'];
    return [...fixed, ...Array.from({ length: n - fixed.length }, () => pool[rng.int(0, pool.length - 1)])];
  };
  const invocations: { nb: number; kinds: Kind[] }[] = [
    { nb: D.bank.keys, kinds: kinds(16, ['all', 'none', 'half']) },
    { nb: Math.max(1, nb2), kinds: kinds(10, ['half', 'all', 'none']) },
    { nb: 0, kinds: ['all', 'none', 'all', 'none', 'all', 'all'] },
    { nb: 1, kinds: ['all', 'none', 'all', 'all', 'none', 'all'] },
  ];
  // qs_start in the n-th cycle the bank is ready (0: the first: back to back)
  const qsGap = () => (rng.next() < 0.5 ? 0 : rng.int(1, 6));
  sim.tick({ rst: true });
  sim.tick();
  for (const [ii, inv] of invocations.entries()) {
    sim.tick({ clear: true });
    // load: back to back for the first keys, then random gaps; hashes 1…8 cycles after their key
    for (let j = 0; j < inv.nb; j++) {
      if (j >= 3) for (let g = rng.int(0, 2); g > 0; g--) sim.tick();
      const kv = ii === 1 ? (j + 5) % D.bank.keys : j; // another key order the second time
      sim.tick({ ld: { k: K[kv], v: V[kv], hashAt: sim.c + rng.int(1, 8) } });
    }
    // the top level waits for norms_pending to fall (and the last hash), then one threshold cycle
    while (sim.inFlight > 0 || sim.pendingHashes.length > 0) sim.tick();
    sim.tick();
    // top-m: the histogram shift the top derives from max‖k‖
    if (D.candSel.topm) sim.shift = histShift(D, sim.maxNorm);
    for (const kind of inv.kinds) {
      let gap = qsGap();
      for (;;) {
        if (sim.comb().ready && gap-- <= 0) break;
        sim.tick();
      }
      sim.tick({ qs: makeQuery(D, sim, rng, kind) });
      if (!D.candSel.passOne) continue;
      // pass 1: the top answers with thr_go once p1_done is up (here after 0…4 more cycles)
      let wait = rng.int(0, 4);
      while (!sim.p1Done || wait-- > 0) sim.tick();
      sim.tick({ go: true });
    }
    while (!sim.idle) sim.tick();
    sim.tick();
  }
  return {
    trace: { module: 'elsa_bank', ...tracePorts(bankModule.ports!(D)), cycles: sim.cycles },
    queries: sim.queries,
    holdCycles: sim.attn.holdCycles,
    qsOverTail: sim.qsOverTail,
    qsBackToBack: sim.qsBackToBack,
    earlyStarts: sim.earlyStarts,
    stalls: sim.stalls,
    partChecks: sim.partChecks,
    roomStalls: sim.roomStalls,
    holdBlocked: sim.holdBlocked,
    p1OverDrain: sim.p1OverDrain,
    goWaits: sim.goWaits,
    p1BeforeOpen: sim.p1BeforeOpen,
    p1ReadWaits: sim.p1ReadWaits,
  };
}
