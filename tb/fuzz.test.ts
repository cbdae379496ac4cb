// Random configuration fuzzing (seeded): valid configs generate, lint clean and simulate bit-exact (with
// stream stalls, and without them: then the cycle model must predict the RTL's counters exactly);
// invalid configs are rejected with one message naming the field, and nothing is written.
// FUZZ_SEED / FUZZ_COUNT widen the run outside CI (e.g. FUZZ_COUNT=50 npx vitest run tb/fuzz.test.ts).
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../src/gen/config.ts';
import { ConfigError } from '../src/spec/errors.ts';
import { generate } from '../src/gen/generate.ts';
import { invalidConfigs, randomValidConfig } from '../src/gen/fuzz.ts';
import { lintDesign } from '../src/gen/lint.ts';
import { REPO_ROOT } from '../src/gen/render.ts';
import { standardInvocations } from '../src/sim/stimulus.ts';
import { predictCycles } from '../src/perf/cycles.ts';
import { runTop } from '../src/sim/top.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 1000);
const COUNT = Number(process.env.FUZZ_COUNT ?? 5);
const seeds = Array.from({ length: COUNT }, (_, i) => SEED + i);

describe('valid config fuzzing', () => {
  it.each(seeds)('seed %i: generates, lints clean and simulates bit-exact under iverilog', async (seed) => {
    const raw = randomValidConfig(seed);
    const D = resolveConfig(raw);
    const findings = await lintDesign(D, join(REPO_ROOT, 'build', 'fuzz', D.cfg.name, 'lint'));
    expect(findings.map((f) => `${f.module} [${f.tool}] ${f.output}`).join('\n'), JSON.stringify(raw)).toBe('');
    const invs = standardInvocations(D, seed);
    const r = await runTop(D, invs, 'iverilog', { tag: 'fuzz', stall: 10, seed });
    expect(r.failed, `${JSON.stringify(raw)}\n${r.stdout.slice(0, 2000)}`).toBe(0);
    expect(r.passed).toBe(invs.reduce((s, v) => s + v.n, 0));
    // without stream stalls the cycle model predicts the RTL's counters exactly
    const free = await runTop(D, invs, 'iverilog', { tag: 'fuzz-free', seed });
    expect(free.failed, JSON.stringify(raw)).toBe(0);
    const predicted = free.stimulus.traces.map((t) => predictCycles(D, t!)).map((p) => [p.pre, p.exec]);
    expect(
      free.invocations.map((x) => [x.pre, x.exec]),
      JSON.stringify(raw),
    ).toEqual(predicted);
  });
});

describe('invalid config fuzzing', () => {
  it.each(seeds)('seed %i: every broken rule is rejected naming its field, before anything is written', (seed) => {
    for (const c of invalidConfigs(seed)) {
      const out = join(REPO_ROOT, 'build', 'fuzz', `invalid-${seed}`);
      let err: unknown;
      try {
        generate(resolveConfig(c.raw), out);
      } catch (e) {
        err = e;
      }
      expect(err, `${c.why}: ${JSON.stringify(c.raw)}`).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      expect(msg.startsWith(`config error: ${c.field}`), `${c.why}: "${msg}"`).toBe(true);
      expect(msg.split('\n').length).toBe(1);
      expect(existsSync(out)).toBe(false);
    }
  });
});
