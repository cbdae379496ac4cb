// Whole attention invocations through the generated design, checked against the fixed-point model
// under both simulators, over the test matrix; the paper preset under Verilator.
import { describe, expect, it } from 'vitest';
import { PRESETS, resolveConfig } from '../src/gen/config.ts';
import { MATRIX } from '../src/gen/matrix.ts';
import { SIMULATORS } from '../src/sim/run.ts';
import { buildStimulus, extremeInvocations, invalidInvocation, randomInvocation, standardInvocations } from '../src/sim/stimulus.ts';
import { Rng } from '../src/model/rng.ts';
import { runTop } from '../src/sim/top.ts';
import { predictCycles } from '../src/perf/cycles.ts';

describe.each(MATRIX.map((c) => [c.name, resolveConfig(c)] as const))('top level, config %s', (_n, D) => {
  const invs = standardInvocations(D, 7);
  it('the standard set covers all keys selected, some selected, and a query with none', () => {
    const { traces } = buildStimulus(D, invs);
    const fractions = traces.map((t) => {
      const c = t!.queries.flatMap((q) => q.candidates);
      return c.filter(Boolean).length / c.length;
    });
    expect(fractions[0]).toBe(1);
    expect(fractions.some((f) => f > 0 && f < 1)).toBe(true);
    expect(traces.some((t) => t!.queries.some((q) => !q.candidates.some(Boolean)))).toBe(true);
  });
  for (const sim of SIMULATORS)
    it(`is bit-exact under ${sim}`, async () => {
      const r = await runTop(D, invs, sim);
      const rows = invs.reduce((s, v) => s + v.n, 0);
      expect(r.failed, r.stdout.slice(0, 3000)).toBe(0);
      expect(r.passed).toBe(rows);
      expect(r.invocations.length).toBe(invs.length);
      // the cycle model predicts the RTL's cycle counters exactly
      const predicted = r.stimulus.traces.map((t) => predictCycles(D, t!)).map((p) => [p.pre, p.exec]);
      expect(r.invocations.map((x) => [x.pre, x.exec])).toEqual(predicted);
    });
});

describe('top level, paper preset', () => {
  const D = resolveConfig(PRESETS.paper);
  it('is bit-exact under verilator (n = 512 exact, n = 341 approximate, tiny n)', async () => {
    const invs = standardInvocations(D, 3);
    const r = await runTop(D, invs, 'verilator');
    expect(r.failed, r.stdout.slice(0, 3000)).toBe(0);
    expect(r.passed).toBe(invs.reduce((s, v) => s + v.n, 0));
    const predicted = r.stimulus.traces.map((t) => predictCycles(D, t!)).map((p) => [p.pre, p.exec]);
    expect(r.invocations.map((x) => [x.pre, x.exec])).toEqual(predicted);
    // exact mode (t = -2, n = 512): execution within 1.03× of 512 attention multipliers doing 2n²d MACs
    const ideal = (2 * 512 * 512 * 64) / (2 * D.cfg.d * D.cfg.pA);
    expect(r.invocations[0].exec / ideal).toBeLessThan(1.03);
  });
});

describe('top level, robustness', () => {
  const D = resolveConfig(PRESETS.small);
  const rng = new Rng(99);
  const invs = [
    randomInvocation(D, rng, 24, 0.4), invalidInvocation(0), randomInvocation(D, rng, 7, -2),
    invalidInvocation(D.cfg.nMax + 1), randomInvocation(D, rng, 24, 1.0), randomInvocation(D, rng, 2, 0.0),
  ];
  for (const sim of SIMULATORS)
    it(`survives random stream gaps and backpressure, back-to-back invocations and invalid n under ${sim}`, async () => {
      const r = await runTop(D, invs, sim, { stall: 35, seed: 5, tag: 'stall' });
      expect(r.failed, r.stdout.slice(0, 3000)).toBe(0);
      expect(r.passed).toBe(24 + 7 + 24 + 2 + 2);
    });
  it('reports a corrupted expected output word', async () => {
    const r = await runTop(D, standardInvocations(D, 7), 'iverilog', { corrupt: true, tag: 'corrupt' });
    expect(r.failed).toBe(1);
    expect(r.stdout).toMatch(/MISMATCH invocation 3 query 0/);
  });
  it('refuses a stimulus file made for another config', async () => {
    const r = await runTop(D, standardInvocations(D, 7), 'iverilog', { hashOverride: 'deadbeef0000', tag: 'badhash' });
    expect(r.passed).toBe(0);
    expect(r.stdout).toMatch(/stimulus is for hardware hash deadbeef0000/);
  });
});

describe.each([PRESETS.small, MATRIX[2]].map((c) => [c.name, resolveConfig(c)] as const))('top level, extreme data, config %s', (_n, D) => {
  const invs = extremeInvocations(D, 5);
  it('covers a saturated run, all-equal keys, zero vectors, n = 1 and queries with no candidate', () => {
    const { traces } = buildStimulus(D, invs);
    expect(traces[2]!.maxNorm).toBe(0);
    expect(traces[6]!.out.flat().every((x) => x === 0)).toBe(true);
    expect(traces[0]!.queries.every((q) => q.candidates.every(Boolean))).toBe(true);
  });
  for (const sim of SIMULATORS)
    it(`is bit-exact on extreme data under ${sim}`, async () => {
      const r = await runTop(D, invs, sim, { tag: 'extreme' });
      expect(r.failed, r.stdout.slice(0, 3000)).toBe(0);
      expect(r.passed).toBe(invs.reduce((s, v) => s + v.n, 0));
    });
});

describe('top level, reset in the middle of an invocation', () => {
  const D = resolveConfig(MATRIX[3]);
  const rng = new Rng(8);
  const invs = [
    { ...randomInvocation(D, rng, D.cfg.nMax, -2), resetAfter: 5 },
    randomInvocation(D, rng, 17, 0.3),
    { ...randomInvocation(D, rng, 20, 0.2), resetAfter: 0 },
    randomInvocation(D, rng, D.cfg.nMax, 0.1),
  ];
  for (const sim of SIMULATORS)
    it(`recovers cleanly after a reset during execution and during loading under ${sim}`, async () => {
      const r = await runTop(D, invs, sim, { stall: 20, seed: 3, tag: 'reset' });
      expect(r.failed, r.stdout.slice(0, 3000)).toBe(0);
      expect(r.passed).toBe(5 + 17 + D.cfg.nMax);
      expect(r.stdout).toMatch(/RESET in invocation 0 after 5 output rows/);
      expect(r.stdout).toMatch(/RESET in invocation 2 after 0 output rows/);
    });
});
