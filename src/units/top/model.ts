// The whole-datapath fixed-point model: the unit models composed as the top level connects the units.
// The specification the RTL must match bit for bit (contract: ./README.md).
import type { DesignSpec } from '../design.ts';
import { saturate } from '../../spec/arith.ts';
import { hashFixed } from '../hash/model.ts';
import {
  bestThreshold,
  estimate,
  estimateBin,
  hamming,
  histShift,
  isCandidate,
  thresholdRegister,
  topmBin,
  topmThreshold,
} from '../cand_sel/model.ts';
import { keyNorm } from '../norm/model.ts';
import { bankOrder, bankSize, type BankRun } from '../bank/model.ts';
import { accumulate, emptyPartial, expUnit, type Partial } from '../attention/model.ts';
import { outputDivision } from '../output_div/model.ts';

/** Real → Q/K/V integer: round to nearest (ties away from zero), saturate to the qkv width. */
export function quantize(x: number, D: DesignSpec): number {
  const v = Math.sign(x) * Math.round(Math.abs(x) * 2 ** D.qkv.frac);
  return saturate(v, D.qkv.bits);
}
/** quantize() for one design, its constants computed once (the evaluations quantise millions of values). */
export function quantizer(D: DesignSpec): (x: number) => number {
  const scale = 2 ** D.qkv.frac;
  const lo = -(2 ** (D.qkv.bits - 1));
  const hi = 2 ** (D.qkv.bits - 1) - 1;
  return (x) => {
    const v = Math.sign(x) * Math.round(Math.abs(x) * scale);
    return Math.max(lo, Math.min(hi, v));
  };
}
export const quantizeRows = (m: number[][], D: DesignSpec): number[][] => m.map((r) => r.map((x) => quantize(x, D)));

/** Threshold t (real, [-2, 2)) → signed tW-bit integer with simF fraction bits (round, saturate). */
export function quantizeThreshold(t: number, D: DesignSpec): number {
  return saturate(Math.round(t * 2 ** D.candSel.simFrac), D.candSel.threshold.bits);
}

export interface QueryTrace {
  hash: number[];
  candidates: boolean[]; // per key y < n
  banks: (BankRun & { partial: Partial })[];
  out: number[];
}
export interface InvocationTrace {
  keyHash: number[][];
  keyNorm: number[];
  maxNorm: number;
  thr: number;
  queries: QueryTrace[];
  out: number[][];
}

/** Fixed-point ELSA attention for one invocation: K, V (n×d ints), Q (n×d ints), threshold t_q and, in
 *  top-m mode, m: per query the keys whose estimate bin is at least the bin of the m-th largest estimate
 *  (src/units/cand_sel/README.md), and whose estimate is at least t_q·max‖k‖. With emptySet = 'best' the
 *  threshold is at most the largest estimate of the query, so no query selects nothing. */
export function elsaFixed(
  D: DesignSpec,
  K: number[][],
  V: number[][],
  Q: number[][],
  tQ: number,
  m = 0,
): InvocationTrace {
  const n = K.length;
  const { pA } = D.cfg;
  const keyHash = K.map((k) => hashFixed(D, k));
  const norms = K.map(keyNorm);
  const maxNorm = Math.max(0, ...norms);
  const thr = thresholdRegister(tQ, maxNorm);
  const topm = D.candSel.topm;
  const shift = topm ? histShift(D, maxNorm) : 0;
  const queries = Q.map((q) => {
    const hash = hashFixed(D, q);
    const hams = keyHash.map((kh) => hamming(hash, kh));
    const est = hams.map((h, y) => estimate(D, h, norms[y]));
    let qThr = thr;
    if (topm) {
      const hist = new Array<number>(topm.bins).fill(0);
      for (const e of est) hist[estimateBin(D, e, shift)]++;
      qThr = topmThreshold(D, topmBin(hist, m), shift, thr);
    }
    if (D.candSel.best) qThr = bestThreshold(qThr, Math.max(...est));
    const candidates = hams.map((h, y) => isCandidate(D, h, norms[y], qThr));
    const banks = Array.from({ length: pA }, (_, b) => {
      const nb = bankSize(D, b, n);
      const mask = Array.from({ length: nb }, (_, j) => candidates[b + pA * j]);
      const run = bankOrder(D, mask);
      const partial = emptyPartial(D.cfg.d);
      for (const j of run.order) {
        const y = b + pA * j;
        const score = q.reduce((s, qi, i) => s + qi * K[y][i], 0);
        accumulate(D, partial, expUnit(D, score), V[y]);
      }
      return { ...run, partial };
    });
    return {
      hash,
      candidates,
      banks,
      out: outputDivision(
        D,
        banks.map((b) => b.partial),
      ),
    };
  });
  return { keyHash, keyNorm: norms, maxNorm, thr, queries, out: queries.map((q) => q.out) };
}

/** What an evaluation needs of one invocation: the output rows and each query's candidate count. */
export interface InvocationOut {
  out: Float64Array[];
  /** number of candidate keys per query */
  selected: Int32Array;
}

/** `elsaFixed` without the trace, for evaluations: the same outputs bit for bit (src/units/top/model.test.ts
 *  compares them), computed with flat typed arrays, packed hash words and no BigInt where the product fits
 *  a double exactly. Rows are any array-likes of integers. */
export function elsaFixedOut(
  D: DesignSpec,
  K: ArrayLike<number>[],
  V: ArrayLike<number>[],
  Q: ArrayLike<number>[],
  tQ: number,
  m = 0,
): InvocationOut {
  return fixedFast(D, K, V, Q, tQ, m, null);
}

/** What the golden stimulus and the cycle model need of an invocation: the output rows, max‖k‖, and per query
 *  its candidates and each bank's selection run. `InvocationTrace` holds all of it. */
export interface InvocationRun {
  maxNorm: number;
  queries: { candidates: boolean[]; banks: BankRun[] }[];
  out: number[][];
}

/** `elsaFixed` through the fast path of `elsaFixedOut`, keeping only the fields of InvocationRun (equal to
 *  elsaFixed's, src/units/top/model.test.ts): the stimulus of `elsa-gen sim` without the partials' trace. */
export function elsaFixedRun(
  D: DesignSpec,
  K: number[][],
  V: number[][],
  Q: number[][],
  tQ: number,
  m = 0,
): InvocationRun {
  const queries: InvocationRun['queries'] = [];
  const r = fixedFast(D, K, V, Q, tQ, m, queries);
  return { maxNorm: r.maxNorm, queries, out: r.out.map((o) => Array.from(o)) };
}

/** elsaFixedOut's computation; with `runs`, each query's candidates and bank runs are appended to it. */
function fixedFast(
  D: DesignSpec,
  K: ArrayLike<number>[],
  V: ArrayLike<number>[],
  Q: ArrayLike<number>[],
  tQ: number,
  m: number,
  runs: InvocationRun['queries'] | null,
): InvocationOut & { maxNorm: number } {
  const n = K.length;
  const { pA, d } = D.cfg;
  const cos = D.candSel.cosTable;
  const words = (D.cfg.k + 31) >> 5;
  const pack = packedHasher(D);
  const keyHash = K.map(pack);
  const norms = K.map((k) => keyNorm(Array.from(k)));
  const maxNorm = Math.max(0, ...norms);
  const thr = thresholdRegister(tQ, maxNorm);
  const topm = D.candSel.topm;
  const shift = topm ? histShift(D, maxNorm) : 0;
  const Kf = new Float64Array(n * d);
  const Vf = new Float64Array(n * d);
  for (let y = 0; y < n; y++)
    for (let i = 0; i < d; i++) {
      Kf[y * d + i] = K[y]![i]!;
      Vf[y * d + i] = V[y]![i]!;
    }
  const ex = D.attention.exp;
  const expK: ExpConsts = {
    c: ex.constant,
    eMax: ex.exponentMax,
    mF: 2 ** ex.mantissaFrac,
    yDiv: 2 ** ex.y.frac,
    idxDiv: 2 ** (ex.y.frac - ex.mantissaFrac),
    table: Float64Array.from(ex.table),
    G: 2 ** D.attention.accGuard,
    inv: Float64Array.from({ length: 2 * ex.exponentMax + 1 }, (_, s) => 2 ** -s),
  };
  const qf = new Float64Array(d);
  const est = new Float64Array(n);
  const hams = new Int32Array(n);
  const hist = topm ? new Array<number>(topm.bins).fill(0) : [];
  // one bank's partial: started, exponent, Σe, Σe·v (the accumulate() of attention/model.ts, inlined)
  const pStarted = new Uint8Array(pA);
  const pE = new Float64Array(pA);
  const pS = new Float64Array(pA);
  const pO = Array.from({ length: pA }, () => new Float64Array(d));
  const selected = new Int32Array(Q.length);
  // one candidate mask per bank, rewritten for every query (bankOrder keeps no reference)
  const masks = Array.from({ length: pA }, (_, b) => new Array<boolean>(bankSize(D, b, n)).fill(false));
  // bankOrder() is a function of the mask alone: a bank with every key or no key a candidate (exact attention,
  // a threshold above every estimate) has the same run in every query
  const uniform = new Map<string, BankRun>();
  const out = Q.map((q, x) => {
    const hash = pack(q);
    for (let i = 0; i < d; i++) qf[i] = q[i]!;
    for (let y = 0; y < n; y++) {
      const kh = keyHash[y]!;
      let h = 0;
      for (let w = 0; w < words; w++) h += popcount(hash[w]! ^ kh[w]!);
      hams[y] = h;
      est[y] = norms[y]! * cos[h]!;
    }
    let qThr = thr;
    if (topm) {
      hist.fill(0);
      for (let y = 0; y < n; y++) hist[estimateBin(D, est[y]!, shift)]++;
      qThr = topmThreshold(D, topmBin(hist, m), shift, thr);
    }
    if (D.candSel.best) {
      let mx = -Infinity;
      for (let y = 0; y < n; y++) if (est[y]! > mx) mx = est[y]!;
      qThr = bestThreshold(qThr, mx);
    }
    let count = 0;
    const banks: BankRun[] = [];
    const candidates = runs ? new Array<boolean>(n) : null;
    for (let b = 0; b < pA; b++) {
      const nb = bankSize(D, b, n);
      const mask = masks[b]!;
      let inBank = 0;
      for (let j = 0; j < nb; j++) {
        const y = b + pA * j;
        const c = norms[y]! * cos[hams[y]!]! >= qThr;
        mask[j] = c;
        if (candidates) candidates[y] = c;
        if (c) inBank++;
      }
      count += inBank;
      const key = inBank === 0 || inBank === nb ? `${nb} ${inBank}` : null;
      let run = key === null ? undefined : uniform.get(key);
      if (!run) {
        run = bankOrder(D, mask);
        if (key !== null) uniform.set(key, run);
      }
      if (runs) banks.push(run);
      const st = bankPartial(run.order, b, pA, qf, Kf, Vf, d, expK, pO[b]!.fill(0));
      pStarted[b] = st.started;
      pE[b] = st.e;
      pS[b] = st.s;
    }
    selected[x] = count;
    if (runs && candidates) runs.push({ candidates, banks });
    return divide(D, pStarted, pE, pS, pO, expK.inv);
  });
  return { out, selected, maxNorm };
}

/** hashFixed() of one design compiled to flat arrays, bits packed 32 to a word (hash bit j: word j >> 5,
 *  bit j & 31). The sums are exact integers, as in hashFixed, so the bits are the same. */
function packedHasher(D: DesignSpec): (x: ArrayLike<number>) => Int32Array {
  const H = D.hash;
  const ops = H.steps.flatMap((st) => st.lanes.map((op) => ({ st, op })));
  const mode = Int32Array.from(ops, (o) => o.st.mode);
  const dst = Int32Array.from(ops, (o) => o.op.dst);
  const bit = Int32Array.from(ops, (o) => (o.st.mode === H.factors.length - 1 ? o.st.block * H.kb + o.op.dst : -1));
  const start = new Int32Array(ops.length + 1);
  ops.forEach((o, i) => (start[i + 1] = start[i]! + o.op.src.length));
  const src = Int32Array.from(ops.flatMap((o) => o.op.src));
  const coef = Float64Array.from(ops.flatMap((o) => o.op.coef));
  const bufs = H.modeLen.map((n) => new Float64Array(n));
  const words = (D.cfg.k + 31) >> 5;
  return (x) => {
    for (let m = 1; m < bufs.length; m++) bufs[m]!.fill(0);
    bufs[0]!.set(x);
    const h = new Int32Array(words);
    for (let i = 0; i < ops.length; i++) {
      const a = bufs[mode[i]!]!;
      let s = 0;
      for (let t = start[i]!; t < start[i + 1]!; t++) s += coef[t]! * a[src[t]!]!;
      bufs[mode[i]! + 1]![dst[i]!] = s;
      const b = bit[i]!;
      if (b >= 0 && s >= 0) h[b >> 5] |= 1 << (b & 31);
    }
    return h;
  };
}

interface ExpConsts {
  c: number;
  eMax: number;
  mF: number;
  yDiv: number;
  idxDiv: number;
  table: Float64Array;
  G: number;
  /** inv[s] = 2^-s for the exponent differences 0..2·eMax */
  inv: Float64Array;
}

/** One bank's partial for one query (expUnit() and accumulate() of attention/model.ts over the bank's keys in
 *  `order`, inlined): o gets Σe·v; returns started, the exponent E and Σe. x / 2^s is computed as x · 2^-s,
 *  the same double (a power of two) without a division. */
function bankPartial(
  order: number[],
  b: number,
  pA: number,
  q: Float64Array,
  Kf: Float64Array,
  Vf: Float64Array,
  d: number,
  ex: ExpConsts,
  o: Float64Array,
): { started: number; e: number; s: number } {
  let started = 0;
  let E = 0;
  let S = 0;
  // the scores first, four keys at a time (exact integers: the order of the sums does not matter)
  const scores = new Float64Array(order.length);
  let t = 0;
  for (; t + 3 < order.length; t += 4) {
    const y0 = (b + pA * order[t]!) * d;
    const y1 = (b + pA * order[t + 1]!) * d;
    const y2 = (b + pA * order[t + 2]!) * d;
    const y3 = (b + pA * order[t + 3]!) * d;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < d; i++) {
      const x = q[i]!;
      s0 += x * Kf[y0 + i]!;
      s1 += x * Kf[y1 + i]!;
      s2 += x * Kf[y2 + i]!;
      s3 += x * Kf[y3 + i]!;
    }
    scores[t] = s0;
    scores[t + 1] = s1;
    scores[t + 2] = s2;
    scores[t + 3] = s3;
  }
  for (; t < order.length; t++) {
    const y = (b + pA * order[t]!) * d;
    let s0 = 0;
    for (let i = 0; i < d; i++) s0 += q[i]! * Kf[y + i]!;
    scores[t] = s0;
  }
  for (let t = 0; t < order.length; t++) {
    const y = (b + pA * order[t]!) * d;
    const yv = scores[t]! * ex.c;
    const e = Math.max(-ex.eMax, Math.min(ex.eMax, Math.floor(yv / ex.yDiv)));
    const fl = Math.floor(yv / ex.idxDiv);
    // (fl mod mF + mF) mod mF; a power of two, so the low bits where fl fits an int32
    const idx = Math.abs(fl) < 2 ** 31 ? fl & (ex.mF - 1) : ((fl % ex.mF) + ex.mF) % ex.mF;
    const M = (ex.mF + ex.table[idx]!) * ex.G;
    if (!started || e > E) {
      const inv = ex.inv[started ? e - E : 0]!;
      S = Math.floor(S * inv) + M;
      for (let i = 0; i < d; i++) o[i] = Math.floor(o[i]! * inv) + M * Vf[y + i]!;
      E = e;
      started = 1;
    } else {
      const inv = ex.inv[E - e]!;
      S = S + Math.floor(M * inv);
      // the same exponent: M·v is an integer (table, guard and v are), so the floor is the product itself
      if (e === E) for (let i = 0; i < d; i++) o[i] = o[i]! + M * Vf[y + i]!;
      else for (let i = 0; i < d; i++) o[i] = o[i]! + Math.floor(M * Vf[y + i]! * inv);
    }
  }
  return { started, e: E, s: S };
}

const popcount = (v: number): number => {
  let x = v - ((v >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
};

const LIM = 2 ** 53;

/** (x·r + 2^(s−1)) >> s for integers x, r ≥ 0 and s ≥ 1, as outputDivision() computes it in BigInt: in
 *  doubles while every intermediate is exact (below 2^53), BigInt only beyond. */
export function mulRoundShift(x: number, r: number, s: number): number {
  const half = 2 ** (s - 1);
  const prod = x * r;
  if (s >= 1 && Math.abs(prod) + half < LIM) return Math.floor((prod + half) / 2 ** s);
  // x·r + half = (xh·r + ch)·2^16 + cl with x = xh·2^16 + xl, c = xl·r + half = ch·2^16 + cl (0 ≤ xl, cl <
  // 2^16), so for s ≥ 16 the result is floor((xh·r + ch) / 2^(s − 16)), exact while each term is below 2^53
  const xh = Math.floor(x / 65536);
  const c = (x - xh * 65536) * r + half;
  const ch = Math.floor(c / 65536);
  const a = xh * r;
  if (s >= 16 && Math.abs(a) < LIM && c < LIM) return Math.floor((a + ch) / 2 ** (s - 16));
  return Number((BigInt(x) * BigInt(r) + (1n << BigInt(s - 1))) >> BigInt(s));
}

/** outputDivision() of output_div/model.ts over flat partials, the product O·recip in a double when it is
 *  exact there (below 2^53), else in BigInt. */
function divide(
  D: DesignSpec,
  started: Uint8Array,
  pE: Float64Array,
  pS: Float64Array,
  pO: Float64Array[],
  inv2: Float64Array,
) {
  const d = D.cfg.d;
  const o = new Float64Array(d);
  let E = -Infinity;
  for (let b = 0; b < started.length; b++) if (started[b] && pE[b]! > E) E = pE[b]!;
  if (E === -Infinity) return o;
  let S = 0;
  for (let b = 0; b < started.length; b++) {
    if (!started[b]) continue;
    const inv = inv2[E - pE[b]!]!; // 2^-(E − e_b): the same double as dividing by 2^(E − e_b)
    S += Math.floor(pS[b]! * inv);
    const p = pO[b]!;
    for (let i = 0; i < d; i++) o[i] = o[i]! + Math.floor(p[i]! * inv);
  }
  const pBit = Math.floor(Math.log2(S));
  const msb = 2 ** pBit > S ? pBit - 1 : 2 ** (pBit + 1) <= S ? pBit + 1 : pBit;
  const f = Math.floor(S / 2 ** (msb - D.outputDiv.recipIndexBits)) % 2 ** D.outputDiv.recipIndexBits;
  const recip = D.outputDiv.recipTable[f]!;
  const shN = D.outputDiv.recip.frac + msb + D.qkv.frac - D.out.frac;
  const lo = -(2 ** (D.out.bits - 1));
  const hi = 2 ** (D.out.bits - 1) - 1;
  const half = 2 ** (shN - 1);
  const inv = 2 ** -shN;
  for (let i = 0; i < d; i++) {
    // mulRoundShift's first case inline (x / 2^s as x · 2^-s, the same double)
    const prod = o[i]! * recip;
    const r =
      shN >= 1 && Math.abs(prod) + half < LIM ? Math.floor((prod + half) * inv) : mulRoundShift(o[i]!, recip, shN);
    o[i] = Math.max(lo, Math.min(hi, r)); // saturate(r, outW)
  }
  return o;
}
