// Cycle trace for elsa_output_div: bank partials built with accumulate() (../attention/model.ts), the
// expected row from outputDivision(), and a cycle model of the module's handshakes.
import type { DesignSpec } from '../design.ts';
import { Rng } from '../../spec/rng.ts';
import { accumulate, emptyPartial, type Partial } from '../attention/model.ts';
import { outputDivision } from './model.ts';
import { packBus, type Cycle, type Trace } from '../../sim/trace.ts';
import { outputDivTiming } from './timing.ts';
import { tracePorts } from '../module.ts';
import { outputDivModule } from './rtl.ts';

type Kind = 'normal' | 'none' | 'extreme' | 'saturate' | 'full' | 'single';

const randSigned = (rng: Rng, w: number): number => rng.int(-(2 ** (w - 1)), 2 ** (w - 1) - 1);
/** Uniform w-bit pattern (any w), as a BigInt: don't-care data on the partial buses. */
function randBits(rng: Rng, w: number): bigint {
  let x = 0n;
  for (let got = 0; got < w; got += 16) x = (x << 16n) | BigInt(rng.int(0, 0xffff));
  return x & ((1n << BigInt(w)) - 1n);
}
const clampE = (D: DesignSpec, e: number): number =>
  Math.max(-D.attention.exp.exponentMax, Math.min(D.attention.exp.exponentMax, e));

/** One query's P_a partials: each bank accumulates its terms exactly as the attention module does. */
export function makePartials(D: DesignSpec, rng: Rng, kind: Kind): Partial[] {
  const { pA, d } = D.cfg;
  const vMax = 2 ** (D.qkv.bits - 1) - 1;
  const vMin = -(2 ** (D.qkv.bits - 1));
  const mMax = 2 ** D.attention.exp.mantissaFrac - 1;
  const only = rng.int(0, pA - 1);
  // element sign pattern of the saturating queries
  const satSign = Array.from({ length: d }, () => (rng.next() < 0.5 ? 1 : -1));
  const base = rng.int(-60, 60);
  return Array.from({ length: pA }, (_, b) => {
    const p = emptyPartial(d);
    let n: number;
    if (kind === 'none') n = 0;
    else if (kind === 'full') n = D.bank.keys;
    else if (kind === 'single') n = b === only ? rng.int(1, Math.min(D.bank.keys, 12)) : 0;
    else n = rng.next() < 0.3 ? 0 : rng.int(1, Math.min(D.bank.keys, 16));
    const bankOff = rng.int(-12, 12);
    for (let t = 0; t < n; t++) {
      let e: number;
      let m = rng.int(0, mMax);
      let v: number[];
      if (kind === 'full') {
        // every term at the same exponent with the largest mantissa and |v|: the widest S and O
        e = 7;
        m = mMax;
        v = Array.from({ length: d }, (_, i) => (i % 2 ? vMax : vMin));
      } else if (kind === 'extreme') {
        // banks at opposite ends of the exponent range (differences far beyond the accumulator
        // widths: their terms vanish to 0 or -1), with jumps beyond the widths inside a bank too
        const hi = b % 2 === 1;
        const jump =
          rng.next() < 0.15
            ? rng.int(Math.floor(D.attention.exp.exponentMax / 12), Math.floor(D.attention.exp.exponentMax / 5))
            : 0;
        e = clampE(
          D,
          (hi
            ? D.attention.exp.exponentMax - Math.floor(D.attention.exp.exponentMax / 5)
            : -D.attention.exp.exponentMax) +
            jump +
            rng.int(0, 3),
        );
        v = Array.from({ length: d }, () => randSigned(rng, D.qkv.bits));
      } else {
        e = clampE(D, base + bankOff + rng.int(-6, 6));
        v =
          kind === 'saturate'
            ? satSign.map((s) => (s > 0 ? vMax - rng.int(0, 1) : vMin + rng.int(0, 1)))
            : Array.from({ length: d }, () =>
                rng.next() < 0.1 ? (rng.next() < 0.5 ? vMin : vMax) : randSigned(rng, D.qkv.bits),
              );
      }
      accumulate(D, p, { e, m }, v);
    }
    // the partial registers' widths must hold what accumulate() produced
    if (
      Math.abs(p.e) > D.attention.exp.exponentMax ||
      p.s >= 2 ** D.attention.sumE.bits ||
      p.o.some((x) => x < -(2 ** (D.attention.sumEV.bits - 1)) || x >= 2 ** (D.attention.sumEV.bits - 1))
    )
      throw new Error(`makePartials: bank ${b} (${kind}) overflows expEW/accSW/accOW`);
    return p;
  });
}

/** Query kinds in order: every kind early, then mostly normal queries. */
const kindOf = (q: number): Kind =>
  (['normal', 'none', 'extreme', 'saturate', 'full', 'single', 'normal', 'extreme', 'saturate'] as Kind[])[q] ??
  (q % 5 === 0 ? 'extreme' : q % 7 === 0 ? 'saturate' : 'normal');

/** Trace: reset, then `queries` query rows. The banks (environment) fill their partial registers at
 *  random times (each bank independently, from the cycle after a part_clear pulse) and drive random
 *  don't-care values on every field the module must ignore; the consumer applies random o_ready
 *  backpressure, with stretches of several cycles of o_ready = 0 while o_valid. Checked every cycle:
 *  part_clear, o_valid; o_data whenever its value is defined (reset value, a held result). */
export function outputDivTrace(D: DesignSpec, seed: number, queries = 20): Trace {
  const rng = new Rng(seed);
  const { pA, d } = D.cfg;
  const DC = D.outputDiv.chunks;
  const parts = Array.from({ length: queries }, (_, q) => makePartials(D, rng, kindOf(q)));
  const expected = parts.map((p) => outputDivision(D, p));

  const cycles: Cycle[] = [];
  const zeroIn = { rst: 1, part_full: 0, part_started: 0, part_e: 0, part_s: 0, part_o: 0, o_ready: 0 };
  cycles.push({ in: { ...zeroIn }, out: {} }); // outputs unknown before the first edge
  cycles.push({ in: { ...zeroIn }, out: { part_clear: 0, o_valid: 0, o_data: 0 } });

  // DUT model: the documented timing (outputDivTiming), relative to the last start cycle
  const { clearAt, validAt, dataHeldTo, legacy, copy, extra } = outputDivTiming(D);
  // rows in flight (not legacy): query and position, advancing together while adv; the last chunk is written
  // to o_data at position wrPos
  const wrPos = DC + 1 + extra;
  let rows: { q: number; pos: number }[] = [];
  let clearNext = false;
  let tStart = -1e9; // last start cycle
  let busyQuery = -1; // query of that start (also the row in o_data while o_valid)
  let oValid = false;
  let oData: number[] | null = new Array(d).fill(0); // expected o_data (null = in flux)

  // environment: the query the banks hold / will hold, and when each bank's partial arrives
  let bankQuery = 0;
  const fillAt = Array.from({ length: pA }, () => 2 + rng.int(0, 3));
  let served = 0; // rows accepted by the consumer
  let stall = 0; // forced o_ready = 0 cycles left for the current row
  let stalledRow = -1;
  let cycle = 2;
  const limit = 2 + queries * (DC + 40) + 100;

  while (served < queries) {
    if (cycle > limit) throw new Error('outputDivTrace: the cycle model made no progress');
    // ---- expected outputs of this cycle
    const rel = cycle - tStart;
    if (legacy && rel === validAt) {
      oValid = true;
      oData = expected[busyQuery];
    } else if (legacy && rel > dataHeldTo && rel < validAt) oData = null;
    const partClear: boolean = legacy ? rel === clearAt : clearNext;
    // ---- environment inputs for this cycle
    const full: number[] = [];
    const started: number[] = [];
    const es: number[] = [];
    const ss: bigint[] = [];
    const os: bigint[] = [];
    for (let b = 0; b < pA; b++) {
      const f = bankQuery < queries && cycle >= fillAt[b];
      const p = f ? parts[bankQuery][b] : null;
      full.push(f ? 1 : 0);
      // started is meaningful only when full; drive garbage otherwise
      started.push(p ? (p.started ? 1 : 0) : rng.int(0, 1));
      if (p && p.started) {
        es.push(p.e);
        ss.push(BigInt(p.s));
        for (let i = 0; i < d; i++) os.push(BigInt(p.o[i]));
      } else {
        // don't-care exponent: often just above or below the real E, where it would do most harm
        const live = bankQuery < queries ? parts[bankQuery].filter((x) => x.started) : [];
        const eNear = live.length
          ? Math.max(...live.map((x) => x.e))
          : rng.int(-D.attention.exp.exponentMax, D.attention.exp.exponentMax);
        const u = rng.next();
        const eBad =
          u < 0.2
            ? eNear + rng.int(-3, 3)
            : u < 0.8
              ? eNear + rng.int(4, 40)
              : randSigned(rng, D.attention.exp.exponent.bits);
        es.push(
          Math.max(
            -(2 ** (D.attention.exp.exponent.bits - 1)),
            Math.min(2 ** (D.attention.exp.exponent.bits - 1) - 1, eBad),
          ),
        );
        ss.push(randBits(rng, D.attention.sumE.bits));
        for (let i = 0; i < d; i++) os.push(randBits(rng, D.attention.sumEV.bits));
      }
    }
    if (oValid && stalledRow !== busyQuery) {
      stalledRow = busyQuery;
      stall = busyQuery % 3 === 0 ? rng.int(3, 7) : 0;
    }
    const oReady = oValid && stall > 0 ? 0 : rng.next() < 0.55 ? 1 : 0;
    if (oValid && stall > 0) stall--;

    cycles.push({
      in: {
        rst: 0,
        part_full: packBus(full, 1),
        part_started: packBus(started, 1),
        part_e: packBus(es, D.attention.exp.exponent.bits),
        part_s: packBus(ss, D.attention.sumE.bits),
        part_o: packBus(os, D.attention.sumEV.bits),
        o_ready: oReady,
      },
      out: {
        part_clear: partClear ? 1 : 0,
        o_valid: oValid ? 1 : 0,
        o_data: oData ? packBus(oData, D.out.bits) : null,
      },
    });

    if (legacy) {
      // start: not busy (cycles 1..clearAt after a start), output row taken (now or before), every
      // partial present
      if (!(rel >= 1 && rel <= clearAt) && (!oValid || oReady === 1) && full.every((x) => x === 1)) {
        tStart = cycle;
        busyQuery = bankQuery;
      }
      if (oValid && oReady) {
        oValid = false;
        served++;
      }
    } else {
      // every stage advances unless the row at the write stage waits for o_ready with o_data full
      const adv = !(rows.some((r) => r.pos === wrPos) && oValid && !oReady);
      const aligning = rows.some((r) => r.pos >= 1 && r.pos <= (copy ? DC - 1 : DC));
      const start: boolean = adv && !aligning && !partClear && full.every((x) => x === 1);
      clearNext = copy ? start : adv && rows.some((r) => r.pos === DC);
      if (oValid && oReady) {
        oValid = false;
        served++;
      }
      if (adv) {
        const done = rows.find((r) => r.pos === wrPos);
        if (done) {
          oValid = true;
          oData = expected[done.q];
          busyQuery = done.q;
        }
        rows = rows.filter((r) => r !== done).map((r) => ({ q: r.q, pos: r.pos + 1 }));
      }
      if (start) rows.push({ q: bankQuery, pos: 1 });
    }

    // ---- environment: banks see part_clear at this edge and drop (then refill) their partials
    if (partClear) {
      bankQuery++;
      for (let b = 0; b < pA; b++)
        fillAt[b] = cycle + 1 + (rng.next() < 0.3 ? 0 : rng.int(0, rng.next() < 0.2 ? 12 : 3));
    }

    cycle++;
  }
  // a few idle cycles: nothing more happens (no spurious start with empty banks, o_data held)
  for (let i = 0; i < 3; i++)
    cycles.push({
      in: { ...zeroIn, rst: 0, o_ready: 1 },
      out: { part_clear: 0, o_valid: 0, o_data: oData ? packBus(oData, D.out.bits) : null },
    });

  return { module: 'elsa_output_div', ...tracePorts(outputDivModule.ports!(D)), cycles };
}
