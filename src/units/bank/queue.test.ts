// elsa_queue and elsa_arbiter against the fixed-point model, under both simulators, for the leaf configs.
import { describe, expect, it } from 'vitest';
import { SIMULATORS } from '../../sim/run.ts';
import { runUnit } from '../../../tb/harness.ts';
import { leafConfigs } from '../../../tb/unit_configs.ts';
import { resolveConfig } from '../../gen/config.ts';
import { arbiterExhaustiveTrace, arbiterTrace, queueTrace } from './queue.trace.ts';

describe.each(leafConfigs.map((D) => [D.cfg.name, D] as const))('elsa_queue and elsa_arbiter, config %s', (_n, D) => {
  const traces = [queueTrace(D, 12), arbiterTrace(D, 13)];
  for (const sim of SIMULATORS)
    it.each(traces.map((t) => [t.module, t] as const))(`%s matches the model under ${sim}`, async (_m, t) => {
      const r = await runUnit(D, t, sim);
      expect(r.failed, r.stdout).toBe(0);
      expect(r.passed).toBe(t.cycles.length);
    });
});

// every count vector: the tournament (dataEnables) and the first RTL's chain of compares, ties included
const exhaustive = leafConfigs
  .filter((D) => D.cfg.pC >= 3 && arbiterExhaustiveTrace(D))
  .flatMap((D) => [D, resolveConfig({ ...D.cfg, name: `${D.cfg.name}_chain`, dataEnables: false })]);
describe.each(exhaustive.map((D) => [D.cfg.name, D] as const))('elsa_arbiter on every count, config %s', (_n, D) => {
  const t = arbiterExhaustiveTrace(D)!;
  it.each(SIMULATORS)('grants the longest queue, the lowest index on a tie, under %s', async (sim) => {
    const r = await runUnit(D, t, sim);
    expect(r.failed, r.stdout).toBe(0);
    expect(r.passed).toBe(t.cycles.length);
  });
});
it('some leaf config has an arbiter small enough to check on every count', () => {
  expect(exhaustive.length).toBeGreaterThan(0);
});
