// elsa_output_div against outputDivision() (./model.ts), under both simulators, plus lint.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { join } from 'node:path';
import { resolveConfig, PRESETS } from '../../gen/config.ts';
import { ConfigError } from '../../spec/errors.ts';
import { REPO_ROOT } from '../../gen/render.ts';
import { SIMULATORS } from '../../sim/run.ts';
import { runUnit, writeModuleFiles } from '../../../tb/harness.ts';
import { outputDivTrace } from './trace.ts';

const configs = [
  resolveConfig(PRESETS.small),
  resolveConfig({ name: 'od_paper', nMax: 512, d: 64, k: 64, pA: 4, pC: 8, mH: 256, mO: 16 }),
  resolveConfig({ name: 'od_pa1', nMax: 24, d: 32, k: 32, pA: 1, pC: 3, mH: 32, mO: 32 }),
  resolveConfig({
    name: 'od_pa3',
    nMax: 48,
    d: 48,
    k: 48,
    pA: 3,
    pC: 4,
    mH: 32,
    mO: 6,
    formats: { out: { int: 5, frac: 6 } },
  }),
  // one partial per bank (no overlap), with and without the extra stages; one chunk per row with overlap
  resolveConfig({ ...PRESETS.small, name: 'od_single', partialBuffers: 1 }),
  resolveConfig({ ...PRESETS.small, name: 'od_single_x2', partialBuffers: 1, pipeline: { outputDiv: 2 } }),
  resolveConfig({ ...PRESETS.small, name: 'od_copy_x1', pipeline: { outputDiv: 1 } }),
  // the cut start stage (outputDiv 4): both partial-buffer settings with the O split (small: 33-bit O), and the
  // reciprocal split (ice40 formats: 25-bit O) with three banks and one chunk per row (next start at 2)
  resolveConfig({ ...PRESETS.small, name: 'od_copy_x4', pipeline: { outputDiv: 4 } }),
  resolveConfig({ ...PRESETS.small, name: 'od_single_x4', partialBuffers: 1, pipeline: { outputDiv: 4 } }),
  resolveConfig({
    name: 'od_pa3_x4',
    nMax: 12,
    d: 16,
    k: 16,
    pA: 3,
    pC: 3,
    mH: 32,
    mO: 16,
    formats: { accGuard: 4, recipFrac: 8, expConstFrac: 8, simFrac: 5 },
    pipeline: { outputDiv: 4 },
  }),
  resolveConfig({
    name: 'od_pa1_x2',
    nMax: 24,
    d: 32,
    k: 32,
    pA: 1,
    pC: 3,
    mH: 32,
    mO: 32,
    pipeline: { outputDiv: 2 },
  }),
];

describe.each(configs.map((D) => [D.cfg.name, D] as const))('elsa_output_div, config %s', (_n, D) => {
  const trace = outputDivTrace(D, 21);

  for (const sim of SIMULATORS)
    it(`matches outputDivision() cycle by cycle under ${sim}`, async () => {
      const r = await runUnit(D, trace, sim);
      expect(r.failed, r.stdout).toBe(0);
      expect(r.passed).toBe(trace.cycles.length);
    });

  it('is lint-clean (verilator -Wall, iverilog -Wall, yosys check -assert)', async () => {
    const dir = join(REPO_ROOT, 'build', 'lint', `${D.cfg.name}-${D.hwHash}-elsa_output_div`);
    const files = writeModuleFiles(D, 'elsa_output_div', dir).map((f) => join(dir, f));
    const vl = await execa('verilator', ['--lint-only', '-Wall', '--top-module', 'elsa_output_div', ...files], {
      reject: false,
      all: true,
    });
    expect(vl.exitCode, vl.all).toBe(0);
    expect(vl.all).toBe('');
    const iv = await execa('iverilog', ['-g2005', '-Wall', '-o', join(dir, 'lint.vvp'), ...files], {
      reject: false,
      all: true,
    });
    expect(iv.exitCode, iv.all).toBe(0);
    expect(iv.all).toBe('');
    const ys = await execa(
      'yosys',
      [
        '-q',
        '-p',
        `${files.map((f) => `read_verilog ${f}`).join('; ')}; ` +
          'hierarchy -check -top elsa_output_div; proc; check -assert',
      ],
      { reject: false, all: true },
    );
    expect(ys.exitCode, ys.all).toBe(0);
    expect(ys.all).toBe('');
  });
});

it('rejects an output format wider than the rounded product', () => {
  // 1-bit Q/K/V, no guard bits, 4 reciprocal fraction bits: a 16-bit rounded product, 17 output bits
  const cfg = {
    name: 'od_wide_out',
    nMax: 8,
    d: 16,
    k: 16,
    pA: 1,
    pC: 2,
    mH: 16,
    mO: 16,
    formats: { qkv: { int: 0, frac: 0 }, out: { int: 16, frac: 0 }, accGuard: 0, recipFrac: 4 },
  };
  expect(() => resolveConfig(cfg)).toThrow(ConfigError);
  expect(() => resolveConfig(cfg)).toThrow(/formats\.out 17 output bits exceed the 16-bit rounded product/);
});
