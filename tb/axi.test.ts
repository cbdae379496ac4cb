// The AXI wrapper elsa_axi: the golden invocations of the top-level test driven through AXI4-Lite
// registers and AXI4-Stream ports, under both simulators, for the small preset and a matrix config
// with a different output format, P_a = 3 and d = 48. Without stalls the cycle counters read back over
// AXI4-Lite equal the cycle model (the wrapper adds no latency); with random gaps and backpressure on
// every stream and every AXI4-Lite channel every row and its tlast still match.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRESETS, resolveConfig } from '../src/gen/config.ts';
import { MATRIX } from '../src/gen/matrix.ts';
import { renderDesign } from '../src/gen/generate.ts';
import { withDeps } from '../src/gen/modules.ts';
import { REPO_ROOT } from '../src/gen/render.ts';
import { SIMULATORS } from '../src/sim/run.ts';
import { predictCycles } from '../src/perf/cycles.ts';
import { axiInvocations, runAxi } from './axi.ts';

// m_topm_d32: top-m selection, with the M register written per invocation; small with kvBuffers 2 (two
// invocations may be in flight; this host runs them one at a time, START accepted while BUSY is low)
const configs = [
  PRESETS.small,
  ...['m_d48_k48', 'm_topm_d32'].map((n) => MATRIX.find((c) => c.name === n)!),
  { ...PRESETS.small, name: 'small_kvb2', kvBuffers: 2 as const },
].map((c) => resolveConfig(c));

describe.each(configs.map((D) => [D.cfg.name, D] as const))('elsa_axi, config %s', (_n, D) => {
  const invs = axiInvocations(D);
  const rows = invs.filter((v) => v.n >= 1 && v.n <= D.cfg.nMax).reduce((s, v) => s + v.n, 0);
  for (const sim of SIMULATORS) {
    it(`is bit-exact through AXI under ${sim}, and its cycle counters match the model`, async () => {
      const r = await runAxi(D, invs, sim);
      expect(r.failed, r.stdout.slice(0, 3000)).toBe(0);
      expect(r.rows).toBe(rows);
      expect(r.rejected).toBe(3);
      expect(r.checks).toBeGreaterThan(100);
      expect(r.passed).toBe(r.rows + r.checks);
      const predicted = r.stimulus.traces
        .filter((t) => t !== null)
        .map((t) => predictCycles(D, t!))
        .map((p) => [p.pre, p.exec]);
      expect(r.invocations.map((x) => [x.pre, x.exec])).toEqual(predicted);
    });
    it(`survives random gaps and backpressure on every stream and AXI4-Lite channel under ${sim}`, async () => {
      const r = await runAxi(D, invs, sim, { stall: 60, seed: 3, tag: 'stall' });
      expect(r.failed, r.stdout.slice(0, 3000)).toBe(0);
      expect(r.rows).toBe(rows);
      expect(r.passed).toBe(r.rows + r.checks);
      // every channel saw a valid wait for its ready, and the gaps cost cycles
      for (const ch of ['kv', 'q', 'o', 'aw', 'w', 'b', 'ar', 'r']) expect(r.waits[ch], ch).toBeGreaterThan(0);
      const predicted = r.stimulus.traces.filter((t) => t !== null).map((t) => predictCycles(D, t!));
      expect(r.invocations.some((x, i) => x.pre + x.exec > predicted[i].pre + predicted[i].exec)).toBe(true);
    });
  }
});

describe('elsa_axi, self-check and lint', () => {
  const D = configs[0];
  it('reports a corrupted expected output word', async () => {
    const r = await runAxi(D, axiInvocations(D), 'iverilog', { corrupt: true, tag: 'corrupt' });
    expect(r.failed).toBe(1);
    expect(r.stdout).toMatch(/MISMATCH invocation 3 query 0/);
  });
  it('is clean under verilator -Wall, iverilog -Wall and yosys check -assert', async () => {
    const dir = join(REPO_ROOT, 'build', 'axi', `lint-${D.cfg.name}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const f of renderDesign(D)) writeFileSync(join(dir, f.path), f.content);
    const files = withDeps('elsa_axi').map((m) => `${m}.v`);
    const runs: [string, string[]][] = [
      ['verilator', ['--lint-only', '-Wall', '--top-module', 'elsa_axi', ...files]],
      ['iverilog', ['-g2005', '-Wall', '-o', '/dev/null', '-s', 'elsa_axi', ...files]],
      ['yosys', ['-q', '-p', `read_verilog ${files.join(' ')}; hierarchy -check -top elsa_axi; proc; check -assert`]],
    ];
    for (const [tool, args] of runs) {
      const r = await execa(tool, args, { cwd: dir, reject: false });
      expect(`${tool}: exit ${r.exitCode} ${r.stdout}${r.stderr}`.trim()).toBe(`${tool}: exit 0`);
    }
  });
});
