// The hash computation module (elsa_hash) against the fixed-point model, under both simulators,
// for shapes covering one and several Kronecker factor sizes, k < d, k = 2d and a single lane.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { resolveConfig, PRESETS } from '../../gen/config.ts';
import { REPO_ROOT, renderModule } from '../../gen/render.ts';
import { moduleByName, moduleNames } from '../../gen/modules.ts';
import { hashFixed } from './model.ts';
import type { DesignSpec } from '../design.ts';
import { Rng } from '../../spec/rng.ts';
import { SIMULATORS } from '../../sim/run.ts';
import { runUnit, writeModuleFiles } from '../../../tb/harness.ts';
import { hashTraceInfo, hashVectors, kronRow, projection } from './trace.ts';

const base = { nMax: 32, pA: 2, pC: 2, mO: 8 };
const configs = [
  resolveConfig(PRESETS.small), // 4 ⊗ 4, 8 lanes
  resolveConfig({ ...base, name: 'hash_paper', d: 64, k: 64, mH: 256 }), // 4 ⊗ 4 ⊗ 4, 3 steps
  resolveConfig({ ...base, name: 'hash_k32', d: 64, k: 32, mH: 64 }), // first factor 2×4
  resolveConfig({ ...base, name: 'hash_k2d', d: 32, k: 64, mH: 16 }), // two blocks, 4 ⊗ 4 ⊗ 2
  resolveConfig({ ...base, name: 'hash_d48', d: 48, k: 48, mH: 24 }), // 4 ⊗ 4 ⊗ 3
  resolveConfig({ ...PRESETS.small, name: 'hash_mh5', mH: 5 }), // one lane
];
// Edge shapes, Icarus only (keeps the file's cold-cache runtime near a minute): one Kronecker mode
// done in a single step (S = 1), and a factor reduced to one row (d = 6, k = 3: 3x3 ⊗ 1x2).
const edges = [
  resolveConfig({ ...base, nMax: 8, name: 'hash_one_step', d: 4, k: 4, mH: 16, mO: 4 }),
  resolveConfig({ ...base, nMax: 8, name: 'hash_row1', d: 6, k: 3, mH: 9, mO: 6 }),
];
// pipeline.hash (the configs above have the default, 1): every depth on small, the rest on shapes with idle slots at
// mode boundaries (paper's one step per mode), two blocks, mixed factor sizes, one lane, a single step (padded slots),
// a one-row factor and a single mode (the last slot reads buffer 0); 0 is the first RTL's unpipelined unit.
const hp = (D: DesignSpec, hash: number, extra: object = {}) =>
  resolveConfig({ ...D.cfg, ...extra, name: `${D.cfg.name}_h${hash}`, pipeline: { ...D.cfg.pipeline, hash } });
const piped = [hp(configs[0], 0), hp(configs[0], 3), hp(configs[1], 0), hp(configs[3], 2)];
const pipedIcarus = [
  hp(configs[0], 2, { dataEnables: false }),
  hp(configs[1], 3),
  hp(configs[2], 0),
  hp(configs[2], 2),
  hp(configs[3], 0),
  hp(configs[4], 0),
  hp(configs[4], 2),
  hp(configs[5], 0),
  hp(configs[5], 3),
  hp(edges[0], 0),
  hp(edges[0], 2),
  hp(edges[1], 0),
  hp(edges[1], 3),
  hp(resolveConfig(PRESETS.ice40), 1),
];
const VECTORS = 30;

describe('hash model and schedule', () => {
  it.each([...configs, ...edges].map((D) => [D.cfg.name, D] as const))(
    '%s: hashFixed = sign of the explicit Kronecker product',
    (_n, D) => {
      const xs = hashVectors(D, 3, 40);
      const rng = new Rng(4);
      for (let i = 0; i < 20; i++) xs.push(Array.from({ length: D.cfg.d }, () => rng.int(-3, 3))); // many exact zeros
      for (const x of xs) {
        const want = Array.from({ length: D.cfg.k }, (_, j) => (projection(D, x, j) >= 0 ? 1 : 0));
        expect(hashFixed(D, x)).toEqual(want);
      }
    },
  );
  it.each([...configs, ...edges].map((D) => [D.cfg.name, D] as const))(
    '%s: worst-case projections fit bufW',
    (_n, D) => {
      const lim = 2 ** (D.hash.buffer.bits - 1);
      for (let j = 0; j < D.cfg.k; j++) {
        const row = kronRow(D, Math.floor(j / D.hash.kb), j % D.hash.kb);
        const worst = row.reduce((s, a) => s + Math.abs(a) * 2 ** (D.qkv.bits - 1), 0);
        expect(worst).toBeLessThanOrEqual(lim);
      }
    },
  );
});

const cases = [
  ...configs.map((D) => [D.cfg.name, D, SIMULATORS] as const),
  ...edges.map((D) => [D.cfg.name, D, ['iverilog'] as const] as const),
  ...piped.map((D) => [D.cfg.name, D, SIMULATORS] as const),
  ...pipedIcarus.map((D) => [D.cfg.name, D, ['iverilog'] as const] as const),
];
describe.each(cases)('elsa_hash, config %s', (_n, D, sims) => {
  const S = D.hash.cycles;
  const { trace, accepted } = hashTraceInfo(D, 21, VECTORS);

  it('uses at most m_h multipliers', () => {
    const m = moduleByName('elsa_hash');
    const src = renderModule(D, m, moduleNames(D));
    const muls = (src.match(/ \* /g) ?? []).length / (D.hash.split ? 2 : 1); // split: two partial products
    expect(muls).toBeGreaterThanOrEqual(D.hash.fMax);
    expect(muls).toBeLessThanOrEqual(Math.min(D.cfg.mH, D.hash.lanes * D.hash.fMax));
  });

  it('trace covers back-to-back starts, gaps and dropped vectors', () => {
    const answered = accepted.filter((a) => a.done >= 0);
    // the reset drops the vector in flight (with pipeline stages possibly the one before it, too)
    expect(VECTORS - answered.length).toBeGreaterThanOrEqual(1);
    expect(VECTORS - answered.length).toBeLessThanOrEqual(D.hash.stages ? 2 : 1);
    for (const a of answered) expect(a.done - a.cycle).toBe(D.hash.latency);
    // Back to back: without stages one vector per S cycles when the last step leaves buffer 0 free, else per
    // S + 1; with stages one per issue slots (the next start in the last slot), at most two in flight.
    if (D.hash.stages) {
      expect(D.hash.period).toBe(D.hash.slots.length);
      expect(D.hash.latency).toBeLessThanOrEqual(2 * D.hash.period);
    } else {
      expect(D.hash.period).toBe(D.hash.overlap ? S : S + 1);
      expect(D.hash.latency).toBe(S + 1);
    }
    expect(accepted[1].cycle - accepted[0].cycle).toBe(D.hash.period);
    expect(accepted.some((a, i) => i > 0 && a.cycle - accepted[i - 1].cycle > D.hash.period)).toBe(true);
  });

  it('is clean under verilator -Wall, iverilog -Wall and yosys check', async () => {
    const dir = join(REPO_ROOT, 'build', 'unit', `${D.cfg.name}-${D.hwHash}-elsa_hash-lint`);
    rmSync(dir, { recursive: true, force: true });
    writeModuleFiles(D, 'elsa_hash', dir);
    const runs = await Promise.all([
      execa('verilator', ['--lint-only', '-Wall', 'elsa_hash.v'], { cwd: dir, reject: false }),
      execa('iverilog', ['-g2005', '-Wall', '-o', '/dev/null', 'elsa_hash.v'], { cwd: dir, reject: false }),
      execa('yosys', ['-q', '-p', 'read_verilog elsa_hash.v; hierarchy -check -top elsa_hash; proc; check -assert'], {
        cwd: dir,
        reject: false,
      }),
    ]);
    for (const r of runs) {
      expect(`${r.stdout}${r.stderr}`.trim(), r.command).toBe('');
      expect(r.exitCode, r.command).toBe(0);
    }
  });

  for (const sim of sims)
    it(`matches the model under ${sim}`, async () => {
      const r = await runUnit(D, trace, sim);
      expect(r.failed, r.stdout).toBe(0);
      expect(r.passed).toBe(trace.cycles.length);
    });
});
