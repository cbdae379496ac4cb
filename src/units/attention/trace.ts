// Cycle trace for elsa_attention (templates/elsa_attention.v.ejs), from the fixed-point model.
//
// Pipeline, as derived from the template (a token entering S0 in cycle c):
//   c    S0: in_valid/in_id (key; with in_eoq: the query's last key), in_eoq alone (bare end-of-query
//            token) or pre_valid/pre_k/pre_tag (norm request)
//   c+1  S1: k_row must hold K[id] (the bank's registered K read); dot stage 1 latches q_att·k_row
//            (or pre_k_q·pre_k_q for a norm request); q_att is the value BEFORE a q_swap in this cycle
//            (q_load fills q_next, q_swap copies q_next into q_att)
//   c+2  S2: adder tree
//   c+3  S3: v_re = 1 with v_raddr = id (key), or sumsq_valid with sumsq = Σk², sumsq_tag (norm request)
//   c+4  S4: v_row must hold V[id]; Σe, Σe·v accumulate. An end-of-query mark at S4 with part_full = 0
//            or part_clear = 1 moves the sums (with a last key's term) into part_* (part_full = 1 from
//            c+5); with part_full = 1 and part_clear = 0 it raises `hold`,
//            which freezes S0…S4 (inputs at S0 are not taken, v_re/sumsq_valid are low) until the cycle
//            after part_clear. A hold cycle adds one cycle to the latency of every token behind it.
//   part_clear lowers part_full at the next edge, except in a cycle that finishes a query (finish wins).
// Extra stages (attentionStages() in ./timing.ts): pipeline.dot adder-tree stages between S2 and S3,
// pipeline.exp exp stages between S3 (score, norm requests out) and the V read, pipeline.acc one stage
// between the V row's arrival (M·v products) and the accumulation.
// Outputs in cycle c are a function of the registers during c and the inputs of c (the generic unit
// testbench applies inputs after the falling edge and compares before the rising edge).
import type { DesignSpec } from '../design.ts';
import { Rng } from '../../spec/rng.ts';
import { accumulate, emptyPartial, expUnit, type Partial } from './model.ts';
import { sumSquares } from '../norm/model.ts';
import { packBus, type Cycle, type Trace } from '../../sim/trace.ts';
import { tracePorts } from '../module.ts';
import { attentionModule } from './rtl.ts';
import { attentionStages, type AttentionStages } from './timing.ts';

export type Slot =
  | { kind: 'key'; id: number; query: number; last?: boolean }
  | { kind: 'eoq'; query: number }
  | { kind: 'pre'; x: number[]; tag: number }
  | null;

export const qMin = (D: DesignSpec): number => -(2 ** (D.qkv.bits - 1));
export const qMax = (D: DesignSpec): number => 2 ** (D.qkv.bits - 1) - 1;
export const randVec = (D: DesignSpec, rng: Rng): number[] =>
  Array.from({ length: D.cfg.d }, () => rng.int(qMin(D), qMax(D)));

/** Register-level model of elsa_attention's pipeline control: which token sits in S1…S4 (and the extra stages
 *  of `stages`, attentionStages()), part_full, which query's sums are in part_*, and which query vectors q_next and
 *  q_att hold. */
export class AttentionModel {
  /** s[0] = S1 … s[stages.finish] = the accumulation stage, as seen during the current cycle. */
  s: Slot[];
  constructor(readonly stages: AttentionStages = { score: 2, vRead: 2, finish: 3, depth: 4 }) {
    this.s = new Array<Slot>(stages.depth).fill(null);
  }
  partFull = false;
  /** Query whose partial is in part_* (-1: the reset value, an empty partial). */
  partQuery = -1;
  /** Query index in q_next and in q_att (-1: none yet). */
  qNext = -1;
  qAtt = -1;
  finishes = 0;
  holdCycles = 0;
  /** part_clear in the current cycle (set by the driver before it reads `hold`). */
  clearNow = false;

  get hold(): boolean {
    return endsQuery(this.s4) && this.partFull && !this.clearNow;
  }
  get s1(): Slot {
    return this.s[0];
  }
  /** The stage where the score leaves the dot unit (S3 without extra stages): norm requests go out here. */
  get s3(): Slot {
    return this.s[this.stages.score];
  }
  /** The stage that reads V (S3 without extra stages). */
  get vRead(): Slot {
    return this.s[this.stages.vRead];
  }
  /** The stage that needs the V row (S4 without extra stages). */
  get vIn(): Slot {
    return this.s[this.stages.vRead + 1];
  }
  /** The accumulation stage (S4 without extra stages). */
  get s4(): Slot {
    return this.s[this.stages.finish];
  }
  get vRe(): boolean {
    return this.vRead?.kind === 'key' && !this.hold;
  }
  get sumsqValid(): boolean {
    return this.s3?.kind === 'pre' && !this.hold;
  }
  get empty(): boolean {
    return this.s.every((x) => x === null);
  }

  /** The rising edge at the end of the current cycle. `s0` is the token presented at S0 (ignored
   *  while hold; callers must not present one then). Returns the query that finished, or -1. */
  edge(s0: Slot, partClear: boolean, qLoad: number | null, qSwap: boolean): number {
    if (partClear !== this.clearNow) throw new Error('attention model: clearNow not set for this cycle');
    const hold = this.hold;
    if (hold) {
      if (s0) throw new Error('attention model: token presented at S0 during hold (it would be lost)');
      this.holdCycles++;
    }
    const s4 = this.s4;
    const finish = endsQuery(s4) && !hold;
    if (!hold) {
      // dot stage 1 latches the S1 key's product with the q_att held now
      const k = this.s1;
      if (k?.kind === 'key' && k.query !== this.qAtt)
        throw new Error(`attention model: key of query ${k.query} at S1 with q_att of query ${this.qAtt}`);
      this.s = [s0, ...this.s.slice(0, -1)];
    }
    let fin = -1;
    if (finish) {
      this.partFull = true;
      this.partQuery = (s4 as { query: number }).query;
      this.finishes++;
      fin = this.partQuery;
    } else if (partClear) this.partFull = false;
    if (qSwap) this.qAtt = this.qNext;
    if (qLoad !== null) this.qNext = qLoad;
    return fin;
  }
}

/** A slot that carries the end-of-query mark: a bare token or a query's last key. */
export const endsQuery = (x: Slot): boolean => x?.kind === 'eoq' || (x?.kind === 'key' && x.last === true);

/** Expected partial of a query: accumulate() over its keys in S4 order. */
export function queryPartial(D: DesignSpec, q: number[], ids: number[], K: number[][], V: number[][]): Partial {
  const p = emptyPartial(D.cfg.d);
  for (const j of ids)
    accumulate(
      D,
      p,
      expUnit(
        D,
        q.reduce((s, qi, i) => s + qi * K[j][i], 0),
      ),
      V[j],
    );
  return p;
}

/** part_* outputs for a partial (null = don't care). */
export function partOut(D: DesignSpec, p: Partial | null): Record<string, bigint | number | null> {
  if (!p) return { part_started: null, part_e: null, part_s: null, part_o: null };
  return { part_started: p.started ? 1 : 0, part_e: p.e, part_s: p.s, part_o: packBus(p.o, D.attention.sumEV.bits) };
}

/** Random vector at a random scale (1, 1/2, 1/4 or 1/8 of full range): key norms spread widely. */
export function randVecScaled(D: DesignSpec, rng: Rng): number[] {
  const a = 2 ** -rng.int(0, 3);
  return Array.from({ length: D.cfg.d }, () => rng.int(Math.ceil(qMin(D) * a), Math.floor(qMax(D) * a)));
}

/** K/V memory contents of a test: the extremes (all min, all max, zeros, alternating), then random
 *  rows at random scales. */
export function kvRows(D: DesignSpec, rng: Rng, n: number): { K: number[][]; V: number[][] } {
  const d = D.cfg.d;
  const special = (i: number): number[] | null =>
    i === 0
      ? new Array<number>(d).fill(qMin(D))
      : i === 1
        ? new Array<number>(d).fill(qMax(D))
        : i === 2
          ? new Array<number>(d).fill(0)
          : i === 3
            ? Array.from({ length: d }, (_, t) => (t % 2 ? qMin(D) : qMax(D)))
            : null;
  const K = Array.from({ length: n }, (_, i) => special(i) ?? randVecScaled(D, rng));
  const V = Array.from({ length: n }, (_, i) => special((i + 2) % n) ?? randVec(D, rng));
  return { K, V };
}

type PlanTok =
  | { kind: 'key'; id: number; query: number; last?: boolean }
  | { kind: 'eoq'; query: number }
  | { kind: 'pre'; x: number[]; tag: number }
  | { kind: 'idle' };

export interface AttentionTraceInfo {
  trace: Trace;
  queries: number;
  finishes: number;
  holdCycles: number;
  /** Queries with keys that end with a bare end-of-query token instead of a marked last key. */
  bareTokens: number;
  /** q_load (of a query with keys) in a hold cycle; a query finished in a cycle where part_clear was
   *  also high. */
  qLoadInHold: number;
  clearOnFinish: number;
  /** Hold cycles with a key at S3 (v_re must stay low) and with a norm request at S3 (sumsq_valid low). */
  keyAtS3InHold: number;
  preAtS3InHold: number;
  preRequests: number;
  /** Cycles whose part_* values are checked. */
  partChecks: number;
}

/** A closed-loop trace: the generator plays the bank (K/V memories, key stream, q_load, the output
 *  division's part_clear) around the model above, so every input is legal for the cycle it is in.
 *  Inputs that the module must ignore in a cycle (k_row, v_row, in_id, pre_k, pre_tag, q_vec) carry
 *  random junk there. */
export function attentionTraceInfo(D: DesignSpec, seed: number): AttentionTraceInfo {
  const rng = new Rng(seed);
  const d = D.cfg.d;
  const nB = D.bank.keys;
  const TW = D.bank.normTag.bits;
  const { K, V } = kvRows(D, rng, nB);

  const st = attentionStages(D);

  // ---- queries: vectors and key lists (distinct local ids, at most nB: the accumulator widths' bound)
  // pipeline.acc = 3 adds two queries whose terms pair in every way: all keys by rising score (each raises E,
  // also in both terms of a pair) and by falling score (shifted terms with low bits) but for a top key at the end
  // and 30 more of short vectors with keys in random order: a pair's carry (pairStep()) is rare, Σe's rarest
  const nQ = D.cfg.pipeline.acc >= 3 ? 44 : 12;
  const Q: number[][] = [];
  const keys: number[][] = [];
  const perm = (m: number) => {
    const a = Array.from({ length: nB }, (_, i) => i);
    for (let i = a.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a.slice(0, m);
  };
  for (let n = 0; n < nQ; n++) {
    // 0: all min (score with key 0 is the largest positive: exp saturates), 1: all max, then random
    // (queries 12 and 13 are short vectors: exponents a few apart, so raises keep part of the sums and terms)
    Q.push(
      n === 0
        ? new Array<number>(d).fill(qMin(D))
        : n === 1
          ? new Array<number>(d).fill(qMax(D))
          : n >= 12
            ? Array.from({ length: d }, () => rng.int(-[2, 8][n % 2], [2, 8][n % 2]))
            : randVec(D, rng),
    );
    // query 10: enough keys behind query 9's held token that one sits at the V read (see the plan below)
    const behind = Math.max(2, st.finish - st.vRead);
    const m = [nB, nB, 0, 1, 0, 2, 1, nB, 3, 0, behind, Math.max(1, nB - 1)][n] ?? nB;
    if (n < 12 || n > 13) keys.push(n === 0 ? [1, 0, ...perm(nB).filter((j) => j > 1)] : perm(m));
    else {
      const score = (j: number) => Q[n].reduce((a, qi, i) => a + qi * K[j][i], 0);
      const up = perm(nB).sort((x, y) => score(x) - score(y));
      keys.push(n === 12 ? up : [...up.slice(0, -1).reverse(), up[nB - 1]]);
    }
  }
  const expected = Q.map((q, n) => queryPartial(D, q, keys[n], K, V));

  // ---- plan of S0 tokens: a preprocessing burst, then the queries (keys with gaps, then the token),
  // with norm requests sprinkled into idle S0 cycles
  const preVec = (i: number): number[] =>
    i === 0
      ? new Array<number>(d).fill(qMin(D))
      : i === 1
        ? new Array<number>(d).fill(qMax(D))
        : i === 2
          ? new Array<number>(d).fill(0)
          : randVec(D, rng);
  let preCount = 0;
  const pre = (): PlanTok => ({ kind: 'pre', x: preVec(preCount++), tag: rng.int(0, 2 ** TW - 1) });
  const plan: PlanTok[] = [];
  for (let i = 0; i < 6; i++) plan.push(pre()); // back to back
  plan.push({ kind: 'idle' }, pre(), { kind: 'idle' }, { kind: 'idle' }, pre());
  let bareTokens = 0;
  for (let n = 0; n < nQ; n++) {
    // the last key carries the end-of-query mark (as the bank sends it), for queries 0 and 6 and now and
    // then a bare token follows the keys instead; a query without keys always ends with a bare token
    const bare = keys[n].length === 0 || n === 0 || n === 6 || rng.next() < 0.15;
    keys[n].forEach((id, i) => {
      const last = !bare && i === keys[n].length - 1;
      plan.push({ kind: 'key', id, query: n, ...(last ? { last } : {}) });
      // with a stage between the V read and the accumulation (pipeline.acc), query 10's keys follow the held token
      // of query 9 without gaps (nor a norm request), so that one of its keys sits at the V read during the hold
      if (!last && rng.next() < 0.25 && !(n === 10 && st.finish - st.vRead > 1))
        plan.push(rng.next() < 0.3 ? pre() : { kind: 'idle' });
    });
    if (bare) {
      plan.push({ kind: 'eoq', query: n });
      if (keys[n].length > 0) bareTokens++;
    }
    // a norm request right behind a token (after the extra stages between S3 and S4): it reaches S3 while
    // the token may be held at S4
    if ((n === 3 || rng.next() < 0.3) && !(n === 9 && st.finish - st.vRead > 1)) {
      for (let g = st.finish - st.score - 1; g > 0; g--) plan.push({ kind: 'idle' });
      plan.push(pre());
    }
    // S0 idle while the token travels to S4: q_load of the next query may fall into its hold
    // (four idle cycles; with pipeline.acc = 3 until the token has reached the accumulation stage)
    if (n === 4 || n === 7)
      for (let g = D.cfg.pipeline.acc >= 3 ? st.finish + 1 : 4; g > 0; g--) plan.push({ kind: 'idle' });
    // queries 2→3→4 and 9→10 follow back to back (tokens one or two cycles apart: hold for sure)
    if (![2, 3, 9].includes(n))
      for (let g = rng.int(0, 3); g > 0; g--) plan.push(rng.next() < 0.2 ? pre() : { kind: 'idle' });
  }

  // ---- run
  const m = new AttentionModel(st);
  const cycles: Cycle[] = [];
  const inputs = (o: Record<string, bigint | number>) => ({
    rst: 0,
    q_load: 0,
    q_vec: packBus(randVec(D, rng), D.qkv.bits),
    q_swap: 0,
    in_valid: 0,
    in_eoq: 0,
    in_id: rng.int(0, 2 ** D.bank.keyIndex.bits - 1),
    pre_valid: 0,
    pre_k: packBus(randVec(D, rng), D.qkv.bits),
    pre_tag: rng.int(0, 2 ** TW - 1),
    k_row: packBus(randVec(D, rng), D.qkv.bits),
    v_row: packBus(randVec(D, rng), D.qkv.bits),
    part_clear: 0,
    ...o,
  });
  cycles.push({ in: inputs({ rst: 1 }), out: {} });

  // part_clear delay after part_full rises, per query; queries 3 and 6 are left long so that the
  // tokens of 4 and 7 are held at S4, and queries 5 and 8 are loaded only then (or at the latest with
  // the previous query's end mark)
  const clearDelays = [0, 7, 1, 15, 3, 0, 40, 2, 5, 15, 1, 4];
  const LOAD_IN_HOLD = [5, 8];
  let clearAt = -1;
  let loaded = -1; // last query loaded into q_next
  let swapped = -1; // last query moved into q_att
  const loadCycle: number[] = [];
  let eoqIssued = -1; // last query whose end-of-query token entered S0
  let qLoadInHold = 0;
  let clearOnFinish = 0;
  let partChecks = 0;
  let keyAtS3InHold = 0;
  let preAtS3InHold = 0;
  let pi = 0;
  for (let c = 1; ; c++) {
    if (c > 20000) throw new Error('attention trace did not terminate');
    if (pi >= plan.length && m.empty && !m.partFull && eoqIssued === nQ - 1) break;
    // part_clear: a scheduled delay after part_full rises, plus noise while part_full is low
    const partClear = c === clearAt || (!m.partFull && rng.next() < 0.15);
    m.clearNow = partClear;
    const hold = m.hold;
    // S0 token of this cycle
    let tok: PlanTok = { kind: 'idle' };
    if (!hold && pi < plan.length) tok = plan[pi++];
    const tokQuery = tok.kind === 'key' || tok.kind === 'eoq' ? tok.query : -1;
    const endsHere = tok.kind === 'eoq' || (tok.kind === 'key' && tok.last === true);
    if (tokQuery > loaded) throw new Error(`plan: query ${tokQuery} at S0 before its q_load`);
    // q_swap of the next query (outside holds, as the bank gates it): once it sits in q_next and the
    // previous query's end mark entered S0 in an earlier cycle; at the latest with its first token
    const sw = swapped + 1;
    let qSwap = false;
    if (sw < nQ && !hold && loaded >= sw && loadCycle[sw] < c && eoqIssued >= sw - 1)
      qSwap = tokQuery === sw || rng.next() < 0.3;
    if (tokQuery > swapped && !(qSwap && tokQuery === sw))
      throw new Error(`plan: query ${tokQuery} at S0 before its q_swap`);
    // q_load of the one after: once q_next is free (its predecessor swapped, this cycle counts), at the
    // latest in the cycle before its first token; sometimes early, often during a hold
    let qLoad: number | null = null;
    const next = loaded + 1;
    if (next < nQ && swapped + (qSwap ? 1 : 0) >= next - 1) {
      const upcoming = plan[pi];
      const mustNow =
        upcoming !== undefined && (upcoming.kind === 'key' || upcoming.kind === 'eoq') && upcoming.query === next;
      const early = hold ? 0.9 : LOAD_IN_HOLD.includes(next) ? 0 : 0.3;
      if (mustNow || rng.next() < early) qLoad = next;
    }
    const s0: Slot = tok.kind === 'idle' ? null : tok;
    const s1 = m.s1,
      vIn = m.vIn;
    const inp = inputs({
      q_load: qLoad !== null ? 1 : 0,
      ...(qLoad !== null ? { q_vec: packBus(Q[qLoad], D.qkv.bits) } : {}),
      q_swap: qSwap ? 1 : 0,
      ...(tok.kind === 'key' ? { in_valid: 1, in_id: tok.id, in_eoq: tok.last ? 1 : 0 } : {}),
      ...(tok.kind === 'eoq' ? { in_eoq: 1 } : {}),
      ...(tok.kind === 'pre' ? { pre_valid: 1, pre_k: packBus(tok.x, D.qkv.bits), pre_tag: tok.tag } : {}),
      ...(s1?.kind === 'key' ? { k_row: packBus(K[s1.id], D.qkv.bits) } : {}),
      ...(vIn?.kind === 'key' ? { v_row: packBus(V[vIn.id], D.qkv.bits) } : {}),
      part_clear: partClear ? 1 : 0,
    });
    const s3 = m.s3,
      vRead = m.vRead;
    if (hold && vRead?.kind === 'key') keyAtS3InHold++;
    if (hold && s3?.kind === 'pre') preAtS3InHold++;
    const out: Record<string, bigint | number | null> = {
      hold: hold ? 1 : 0,
      v_re: m.vRe ? 1 : 0,
      v_raddr: m.vRe && vRead?.kind === 'key' ? vRead.id : null,
      sumsq_valid: m.sumsqValid ? 1 : 0,
      sumsq: m.sumsqValid && s3?.kind === 'pre' ? sumSquares(s3.x) : null,
      sumsq_tag: m.sumsqValid && s3?.kind === 'pre' ? s3.tag : null,
      part_full: m.partFull ? 1 : 0,
      ...partOut(D, m.partFull ? (m.partQuery < 0 ? emptyPartial(d) : expected[m.partQuery]) : null),
    };
    if (m.partFull) partChecks++;
    cycles.push({ in: inp, out });
    if (hold && qLoad !== null && keys[qLoad].length > 0) qLoadInHold++;
    if (endsHere) eoqIssued = tokQuery;
    if (qSwap) swapped = sw;
    if (qLoad !== null) {
      loaded = qLoad;
      loadCycle[qLoad] = c;
    }
    const fin = m.edge(s0, partClear, qLoad, qSwap);
    if (fin >= 0 && partClear) clearOnFinish++;
    if (fin >= 0) clearAt = c + 1 + (clearDelays[m.partQuery] ?? 1);
  }
  for (let i = 0; i < 3; i++) {
    cycles.push({ in: inputs({}), out: { hold: 0, v_re: 0, sumsq_valid: 0, part_full: 0 } });
  }
  return {
    trace: { module: 'elsa_attention', ...tracePorts(attentionModule.ports!(D)), cycles },
    queries: nQ,
    finishes: m.finishes,
    holdCycles: m.holdCycles,
    bareTokens,
    qLoadInHold,
    clearOnFinish,
    keyAtS3InHold,
    preAtS3InHold,
    preRequests: preCount,
    partChecks,
  };
}
