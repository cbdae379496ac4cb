// elsa_cos_table and elsa_cand_sel against the fixed-point model, under both simulators, for the leaf configs.
import { describe, expect, it } from 'vitest';
import { SIMULATORS } from '../../sim/run.ts';
import { runUnit } from '../../../tb/harness.ts';
import { leafConfigs } from '../../../tb/unit_configs.ts';
import { resolveConfig } from '../../gen/config.ts';

// top-m selection adds the estimate output (the bank's pass-1 histogram input); with two stages (the
// default has one) its own unregistered multiplier
const topm = resolveConfig({
  name: 'leaf_topm',
  nMax: 24,
  d: 16,
  k: 16,
  pA: 2,
  pC: 3,
  mH: 16,
  mO: 4,
  selection: 'topm',
  pipeline: { candSel: 2 },
});
// the combinational module of the first RTL (pipeline.candSel = 0)
const comb = resolveConfig({ ...topm.cfg, name: 'leaf_comb', selection: 'threshold', pipeline: { candSel: 0 } });
// three stages: the multiply as two registered partial products (threshold mode, and top-m with its estimate)
const split = resolveConfig({ ...topm.cfg, name: 'leaf_split', selection: 'threshold', pipeline: { candSel: 3 } });
const splitTopm = resolveConfig({ ...topm.cfg, name: 'leaf_split_topm', pipeline: { candSel: 3 } });
import { candSelTrace, cosTableTrace } from './trace.ts';

describe.each([...leafConfigs, topm, comb, split, splitTopm].map((D) => [D.cfg.name, D] as const))(
  'elsa_cos_table and elsa_cand_sel, config %s',
  (_n, D) => {
    const traces = [cosTableTrace(D), candSelTrace(D, 11)];
    for (const sim of SIMULATORS)
      it.each(traces.map((t) => [t.module, t] as const))(`%s matches the model under ${sim}`, async (_m, t) => {
        const r = await runUnit(D, t, sim);
        expect(r.failed, r.stdout).toBe(0);
        expect(r.passed).toBe(t.cycles.length);
      });
  },
);
