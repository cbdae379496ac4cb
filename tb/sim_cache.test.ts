// The Verilator build cache (src/sim/build.ts): a second simulation of the same config with other vectors
// (another length, another watchdog, stream gaps) reuses the compiled model, compiles nothing and still
// checks every row; a changed testbench, RTL file, flag or optimisation level is another build, and two
// workers asking for the same new build at once share one.
import { describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PRESETS, resolveConfig } from '../src/gen/config.ts';
import { REPO_ROOT } from '../src/gen/render.ts';
import { modelKey } from '../src/sim/build.ts';
import { simulate } from '../src/sim/run.ts';
import { buildStimulus, randomInvocation, type Invocation } from '../src/sim/stimulus.ts';
import { runTop, topPlusargs, writeTopBench } from '../src/sim/top.ts';
import { Rng } from '../src/spec/rng.ts';

const D = resolveConfig(PRESETS.small);
const rows = (invs: Invocation[]) => invs.reduce((s, v) => s + v.n, 0);

describe('Verilator build cache', () => {
  const rng = new Rng(41);
  const first = [randomInvocation(D, rng, 24, 0.4), randomInvocation(D, rng, 3, -2)];
  const second = [randomInvocation(D, rng, 11, 0.2), randomInvocation(D, rng, 24, 0.6), randomInvocation(D, rng, 1, 0)];

  it('a second run with vectors of another length does not rebuild, and checks every row', async () => {
    const a = await runTop(D, first, 'verilator', { tag: 'cache-a', opt: 'build' });
    expect(a.failed, a.stdout.slice(0, 2000)).toBe(0);
    expect(a.problems).toEqual([]);
    const exe = a.build!.exe;
    const built = statSync(exe).mtimeMs;
    const b = await runTop(D, second, 'verilator', { tag: 'cache-b', opt: 'build', stall: 15, seed: 4 });
    expect(b.stimulus.words).not.toBe(a.stimulus.words);
    expect(b.build!.cached).toBe(true);
    expect(b.build!.exe).toBe(exe);
    expect(statSync(exe).mtimeMs).toBe(built);
    expect(b.failed, b.stdout.slice(0, 2000)).toBe(0);
    expect(b.passed).toBe(rows(second));
    expect(b.problems).toEqual([]);
    // the cached model still compares every bit: one flipped bit of the last expected row is found
    const c = await runTop(D, second, 'verilator', { tag: 'cache-c', opt: 'build', corrupt: true });
    expect(c.build!.exe).toBe(exe);
    expect(c.failed).toBe(1);
    expect(c.stdout).toMatch(/MISMATCH invocation 2 query 0/);
  });

  it('the key covers every source file, the flags and the optimisation level', () => {
    const dir = join(REPO_ROOT, 'build', 'top', 'cache-key');
    const stim = buildStimulus(D, first);
    const files = writeTopBench(D, dir, stim).map((f) => join(dir, f));
    const key = (flags = ['--timing'], opt: 'build' | 'fast' = 'build') => modelKey('tools', flags, opt, files);
    const base = key();
    expect(key()).toBe(base);
    // another stimulus alone is not another build
    writeTopBench(D, dir, buildStimulus(D, second));
    expect(key()).toBe(base);
    expect(key(['--timing', '--trace-fst'])).not.toBe(base);
    expect(key(undefined, 'fast')).not.toBe(base);
    expect(modelKey('other verilator', ['--timing'], 'build', files)).not.toBe(base);
    for (const f of [files.find((x) => x.endsWith('elsa_exp.v'))!, join(dir, 'tb.v'), join(dir, 'sim.vlt')]) {
      appendFileSync(f, '// changed\n');
      expect(key(), f).not.toBe(base);
      writeTopBench(D, dir, stim);
      expect(key()).toBe(base);
    }
  });

  it('a changed testbench is a new build, shared by two runs that ask for it at once', async () => {
    const stim = buildStimulus(D, first);
    const dirs = ['cache-new-1', 'cache-new-2'].map((t) => join(REPO_ROOT, 'build', 'top', t));
    const nonce = `${process.pid}-${Date.now()}`;
    const sources = dirs.map((dir) => {
      const s = writeTopBench(D, dir, stim);
      appendFileSync(join(dir, 'tb.v'), `// cache test ${nonce}\n`);
      return s;
    });
    const rs = await Promise.all(
      dirs.map((workDir, i) =>
        simulate({ sim: 'verilator', workDir, sources: sources[i], plusargs: topPlusargs(D, stim), opt: 'build' }),
      ),
    );
    try {
      for (const r of rs) {
        expect(r.failed, r.stdout.slice(0, 2000)).toBe(0);
        expect(r.passed).toBe(rows(first));
      }
      expect(rs[0].build!.dir).toBe(rs[1].build!.dir);
      expect(rs.map((r) => r.build!.cached).sort()).toEqual([false, true]);
      const cache = join(REPO_ROOT, 'build', 'verilator-cache');
      const entry = rs[0].build!.dir.split('/').at(-1)!;
      expect(readdirSync(cache).filter((n) => n.startsWith(`${entry}.`))).toEqual([]);
    } finally {
      for (const r of rs) if (r.build && existsSync(r.build.dir)) rmSync(r.build.dir, { recursive: true, force: true });
    }
  }, 600_000);
});
