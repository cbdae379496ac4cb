// The bit-exact fixed-point model of the ELSA datapath: the specification the RTL must match.
// Every value is an integer; the comment beside each function names its width and rounding.
// Widths come from DesignSpec (src/gen/derive.ts) so model and templates cannot drift.
import type { DesignSpec } from '../units/design.ts';

/** floor(x / 2^s) for integers held exactly in a Number (|x| < 2^53): arithmetic shift right. */
export const sra = (x: number, s: number): number => Math.floor(x / 2 ** s);
/** Wrap an integer into a signed w-bit value (two's complement), as a Verilog assignment would. */
export function wrapSigned(x: number, w: number): number {
  const m = 2 ** w;
  const r = ((x % m) + m) % m;
  return r >= m / 2 ? r - m : r;
}
export const saturate = (x: number, w: number): number => Math.max(-(2 ** (w - 1)), Math.min(2 ** (w - 1) - 1, x));

/** Real → Q/K/V integer: round to nearest (ties away from zero), saturate to the qkv width. */
export function quantize(x: number, D: DesignSpec): number {
  const v = Math.sign(x) * Math.round(Math.abs(x) * 2 ** D.qkv.frac);
  return saturate(v, D.qkv.bits);
}
export const quantizeRows = (m: number[][], D: DesignSpec): number[][] => m.map((r) => r.map((x) => quantize(x, D)));

/** Threshold t (real, [-2, 2)) → signed tW-bit integer with simF fraction bits (round, saturate). */
export function quantizeThreshold(t: number, D: DesignSpec): number {
  return saturate(Math.round(t * 2 ** D.candSel.simFrac), D.candSel.threshold.bits);
}

// ---------------------------------------------------------------- hash
/** Kronecker hash, executed exactly as the hash unit's step schedule does: exact integer sums
 *  (bufW bits never overflow), bit j = 1 when projection j ≥ 0. Returns k bits, bit j at index j. */
export function hashFixed(D: DesignSpec, x: number[]): number[] {
  const H = D.hash;
  const bits: number[] = new Array(D.cfg.k).fill(0);
  let bufs: number[][] = [];
  for (const step of H.steps) {
    if (step.mode === 0 && bufs.length === 0) bufs = [x.slice(), ...H.modeLen.slice(1).map((n) => new Array<number>(n).fill(0))];
    for (const op of step.lanes) {
      let s = 0;
      for (let t = 0; t < op.src.length; t++) s += op.coef[t] * bufs[step.mode][op.src[t]];
      bufs[step.mode + 1][op.dst] = s;
      if (step.mode === H.factors.length - 1) bits[step.block * H.kb + op.dst] = s >= 0 ? 1 : 0;
    }
  }
  return bits;
}

export function hamming(a: number[], b: number[]): number {
  let h = 0;
  for (let i = 0; i < a.length; i++) h += a[i] ^ b[i];
  return h;
}

// ---------------------------------------------------------------- norms and threshold
/** Σ x_i² (the shared dot-product unit with both operands = k), unsigned normSqW bits, 2·qF frac. */
export const sumSquares = (x: number[]): number => x.reduce((s, v) => s + v * v, 0);
/** floor(sqrt(v)): the restoring square-root pipeline; normW bits, qF fraction bits. */
export function isqrt(v: number): number {
  let r = Math.floor(Math.sqrt(v));
  while (r * r > v) r--;
  while ((r + 1) * (r + 1) <= v) r++;
  return r;
}
export const keyNorm = (k: number[]): number => isqrt(sumSquares(k));
/** Threshold register: t_q · max‖k‖ (signed thrW bits, simF + qF fraction bits). */
export const thresholdRegister = (tQ: number, maxNorm: number): number => tQ * maxNorm;
/** Candidate test: ‖k‖ · cos_table[ham] ≥ t_q · max‖k‖. (≥, so t = -2 selects every key, even zero keys.) */
export const isCandidate = (D: DesignSpec, ham: number, normK: number, thr: number): boolean => normK * D.candSel.cosTable[ham] >= thr;

// ---------------------------------------------------------------- banks and arbitration
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

// ---------------------------------------------------------------- exp unit
export interface ExpOut { e: number; m: number } // value = (2^mF + m) · 2^(e - mF)
/** e^(score·scale) = 2^y, y = score·expC (expYF frac bits). e = floor(y) saturated to ±expEmax,
 *  m = table[top mF fraction bits of y] (2^frac - 1 rounded to mF bits). */
export function expUnit(D: DesignSpec, score: number): ExpOut {
  const y = score * D.attention.exp.constant;
  const e = Math.max(-D.attention.exp.exponentMax, Math.min(D.attention.exp.exponentMax, sra(y, D.attention.exp.y.frac)));
  const idx = sra(y, D.attention.exp.y.frac - D.attention.exp.mantissaFrac) % 2 ** D.attention.exp.mantissaFrac;
  return { e, m: D.attention.exp.table[(idx + 2 ** D.attention.exp.mantissaFrac) % 2 ** D.attention.exp.mantissaFrac] };
}

// ---------------------------------------------------------------- block-exponent accumulation
/** One bank's partial result: Σe and Σe·v scaled by 2^(accG - E) (E = largest exponent seen). */
export interface Partial { started: boolean; e: number; s: number; o: number[] }
export const emptyPartial = (d: number): Partial => ({ started: false, e: 0, s: 0, o: new Array(d).fill(0) });

/** Accumulate one term: M = 2^mF + m; if e > E the accumulators shift right by e - E (floor) first,
 *  else the new term shifts right by E - e (floor). S is unsigned accSW bits, O signed accOW bits. */
export function accumulate(D: DesignSpec, p: Partial, x: ExpOut, v: number[]): void {
  const M = 2 ** D.attention.exp.mantissaFrac + x.m;
  const G = D.attention.accGuard;
  if (!p.started || x.e > p.e) {
    const sh = p.started ? x.e - p.e : 0;
    p.s = sra(p.s, sh) + M * 2 ** G;
    for (let i = 0; i < v.length; i++) p.o[i] = sra(p.o[i], sh) + M * v[i] * 2 ** G;
    p.e = x.e;
    p.started = true;
  } else {
    const sh = p.e - x.e;
    p.s += sra(M * 2 ** G, sh);
    for (let i = 0; i < v.length; i++) p.o[i] += sra(M * v[i] * 2 ** G, sh);
  }
}

// ---------------------------------------------------------------- output division
/** Reduce the P_a partials (align to the largest exponent, floor shifts), then o_i = O_i / S:
 *  S normalised to 2^p·(1.f), f = recipIdxBits bits (truncated), recip = table[f] (recipF frac bits),
 *  o = round-half-up(O_i · recip / 2^(recipF + p + qF - outF)), saturated to outW bits.
 *  No candidate in any bank → o = 0 (defined behaviour, see README). */
export function outputDivision(D: DesignSpec, parts: Partial[]): number[] {
  const d = D.cfg.d;
  const live = parts.filter((p) => p.started);
  if (live.length === 0) return new Array(d).fill(0);
  const E = Math.max(...live.map((p) => p.e));
  let S = 0;
  const O = new Array<number>(d).fill(0);
  for (const p of live) {
    S += sra(p.s, E - p.e);
    for (let i = 0; i < d; i++) O[i] += sra(p.o[i], E - p.e);
  }
  const pBit = Math.floor(Math.log2(S));
  const msb = 2 ** pBit > S ? pBit - 1 : 2 ** (pBit + 1) <= S ? pBit + 1 : pBit; // guard float log2 at powers of 2
  const f = sra(S, msb - D.outputDiv.recipIndexBits) % 2 ** D.outputDiv.recipIndexBits;
  const recip = BigInt(D.outputDiv.recipTable[f]);
  const sh = BigInt(D.outputDiv.recip.frac + msb + D.qkv.frac - D.out.frac);
  return O.map((o) => {
    const prod = BigInt(o) * recip;
    const r = (prod + (1n << (sh - 1n))) >> sh;
    return saturate(Number(r), D.out.bits);
  });
}

// ---------------------------------------------------------------- whole invocation
export interface QueryTrace {
  hash: number[];
  candidates: boolean[];          // per key y < n
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

/** Fixed-point ELSA attention for one invocation: K, V (n×d ints), Q (m×d ints), threshold t_q. */
export function elsaFixed(D: DesignSpec, K: number[][], V: number[][], Q: number[][], tQ: number): InvocationTrace {
  const n = K.length;
  const { pA } = D.cfg;
  const keyHash = K.map((k) => hashFixed(D, k));
  const norms = K.map(keyNorm);
  const maxNorm = Math.max(0, ...norms);
  const thr = thresholdRegister(tQ, maxNorm);
  const queries = Q.map((q) => {
    const hash = hashFixed(D, q);
    const candidates = keyHash.map((kh, y) => isCandidate(D, hamming(hash, kh), norms[y], thr));
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
    return { hash, candidates, banks, out: outputDivision(D, banks.map((b) => b.partial)) };
  });
  return { keyHash, keyNorm: norms, maxNorm, thr, queries, out: queries.map((q) => q.out) };
}
