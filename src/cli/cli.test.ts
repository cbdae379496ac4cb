// The command line end to end: determinism, atomic output, and one clear message per user error.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../gen/render.ts';

const BIN = join(REPO_ROOT, 'bin', 'elsa-gen.js');
const TMP = join(REPO_ROOT, 'build', 'cli-test');
const cli = (args: string[], env?: Record<string, string>) =>
  execa(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, reject: false, env, extendEnv: !env });
const readDir = (d: string) =>
  Object.fromEntries(
    readdirSync(d)
      .sort()
      .map((f) => [f, readFileSync(join(d, f), 'utf8')]),
  );

describe('elsa-gen generate', () => {
  it.each(['small', 'paper'])('is byte-identical across runs (%s)', async (preset) => {
    const a = join(TMP, `${preset}-a`),
      b = join(TMP, `${preset}-b`);
    for (const d of [a, b]) expect((await cli(['generate', preset, '-o', d])).exitCode).toBe(0);
    const fa = readDir(a);
    expect(fa).toEqual(readDir(b));
    expect(Object.keys(fa)).toContain('elsa_top.v');
    expect(fa['files.f'].trim().split('\n').at(-1)).toBe('elsa_axi.v');
    // no absolute paths or dates in any output
    for (const text of Object.values(fa)) {
      expect(text).not.toContain(REPO_ROOT);
      expect(text).not.toMatch(/20\d\d-\d\d-\d\d/);
    }
    expect(fa['elsa_top.v']).toContain(`hardware hash: ${JSON.parse(fa['manifest.json']).hwHash}`);
  });

  it('rejects a bad config with one line naming the field, and writes nothing', async () => {
    mkdirSync(TMP, { recursive: true });
    const cfg = join(TMP, 'bad.json');
    writeFileSync(cfg, JSON.stringify({ name: 'bad', nMax: 30, d: 64, k: 64, pA: 4, pC: 2, mH: 64, mO: 8 }));
    const out = join(TMP, 'bad-out');
    rmSync(out, { recursive: true, force: true });
    const r = await cli(['generate', cfg, '-o', out]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe(
      'elsa-gen: config error: pA must divide nMax = 30, not 4 (fix: choose pA from {1, 2, 3, 5, 6, 10, 15})',
    );
    expect(r.stderr).not.toMatch(/at .*\.(ts|js):\d+/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dirname(out)).filter((f) => f.includes('tmp'))).toEqual([]);
  });

  it('reports a malformed config file', async () => {
    const cfg = join(TMP, 'broken.json');
    writeFileSync(cfg, '{ "name": "x", ');
    const r = await cli(['validate', cfg]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^elsa-gen: config file .*broken\.json is not valid JSON: /);
  });
});

describe('elsa-gen vectors and sim', () => {
  it('refuses vectors made for another config', async () => {
    const v = join(TMP, 'vec-paper');
    expect((await cli(['vectors', 'kwt1', '-o', v])).exitCode).toBe(0);
    const r = await cli(['sim', 'small', '--sim', 'iverilog', '--vectors', v]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        'vectors in .* are for hardware hash [0-9a-f]{12}, config small has [0-9a-f]{12}: ' +
          'regenerate them with elsa-gen vectors',
      ),
    );
  });
  it('reports missing and corrupted vector files', async () => {
    const r1 = await cli(['sim', 'small', '--vectors', join(TMP, 'nowhere')]);
    expect(r1.exitCode).toBe(2);
    expect(r1.stderr).toMatch(/has no stim\.hex\/stim\.meta \(make them with: elsa-gen vectors small/);
    const v = join(TMP, 'vec-corrupt');
    await cli(['vectors', 'small', '-o', v]);
    writeFileSync(join(v, 'stim.meta'), 'garbage\n');
    const r2 = await cli(['sim', 'small', '--vectors', v]);
    expect(r2.stderr).toMatch(/stim\.meta is corrupted/);
  });
  it('runs vectors from a folder and passes', async () => {
    const v = join(TMP, 'vec-small');
    await cli(['vectors', 'small', '-s', '3', '-o', v]);
    const r = await cli(['sim', 'small', '--sim', 'iverilog', '--vectors', v, '-o', join(TMP, 'sim-small')]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^45 passed, 0 failed$/m);
  });
  it('rejects input vectors that do not fit the config', async () => {
    const f = join(TMP, 'in.json');
    writeFileSync(f, JSON.stringify({ invocations: [{ t: 0.5, K: [[1, 2, 3]], V: [[1, 2, 3]], Q: [[1, 2, 3]] }] }));
    const r = await cli(['vectors', 'small', '-i', f, '-o', join(TMP, 'v-in')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toMatch(/invocations\[0\]\.K\[0\] must have d = 16 numbers$/);
  });
  it('rejects an unknown simulator', async () => {
    const r = await cli(['sim', 'small', '--sim', 'modelsim']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe(
      "elsa-gen: option '--sim <simulator>' argument 'modelsim' is invalid. " +
        'Expected one of iverilog, verilator. (see --help)',
    );
  });
  it('says how to install a missing simulator', async () => {
    // a PATH with node but without the simulators
    const bin = join(TMP, 'only-node');
    mkdirSync(bin, { recursive: true });
    if (!existsSync(join(bin, 'node'))) symlinkSync(process.execPath, join(bin, 'node'));
    const r = await cli(['sim', 'small', '--sim', 'verilator', '-o', join(TMP, 'sim-nover')], {
      PATH: bin,
      HOME: process.env.HOME ?? '/root',
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe(
      'elsa-gen: verilator not found on PATH: install it with apt-get install verilator (or run bash scripts/setup.sh)',
    );
  });
});
