// elsa_cos_table and elsa_cand_sel against the fixed-point model, under both simulators, for the leaf configs.
import { describe, expect, it } from 'vitest';
import { SIMULATORS } from '../../sim/run.ts';
import { runUnit } from '../../../tb/harness.ts';
import { leafConfigs } from '../../../tb/unit_configs.ts';
import { candSelTrace, cosTableTrace } from './trace.ts';

describe.each(leafConfigs.map((D) => [D.cfg.name, D] as const))(
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
