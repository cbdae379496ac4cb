// elsa_ram and elsa_bank against the fixed-point model, cycle by cycle, under both simulators: the unit
// configs (tb/unit_configs.ts), plus an Icarus-only bank shape whose queues fill up (the row issue rule
// stalls with several queues).
import { describe, expect, it } from 'vitest';
import type { DesignSpec } from '../design.ts';
import { elsaFixed } from '../top/model.ts';
import { SIMULATORS } from '../../sim/run.ts';
import type { Trace } from '../../sim/trace.ts';
import { runUnit } from '../../../tb/harness.ts';
import { small, stallConfig as stall, unitConfigs } from '../../../tb/unit_configs.ts';
import { resolveConfig } from '../../gen/config.ts';
import { ramTraceInfo } from './ram.trace.ts';
import { bankTraceInfo } from './trace.ts';
import { estimate, estimateBin, hamming, histShift } from '../cand_sel/model.ts';
import { hashFixed } from '../hash/model.ts';
import { isqrt, sumSquares } from '../norm/model.ts';

// two selection stages (pipeline.candSel = 2; the unit configs have the default 1) with queues of 5: the
// next query starts over the old one's tail; and the first RTL's combinational selection (0)
const cs2 = resolveConfig({
  ...small.cfg,
  name: 'u_cs2',
  queueDepth: 5,
  pipeline: { ...small.cfg.pipeline, candSel: 2 },
});
const cs0 = resolveConfig({ ...small.cfg, name: 'u_cs0', pipeline: { ...small.cfg.pipeline, candSel: 0 } });
// three stages (the multiply in two registered partial products), run-ahead (rule 5b): queues of 6, and of 2 (the
// opening row waits often; rows wait for room)
const cs3 = resolveConfig({
  ...small.cfg,
  name: 'u_cs3',
  queueDepth: 6,
  pipeline: { ...small.cfg.pipeline, candSel: 3 },
});
const cs3q2 = resolveConfig({ ...cs3.cfg, name: 'u_cs3_q2', queueDepth: 2 });
const configs = [...unitConfigs, cs2, cs0, cs3, cs3q2];
// pass 1 (issue 13's top-m histogram and best estimate) before every selection, with two selection stages
const pass1 = resolveConfig({
  ...small.cfg,
  name: 'u_pass1',
  selection: 'topm',
  emptySet: 'best',
  queueDepth: 5,
  pipeline: { ...small.cfg.pipeline, candSel: 2 },
});
// ... and with three stages and queues of 6: the next pass 1 starts while the latest query waits to open
const pass1cs3 = resolveConfig({
  ...pass1.cfg,
  name: 'u_pass1_cs3',
  queueDepth: 6,
  pipeline: { ...pass1.cfg.pipeline, candSel: 3 },
});
const passOnes = [pass1, pass1cs3];
// pass 1 has seeds of its own: its traces must also hold pops blocked by the attention module's hold (and with
// three stages, pass-1 starts held back by the read stage's waiting row)
const SEED = { ram: 5, bank: 41, pass1: 43, pass1cs3: 19 };
const ram = ramTraceInfo(small, SEED.ram);
// the first RTL's memories (memBypass): one address read and written in one cycle returns the old word
const smallBypass = resolveConfig({ ...small.cfg, name: 'small_bypass', memBypass: true });
const ramBypass = ramTraceInfo(smallBypass, SEED.ram);
const bank = new Map(
  [...configs, stall, ...passOnes].map((D) => [
    D.cfg.name,
    bankTraceInfo(D, D === pass1 ? SEED.pass1 : D === pass1cs3 ? SEED.pass1cs3 : SEED.bank),
  ]),
);

async function expectPass(D: DesignSpec, t: Trace, sim: (typeof SIMULATORS)[number]) {
  const r = await runUnit(D, t, sim);
  expect(r.failed, r.stdout).toBe(0);
  expect(r.passed).toBe(t.cycles.length);
}

describe('bank traces exercise what they claim', () => {
  it('elsa_ram: same-address read/write returns the old word (memBypass only), re low holds rdata', () => {
    expect(ramBypass.sameAddrChecks).toBeGreaterThan(20);
    expect(ram.sameAddrChecks).toBe(0);
    expect(ram.holdChecks).toBeGreaterThan(20);
  });
  it.each([...configs, stall, ...passOnes].map((D) => [D.cfg.name, D] as const))(
    'elsa_bank %s: all/none/partial queries, back to back and during holds',
    (_n, D) => {
      const b = bank.get(D.cfg.name)!;
      const withKeys = b.queries.filter((q) => q.K.length > 0);
      expect(withKeys.some((q) => q.kind === 'all' && q.order.length === q.K.length)).toBe(true);
      expect(withKeys.some((q) => q.kind === 'none' && q.order.length === 0)).toBe(true);
      expect(withKeys.some((q) => q.order.length > 0 && q.order.length < q.K.length)).toBe(true);
      expect(b.queries.some((q) => q.K.length === 0)).toBe(true);
      expect(b.queries.every((q) => q.eoq > q.qs && q.ready > q.qs)).toBe(true);
      expect(b.holdCycles).toBeGreaterThan(10);
      // (run-ahead with pass 1: a selection's rule lets the next one start long before pass 1 ends)
      if (!(D.bank.runAhead && D.candSel.passOne)) expect(b.qsBackToBack).toBeGreaterThan(0);
      // queues of 4 or more: the next query starts over the old one's last keys
      if (D.bank.overlapTail || D.bank.runAhead) expect(b.qsOverTail).toBeGreaterThan(0);
      else expect(b.qsOverTail).toBe(0);
      expect(b.holdBlocked.pop).toBeGreaterThan(0);
      // early start (L = 1): the next query stalls in its first window cycle until the old entries fit
      if (D.bank.earlyStart) expect(b.stalls).toBeGreaterThan(0);
      else if (!D.bank.runAhead) expect(b.earlyStarts + b.stalls).toBe(0);
      // run-ahead: opening rows wait for the old entries, and push while the old query's last key pops
      if (D.bank.runAhead) {
        expect(b.stalls).toBeGreaterThan(0);
        expect(b.queries.filter((q) => q.late).length).toBeGreaterThan(0);
      }
      if (D.cfg.pC === 1 || D === stall) expect(b.roomStalls).toBeGreaterThan(0);
    },
  );
  it.each(passOnes.map((D) => [D.cfg.name, D] as const))(
    'elsa_bank %s: pass 1 over every key of the bank, overlapping the last query and waiting for it',
    (_n, pass1) => {
      const b = bank.get(pass1.cfg.name)!;
      const shiftOf = (q: (typeof b.queries)[number]) =>
        histShift(pass1, Math.max(0, ...q.K.map((k) => isqrt(sumSquares(k)))));
      for (const q of b.queries) {
        // the histogram and the largest estimate of all the bank's keys, straight from the model
        const ests = q.K.map((k) => estimate(pass1, hamming(q.hash, hashFixed(pass1, k)), isqrt(sumSquares(k))));
        const hist = new Array<number>(pass1.candSel.topm!.bins).fill(0);
        for (const e of ests) hist[estimateBin(pass1, e, shiftOf(q))]++;
        if (q.K.length > 0) expect(q.hist).toEqual(hist);
        if (q.K.length > 0) expect(q.best).toBe(Math.max(...ests));
        expect(q.p1).toBeGreaterThanOrEqual(0);
        expect(q.qs).toBeGreaterThan(q.p1);
      }
      expect(b.p1OverDrain).toBeGreaterThan(0);
      expect(b.goWaits).toBeGreaterThan(0);
      // run-ahead: pass 1 starts before the latest query opens (its q parked in q_save); with three stages it
      // also waits for the read stage's row while the opening waits
      expect(b.p1BeforeOpen).toBeGreaterThan(0);
      if (pass1 === pass1cs3) expect(b.p1ReadWaits).toBeGreaterThan(0);
    },
  );
  it("elsa_bank: over the bank configs, an early start over the old query's unknown last row", () => {
    expect([...bank.values()].some((b) => b.earlyStarts > 0)).toBe(true);
  });
  it('elsa_bank: over the bank configs, a hold blocks a row issue, a push, a pop and a bare token', () => {
    // which of these meet a hold depends on the bank shape (few rows: the next query's rows are all in
    // before the previous query's mark reaches S4), so the claim is over all configs together
    const blocked = [...bank.values()].map((b) => b.holdBlocked);
    for (const k of ['issue', 'push', 'pop', 'token'] as const)
      expect(blocked.filter((h) => h[k] > 0).length, k).toBeGreaterThan(1);
  });
  it.each(configs.map((D) => [D.cfg.name, D] as const))(
    'elsa_bank %s: expected partials = elsaFixed() for the bank (keys at y = pA·j)',
    (_n, D) => {
      const pA = D.cfg.pA;
      const d = D.cfg.d;
      for (const q of bank.get(D.cfg.name)!.queries) {
        const nb = q.K.length;
        if (nb === 0) continue;
        // bank 0 of an invocation with n = (nb-1)·pA + 1 holds exactly these keys; the others are zero
        // (norm 0: max‖k‖ unchanged)
        const n = (nb - 1) * pA + 1;
        const K = Array.from({ length: n }, (_, y) => (y % pA === 0 ? q.K[y / pA] : new Array<number>(d).fill(0)));
        const V = Array.from({ length: n }, (_, y) => (y % pA === 0 ? q.V[y / pA] : new Array<number>(d).fill(0)));
        const ref = elsaFixed(D, K, V, [q.q], q.tQ);
        expect(ref.thr).toBe(q.thr);
        expect(ref.queries[0].banks[0].order).toEqual(q.order);
        expect(ref.queries[0].banks[0].partial).toEqual(q.partial);
      }
    },
  );
});

describe('elsa_ram (parameter defaults 8/16/4: the same module text for every config)', () => {
  for (const sim of SIMULATORS) it(`matches the model under ${sim}`, () => expectPass(small, ram.trace, sim));
  for (const sim of SIMULATORS)
    it(`matches the model with memBypass under ${sim}`, () => expectPass(smallBypass, ramBypass.trace, sim));
  // the bypass-free memory (no_rw_check) leaves a collision undefined in hardware: the simulation must stop on one
  it('stops the simulation on a same-address read and write without memBypass', async () => {
    const r = await runUnit(small, ramBypass.trace, 'iverilog').then(
      (x) => x.stdout,
      (e: Error) => e.message,
    );
    expect(r).toMatch(/ERROR: elsa_ram read and wrote one address in one cycle/);
  });
});

describe.each(configs.map((D) => [D.cfg.name, D] as const))('elsa_bank, config %s', (_n, D) => {
  for (const sim of SIMULATORS)
    it(`matches the model under ${sim}`, () => expectPass(D, bank.get(D.cfg.name)!.trace, sim));
});

describe.each(passOnes.map((D) => [D.cfg.name, D] as const))(
  'elsa_bank, config %s (pass 1: top-m histogram, best estimate)',
  (_n, D) => {
    for (const sim of SIMULATORS)
      it(`matches the model under ${sim}`, () => expectPass(D, bank.get(D.cfg.name)!.trace, sim));
  },
);

describe('elsa_bank, config u_stall (Icarus)', () => {
  it('matches the model under iverilog', () => expectPass(stall, bank.get(stall.cfg.name)!.trace, 'iverilog'));
});

describe('the bank and RAM testbenches report a wrong expected value', () => {
  const fullAfter = (t: Trace, from: number) => t.cycles.findIndex((c, i) => i > from && c.out?.part_full === 1);
  const cases: [string, DesignSpec, Trace, number][] = [
    ['elsa_ram', small, ram.trace, ram.trace.cycles.findIndex((c, i) => i > 30 && c.out?.rdata !== null)],
    // the lowest checked bit of a part_full cycle is part_o[0]: a wrong partial must be reported
    ['elsa_bank', small, bank.get('small')!.trace, fullAfter(bank.get('small')!.trace, 100)],
  ];
  it.each(cases)('%s', async (_m, D, t, i) => {
    expect(i).toBeGreaterThan(0);
    const r = await runUnit(D, t, 'iverilog', { corrupt: i });
    expect(r.failed).toBe(1);
    expect(r.passed).toBe(t.cycles.length - 1);
    expect(r.stdout).toMatch(new RegExp(`MISMATCH cycle ${i}:`));
  });
});
