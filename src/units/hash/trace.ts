// Cycle traces for the hash computation module (elsa_hash), from the fixed-point model hashFixed().
// The trace carries its own cycle model of the handshake: start accepted when busy is low; the issue slots
// of a vector follow (S = D.hash.cycles without pipeline stages), busy in all of them (or, with D.hash.overlap
// or pipeline stages, in all but the last, where the next start is taken); done D.hash.latency cycles after
// the start with the new hash, which then holds.
import type { DesignSpec } from '../design.ts';
import { Rng } from '../../spec/rng.ts';
import { hashFixed } from './model.ts';
import { packBus, type Cycle, type Trace } from '../../sim/trace.ts';
import { tracePorts } from '../module.ts';
import { hashModule } from './rtl.ts';

const qMin = (D: DesignSpec): number => -(2 ** (D.qkv.bits - 1));
const qMax = (D: DesignSpec): number => 2 ** (D.qkv.bits - 1) - 1;
const randVec = (D: DesignSpec, rng: Rng): number[] => Array.from({ length: D.cfg.d }, () => rng.int(qMin(D), qMax(D)));

/** Row j of block b of the full quantised hash matrix: A_b = coef[b][0] ⊗ … ⊗ coef[b][L-1],
 *  mode 0 the most significant digit of both the row and the column index (as the schedule walks it). */
export function kronRow(D: DesignSpec, b: number, j: number): number[] {
  const H = D.hash;
  const L = H.factors.length;
  return Array.from({ length: D.cfg.d }, (_, i) => {
    let a = 1;
    let ii = i;
    let jj = j;
    for (let m = L - 1; m >= 0; m--) {
      a *= H.coefs[b][m][jj % H.rows[m]][ii % H.factors[m]];
      ii = Math.floor(ii / H.factors[m]);
      jj = Math.floor(jj / H.rows[m]);
    }
    return a;
  });
}

/** Projection j (all blocks, j = block·kb + row) computed directly as a dot product with A's row. */
export function projection(D: DesignSpec, x: number[], j: number): number {
  const row = kronRow(D, Math.floor(j / D.hash.kb), j % D.hash.kb);
  return row.reduce((s, a, i) => s + a * x[i], 0);
}

/** Input vectors: the extremes first (all min, all max, zeros, alternating), then per-row worst cases
 *  (x_i = ±full scale with the sign of A_ji: the largest |projection| the buffers must hold), one-hot
 *  impulses (projections that are exactly 0 for zero coefficients), then uniform random vectors. */
export function hashVectors(D: DesignSpec, seed: number, count: number): number[][] {
  const rng = new Rng(seed);
  const d = D.cfg.d;
  const lo = qMin(D);
  const hi = qMax(D);
  const out: number[][] = [
    new Array<number>(d).fill(lo),
    new Array<number>(d).fill(hi),
    new Array<number>(d).fill(0),
    Array.from({ length: d }, (_, i) => (i % 2 ? lo : hi)),
  ];
  for (let n = 0; n < 3; n++) {
    const j = rng.int(0, D.cfg.k - 1);
    const row = kronRow(D, Math.floor(j / D.hash.kb), j % D.hash.kb);
    out.push(
      row.map((a) => (a >= 0 ? hi : lo)),
      row.map((a) => (a >= 0 ? lo : hi)),
    );
  }
  const hot = rng.int(0, d - 1);
  out.push(Array.from({ length: d }, (_, i) => (i === hot ? 1 : 0)));
  out.push(Array.from({ length: d }, () => (rng.next() < 0.5 ? lo : hi)));
  while (out.length < count) out.push(randVec(D, rng));
  return out.slice(0, Math.max(count, 1));
}

export interface HashTraceInfo {
  trace: Trace;
  /** Cycle index of every accepted start and of the done that answers it (the lost one has done -1). */
  accepted: { cycle: number; done: number }[];
}

/** The hash unit's trace: `vectors` are started (a count = hashVectors(D, seed, count)). The first
 *  third back to back (start in the done cycle), the rest after random idle gaps, with spurious starts
 *  while busy; one reset in the middle of a computation (with start high: reset wins). */
export function hashTraceInfo(D: DesignSpec, seed: number, vectors: number | number[][]): HashTraceInfo {
  const rng = new Rng(seed ^ 0x5a5a);
  const vecs = typeof vectors === 'number' ? hashVectors(D, seed, vectors) : vectors;
  const H = D.hash;
  const k = D.cfg.k;
  // A start is taken in the last slot when it no longer reads buffer 0 or its operands are registered.
  const takesInLast = H.stages > 0 || H.overlap;
  const slotsPerVector = H.stages ? H.period : H.cycles;
  const cycles: Cycle[] = [];
  const accepted: { cycle: number; done: number }[] = [];
  // Model state as seen in the current cycle (all outputs are registered).
  let busyLeft = 0; // issue slots still to come, this one included
  const busyOut = () => busyLeft > 1 || (busyLeft === 1 && !takesInLast);
  // vectors accepted since the last reset: done H.latency cycles after the start; pending (pipeline.hash > 0)
  // while a slot issues or a stage before the last holds one
  let flight: { cycle: number; idx: number; bits: number[] }[] = [];
  let live: number[] = [];
  const pendingOut = (c: number) => live.some((a) => c > a && c < a + H.period + H.stages);
  let hash: number[] = new Array<number>(k).fill(0);
  let haveReset = false;
  const bits = (h: number[]) => packBus(h, 1);
  const clock = (rst: number, start: number, x: number[]) => {
    const c = cycles.length;
    const finished = flight.filter((v) => v.cycle + H.latency === c);
    for (const v of finished) {
      hash = v.bits;
      accepted[v.idx].done = c;
    }
    flight = flight.filter((v) => v.cycle + H.latency !== c);
    const out = { busy: busyOut() ? 1 : 0, done: finished.length, hash: bits(hash) };
    cycles.push({
      in: { rst, start, x: packBus(x, D.qkv.bits) },
      out: haveReset ? (H.stages ? { ...out, pending: pendingOut(c) ? 1 : 0 } : out) : {},
    });
    if (rst) {
      for (const v of flight) accepted[v.idx].done = -1;
      flight = [];
      live = [];
      busyLeft = 0;
      hash = new Array<number>(k).fill(0);
      haveReset = true;
      return;
    }
    if (!haveReset) return;
    const free = !busyOut();
    if (busyLeft > 0) busyLeft--;
    if (free && start) {
      busyLeft = slotsPerVector;
      accepted.push({ cycle: c, done: -1 });
      flight.push({ cycle: c, idx: accepted.length - 1, bits: hashFixed(D, x) });
      live.push(c);
    }
  };

  clock(1, 1, randVec(D, rng));
  clock(0, 0, randVec(D, rng)); // outputs right after reset: idle, no done, hash 0
  const backToBack = Math.ceil(vecs.length / 3);
  const resetAt = Math.floor((2 * vecs.length) / 3);
  let vi = 0;
  let wait = 0;
  let resetDone = false;
  while (vi < vecs.length || busyLeft > 0 || flight.length > 0) {
    const busy = busyOut();
    if (busyLeft > 0 && !resetDone && vi === resetAt + 1 && busyLeft <= Math.ceil(slotsPerVector / 2)) {
      clock(1, 1, randVec(D, rng)); // reset mid-computation: that vector is dropped
      resetDone = true;
    } else if (!busy && vi < vecs.length) {
      if (wait === 0) {
        clock(0, 1, vecs[vi]);
        vi++;
        wait = vi < backToBack ? 0 : rng.next() < 0.3 ? 0 : rng.int(1, 4);
      } else {
        wait--;
        clock(0, 0, randVec(D, rng));
      }
    } else {
      // While busy, x changes every cycle and start sometimes rises: both must be ignored.
      clock(0, busy && vi > backToBack && rng.next() < 0.3 ? 1 : 0, randVec(D, rng));
    }
  }
  for (let i = 0; i < 5; i++) clock(0, 0, randVec(D, rng)); // hash holds after the last done
  return { trace: { module: 'elsa_hash', ...tracePorts(hashModule.ports!(D)), cycles }, accepted };
}
