// elsa_dot and elsa_exp against the fixed-point model, under both simulators, for the leaf configs.
import { describe, expect, it } from 'vitest';
import { SIMULATORS } from '../../sim/run.ts';
import { runUnit } from '../../../tb/harness.ts';
import { leafConfigs, small } from '../../../tb/unit_configs.ts';
import { firstRtlOverrides, PRESETS, resolveConfig } from '../../gen/config.ts';
import { dotTrace, expTrace } from './dot.trace.ts';

const zero = firstRtlOverrides().pipeline;
// every depth of the dot tree and the exp unit (the leaf configs run the defaults)
const pipelined = [
  resolveConfig({ ...small.cfg, name: 'leaf_p0', pipeline: zero }),
  resolveConfig({ ...small.cfg, name: 'leaf_p1', pipeline: { ...zero, dot: 1, exp: 1 } }),
  resolveConfig({ ...small.cfg, name: 'leaf_p2', pipeline: { ...zero, dot: 2, exp: 2 } }),
  resolveConfig({ ...PRESETS.ice40, name: 'leaf_p3', pipeline: { ...zero, dot: 3 } }),
];

describe.each([...leafConfigs, ...pipelined].map((D) => [D.cfg.name, D] as const))(
  'elsa_dot and elsa_exp, config %s',
  (_n, D) => {
    const traces = [dotTrace(D, 14), expTrace(D, 16)];
    for (const sim of SIMULATORS)
      it.each(traces.map((t) => [t.module, t] as const))(`%s matches the model under ${sim}`, async (_m, t) => {
        const r = await runUnit(D, t, sim);
        expect(r.failed, r.stdout).toBe(0);
        expect(r.passed).toBe(t.cycles.length);
      });
  },
);
