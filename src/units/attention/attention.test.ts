// elsa_attention against the fixed-point model, cycle by cycle, under both simulators, for the unit configs.
import { describe, expect, it } from 'vitest';
import { SIMULATORS } from '../../sim/run.ts';
import type { Trace } from '../../sim/trace.ts';
import { runUnit } from '../../../tb/harness.ts';
import { small, unitConfigs } from '../../../tb/unit_configs.ts';
import { PRESETS, firstRtlOverrides, resolveConfig } from '../../gen/config.ts';
import { attentionTraceInfo } from './trace.ts';

const zero = firstRtlOverrides().pipeline;
const configs = [
  ...unitConfigs,
  resolveConfig({ ...small.cfg, name: 'att_p0', pipeline: zero }),
  resolveConfig({ ...small.cfg, name: 'att_p1', pipeline: { ...zero, dot: 1, exp: 1, acc: 1 } }),
  resolveConfig({ ...unitConfigs[1].cfg, name: 'att_p2', pipeline: { ...zero, dot: 2, exp: 2 } }),
  // acc = 2 with an alignment shift narrow enough to need no clamp (ACC_SHC_W = ACC_SH_W)
  resolveConfig({ ...small.cfg, name: 'att_e4', formats: { ...small.cfg.formats, expExpBits: 4 } }),
  // acc = 3 (two terms at once): small (Σe's shift clamped), and small with the ice40 preset's formats (both
  // shifts clamped) without data enables
  resolveConfig({ ...small.cfg, name: 'att_a3', pipeline: { ...small.cfg.pipeline, acc: 3 } }),
  resolveConfig({
    ...small.cfg,
    name: 'att_a3i',
    formats: { ...small.cfg.formats, ...PRESETS.ice40.formats },
    pipeline: { ...zero, acc: 3 },
    dataEnables: false,
  }),
];
const att = new Map(configs.map((D) => [D.cfg.name, attentionTraceInfo(D, 31)]));

describe('attention traces exercise what they claim', () => {
  it.each(configs.map((D) => [D.cfg.name] as const))(
    'elsa_attention %s: every query finishes; holds, q_load and norm requests around them',
    (name) => {
      const a = att.get(name)!;
      expect(a.finishes).toBe(a.queries);
      expect(a.bareTokens).toBeGreaterThan(1); // queries with keys ending in a bare token, besides marked last keys
      expect(a.holdCycles).toBeGreaterThan(10);
      expect(a.qLoadInHold).toBeGreaterThan(0);
      expect(a.clearOnFinish).toBeGreaterThan(0);
      expect(a.keyAtS3InHold).toBeGreaterThan(0);
      expect(a.preAtS3InHold).toBeGreaterThan(0);
      expect(a.partChecks).toBeGreaterThan(50);
    },
  );
});

describe.each(configs.map((D) => [D.cfg.name, D] as const))('elsa_attention, config %s', (_n, D) => {
  for (const sim of SIMULATORS)
    it(`matches the model under ${sim}`, async () => {
      const t = att.get(D.cfg.name)!.trace;
      const r = await runUnit(D, t, sim);
      expect(r.failed, r.stdout).toBe(0);
      expect(r.passed).toBe(t.cycles.length);
    });
});

it('the elsa_attention testbench reports a wrong partial', async () => {
  const full: Trace = att.get('small')!.trace;
  const i = full.cycles.findIndex((c, j) => j > 40 && c.out?.part_full === 1);
  expect(i).toBeGreaterThan(0);
  // hold is the last port, so the lowest checked bit: leave it unchecked there to make it part_o[0]
  const t: Trace = {
    ...full,
    cycles: full.cycles.map((c, j) => (j === i ? { ...c, out: { ...c.out, hold: null } } : c)),
  };
  expect(t.outputs.at(-2)?.name).toBe('part_o');
  const r = await runUnit(small, t, 'iverilog', { corrupt: i });
  expect(r.failed).toBe(1);
  expect(r.passed).toBe(t.cycles.length - 1);
  expect(r.stdout).toMatch(new RegExp(`MISMATCH cycle ${i}:`));
});
