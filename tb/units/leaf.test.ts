// Leaf modules against the fixed-point model, under both simulators, for two configs.
import { describe, expect, it } from 'vitest';
import { resolveConfig, PRESETS } from '../../src/gen/config.ts';
import { SIMULATORS } from '../../src/sim/run.ts';
import { runUnit } from '../harness.ts';
import * as U from './leaf.ts';

const configs = [resolveConfig(PRESETS.small), resolveConfig({ name: 'leaf_wide', nMax: 40, d: 32, k: 64, pA: 4, pC: 3, mH: 16, mO: 8, queueDepth: 5 })];

describe.each(configs.map((D) => [D.cfg.name, D] as const))('leaf modules, config %s', (_n, D) => {
  const traces = [
    U.cosTableTrace(D), U.candSelTrace(D, 11), U.queueTrace(D, 12), U.arbiterTrace(D, 13),
    U.dotTrace(D, 14), U.isqrtTrace(D, 15), U.expTrace(D, 16),
  ];
  for (const sim of SIMULATORS)
    it.each(traces.map((t) => [t.module, t] as const))(`%s matches the model under ${sim}`, async (_m, t) => {
      const r = await runUnit(D, t, sim);
      expect(r.failed, r.stdout).toBe(0);
      expect(r.passed).toBe(t.cycles.length);
    });
});

describe('unit testbench self-check', () => {
  const D = configs[0];
  it('reports a corrupted expected value as a failure', async () => {
    const t = U.expTrace(D, 16);
    const r = await runUnit(D, t, 'iverilog', { corrupt: 5 });
    expect(r.failed).toBe(1);
    expect(r.stdout).toMatch(/MISMATCH cycle 5/);
  });
  it('refuses vectors made for another config', async () => {
    const r = await runUnit(D, U.expTrace(D, 16), 'iverilog', { hashOverride: '0123456789ab' });
    expect(r.failed).toBe(1);
    expect(r.passed).toBe(0);
    expect(r.stdout).toMatch(/vectors are for hardware hash 0123456789ab/);
  });
});
