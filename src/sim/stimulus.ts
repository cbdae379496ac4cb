// Golden stimulus for the top-level testbench: invocations (n, t, K, V, Q) with the expected outputs
// from the fixed-point model, packed one hex word per line (format in tb/top_tb.v.ejs and the README).
import type { DesignSpec } from '../units/design.ts';
import { Rng } from '../spec/rng.ts';
import { elsaFixedRun, quantize, quantizer, quantizeThreshold, type InvocationRun } from '../units/top/model.ts';
import { metaFile, packHex, toBits } from './trace.ts';
import { learnThreshold } from '../model/calibrate.ts';

export interface Invocation {
  n: number;
  tQ: number;
  /** Top-m selection: keys kept per query (header bits [31:16]; 0 and unused in threshold mode). */
  m?: number;
  K: number[][];
  V: number[][];
  Q: number[][];
  /** Reset the core after this many output rows (0: in the middle of loading); later rows are not checked. */
  resetAfter?: number;
}

/** Random Q/K/V (normal, standard deviation `sigma`, quantised to the qkv format) for one invocation. */
export function randomInvocation(D: DesignSpec, rng: Rng, n: number, t: number, sigma = 1.5): Invocation {
  const d = D.cfg.d;
  const q = quantizer(D);
  const M = () => {
    const rows: number[][] = [];
    for (let y = 0; y < n; y++) {
      const row = new Array<number>(d);
      for (let i = 0; i < d; i++) row[i] = q(rng.normal() * sigma);
      rows.push(row);
    }
    return rows;
  };
  return { n, tQ: quantizeThreshold(t, D), K: M(), V: M(), Q: M() };
}

/** The benchmark/report workload: one seeded random invocation with n = nMax and, for each knob p, the
 *  threshold the paper's rule learns on that invocation's own (real-valued) Q and K. */
export function thresholdSweep(D: DesignSpec, ps: number[], seed: number): { p: number; t: number; inv: Invocation }[] {
  const base = randomInvocation(D, new Rng(seed), D.cfg.nMax, -2);
  const real = (m: number[][]) => m.map((r) => r.map((x) => x / 2 ** D.qkv.frac));
  const calib = [{ Q: real(base.Q), K: real(base.K) }];
  return ps.map((p) => {
    const t = learnThreshold(calib, D.attention.scoreScale, p);
    return { p, t, inv: { ...base, tQ: quantizeThreshold(t, D) } };
  });
}

/** Extreme data: saturated values, all-equal keys, zero vectors, n = 1 and n = nMax, all / no keys selected. */
export function extremeInvocations(D: DesignSpec, seed: number): Invocation[] {
  const rng = new Rng(seed);
  const N = D.cfg.nMax,
    d = D.cfg.d;
  const lo = -(2 ** (D.qkv.bits - 1)),
    hi = 2 ** (D.qkv.bits - 1) - 1;
  const tAll = -(2 ** (D.candSel.threshold.bits - 1));
  const fill = (n: number, f: (y: number, i: number) => number) =>
    Array.from({ length: n }, (_, y) => Array.from({ length: d }, (_, i) => f(y, i)));
  const rand = randomInvocation(D, rng, N, 0.3);
  const sat = (y: number, i: number) => ((y + i) % 2 ? hi : lo);
  return [
    // saturated Q, K, V: the largest scores and exponents the datapath can see
    { n: N, tQ: tAll, K: fill(N, sat), V: fill(N, (y) => (y % 2 ? lo : hi)), Q: fill(N, (y, i) => (i % 3 ? hi : lo)) },
    // every key equal: one hash, one norm, every query selects all or none together
    { n: N, tQ: quantizeThreshold(0.5, D), K: fill(N, () => rand.K[0][0]).map(() => rand.K[0]), V: rand.V, Q: rand.Q },
    // zero keys and queries: norm 0, max norm 0, threshold register 0
    { n: N, tQ: tAll, K: fill(N, () => 0), V: rand.V, Q: fill(N, () => 0) },
    { n: N, tQ: quantizeThreshold(0.2, D), K: fill(N, () => 0), V: rand.V, Q: rand.Q },
    // n = 1, selecting its only key, then selecting nothing
    { n: 1, tQ: tAll, K: rand.K.slice(0, 1), V: rand.V.slice(0, 1), Q: rand.Q.slice(0, 1) },
    {
      n: 1,
      tQ: 2 ** (D.candSel.threshold.bits - 1) - 1,
      K: rand.K.slice(0, 1),
      V: rand.V.slice(0, 1),
      Q: rand.Q.slice(0, 1),
    },
    // maximum threshold: no query selects any key (all-zero outputs)
    { ...rand, tQ: 2 ** (D.candSel.threshold.bits - 1) - 1 },
  ];
}

/** An invocation with an invalid runtime n (0 or > nMax): the core must flag err. */
export const invalidInvocation = (n: number): Invocation => ({ n, tQ: 0, K: [], V: [], Q: [] });

export interface Stimulus {
  hex: string;
  meta: string;
  words: number;
  /** The model's outputs, candidates and bank runs per invocation; null for an invalid n (the core must
   *  reject it). */
  traces: (InvocationRun | null)[];
  /** Runtime n and the reset point (output rows before a reset in the middle, or null) per invocation. */
  headers: { n: number; resetAfter: number | null }[];
}

export function buildStimulus(D: DesignSpec, invs: Invocation[]): Stimulus {
  const lines: string[] = [];
  const traces: (InvocationRun | null)[] = [];
  const headers: Stimulus['headers'] = [];
  const qW = D.qkv.bits,
    outW = D.out.bits;
  const lim = 2 ** (qW - 1);
  for (const inv of invs) {
    headers.push({ n: inv.n, resetAfter: inv.resetAfter ?? null });
    const abort = inv.resetAfter === undefined ? 0n : (1n << 63n) | (BigInt(inv.resetAfter) << 48n);
    const m = BigInt(inv.m ?? 0) << 16n;
    lines.push((abort | (BigInt(inv.n) << 32n) | m | toBits(inv.tQ, D.candSel.threshold.bits)).toString(16));
    if (inv.n < 1 || inv.n > D.cfg.nMax) {
      traces.push(null);
      continue;
    }
    for (const r of [inv.K, inv.V, inv.Q])
      for (const row of r)
        for (const x of row)
          if (x < -lim || x >= lim) throw new Error(`value ${x} does not fit the ${qW}-bit qkv format`);
    const tr = elsaFixedRun(D, inv.K, inv.V, inv.Q, inv.tQ, inv.m ?? 0);
    traces.push(tr);
    // {v, k}: the key's elements in the low bits, then the value's
    for (let y = 0; y < inv.n; y++) lines.push(packHex([...inv.K[y], ...inv.V[y]], qW));
    for (const q of inv.Q) lines.push(packHex(q, qW));
    for (const o of tr.out) lines.push(packHex(o, outW));
  }
  const meta = metaFile(D.hwHash, invs.length) + lines.length.toString(16).padStart(16, '0') + '\n';
  return { hex: lines.join('\n') + '\n', meta, words: lines.length, traces, headers };
}

/** The standard test set of a config: several runtime n (full, odd, tiny), thresholds from exact
 *  (t = -2) through partial selection to one so high that queries select no key. */
export function standardInvocations(D: DesignSpec, seed: number): Invocation[] {
  const rng = new Rng(seed);
  const N = D.cfg.nMax;
  const ns = [N, Math.max(1, Math.floor((N * 2) / 3) | 1), Math.min(N, D.cfg.pA + 1), 1];
  if (D.candSel.topm) {
    // top-m: every key (m = n), 40% and 25% of the keys (the second also above a floor t), and a floor so
    // high that the one query selects nothing
    const ts = [-2, -2, 0.3, 1.9];
    const ms = [1, 0.4, 0.25, 1];
    return ns.map((n, i) => ({ ...randomInvocation(D, rng, n, ts[i]), m: Math.ceil(ms[i] * n) }));
  }
  const ts = [-2, 0.3, 0.6, 1.9];
  return ns.map((n, i) => randomInvocation(D, rng, n, ts[i % ts.length]));
}

/** Real-valued invocations from a JSON file: { invocations: [{ t, K, V, Q, m? }] } (rows of d numbers; m:
 *  keys kept per query in top-m configs, default n). */
export function invocationsFromJson(D: DesignSpec, raw: unknown, where: string): Invocation[] {
  const fail = (msg: string): never => {
    throw new VectorError(`${where}: ${msg}`);
  };
  if (!raw || typeof raw !== 'object' || !Array.isArray((raw as { invocations?: unknown }).invocations))
    fail('expected an object { "invocations": [ { "t", "K", "V", "Q" } ] }');
  return (raw as { invocations: unknown[] }).invocations.map((inv, i) => {
    const o = inv as Record<string, unknown>;
    if (typeof o.t !== 'number' || o.t < -2 || o.t > 2) fail(`invocations[${i}].t must be a number in [-2, 2]`);
    const mat = (name: string): number[][] => {
      const m = o[name];
      if (!Array.isArray(m) || m.length === 0)
        return fail(`invocations[${i}].${name} must be a non-empty array of rows`);
      if (m.length > D.cfg.nMax)
        fail(`invocations[${i}].${name} has ${m.length} rows, more than nMax = ${D.cfg.nMax} of config ${D.cfg.name}`);
      return m.map((r: unknown, y: number) => {
        if (!Array.isArray(r) || r.length !== D.cfg.d)
          fail(`invocations[${i}].${name}[${y}] must have d = ${D.cfg.d} numbers`);
        return (r as unknown[]).map((x, c) =>
          typeof x === 'number' && Number.isFinite(x)
            ? quantize(x, D)
            : fail(`invocations[${i}].${name}[${y}][${c}] is not a finite number`),
        );
      });
    };
    const K = mat('K'),
      V = mat('V'),
      Q = mat('Q');
    if (V.length !== K.length || Q.length !== K.length)
      fail(`invocations[${i}]: K, V and Q must have the same number of rows (self-attention)`);
    if (o.m !== undefined && (!Number.isInteger(o.m) || (o.m as number) < 0 || (o.m as number) > D.cfg.nMax))
      fail(`invocations[${i}].m must be an integer 0..${D.cfg.nMax} (top-m: keys kept per query)`);
    // top-m without m: every key (m = n)
    const m = (o.m as number | undefined) ?? (D.candSel.topm ? K.length : 0);
    return { n: K.length, tQ: quantizeThreshold(o.t as number, D), m, K, V, Q };
  });
}

export class VectorError extends Error {}
