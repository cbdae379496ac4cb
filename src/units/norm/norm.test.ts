// elsa_isqrt against the fixed-point model, under both simulators, for the leaf configs.
import { describe, expect, it } from 'vitest';
import { SIMULATORS } from '../../sim/run.ts';
import { runUnit } from '../../../tb/harness.ts';
import { leafConfigs } from '../../../tb/unit_configs.ts';
import { isqrtTrace } from './trace.ts';

describe.each(leafConfigs.map((D) => [D.cfg.name, D] as const))('elsa_isqrt, config %s', (_n, D) => {
  const traces = [isqrtTrace(D, 15)];
  for (const sim of SIMULATORS)
    it.each(traces.map((t) => [t.module, t] as const))(`%s matches the model under ${sim}`, async (_m, t) => {
      const r = await runUnit(D, t, sim);
      expect(r.failed, r.stdout).toBe(0);
      expect(r.passed).toBe(t.cycles.length);
    });
});

describe('the serial Σk² unit of kvBuffers 2', () => {
  it('squares d elements in at most one hash period, for every preset and matrix config', async () => {
    const { PRESETS, resolveConfig } = await import('../../gen/config.ts');
    const { MATRIX } = await import('../../gen/matrix.ts');
    for (const c of [...Object.values(PRESETS), ...MATRIX]) {
      const D = resolveConfig({ ...c, kvBuffers: 2 });
      const { lanes, cycles } = D.norm.serial;
      expect(lanes * cycles, D.cfg.name).toBe(D.cfg.d);
      expect(cycles, D.cfg.name).toBeLessThanOrEqual(D.hash.period);
      // the fewest squarers that keep up: no divisor of d between cycles and the hash period
      for (let x = cycles + 1; x <= D.hash.period; x++) expect(D.cfg.d % x, D.cfg.name).not.toBe(0);
    }
  });
});
