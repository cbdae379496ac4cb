// Two configurations in one design: with the `prefix` config field every module and .v file of a config is
// named <prefix><module>, so two generated designs sit side by side. Both are linted together (each top
// with both file sets loaded: a name clash would be a duplicate module) and simulated in one Verilator run,
// each through its own top testbench, every output row compared with its own fixed-point model.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRESETS, resolveConfig } from '../src/gen/config.ts';
import { renderDesign, renderRtl } from '../src/gen/generate.ts';
import { REPO_ROOT } from '../src/gen/render.ts';
import { simulate } from '../src/sim/run.ts';
import { buildStimulus, standardInvocations } from '../src/sim/stimulus.ts';
import { renderTopTb, stimBinary, watchdogCycles } from '../src/sim/top.ts';

const A = resolveConfig({ ...PRESETS.small, prefix: 'a_' });
const B = resolveConfig({ ...PRESETS.ice40, prefix: 'b_' });
const dir = join(REPO_ROOT, 'build', 'two-configs');

describe('two configurations in one design (prefix)', () => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const rtl = [A, B].flatMap((D) => renderRtl(D).filter((f) => f.path.endsWith('.v')));
  for (const f of rtl) writeFileSync(join(dir, f.path), f.content);

  it('names every module and .v file with the prefix and keeps the hardware hash', () => {
    expect(new Set(rtl.map((f) => f.path)).size).toBe(rtl.length);
    for (const f of rtl) {
      const prefix = f.path.startsWith('a_') ? 'a_' : 'b_';
      expect(f.path.startsWith(prefix), f.path).toBe(true);
      for (const m of f.content.matchAll(/^module (\w+)/gm)) expect(m[1].startsWith(prefix), m[1]).toBe(true);
    }
    expect(A.hwHash).toBe(resolveConfig(PRESETS.small).hwHash);
    const core = renderDesign(A).find((f) => f.path.endsWith('.core'))!;
    expect(core.path).toBe('a_small.core');
    expect(core.content).toMatch(/^name: elsa-gen:elsa:a_small:/m);
    expect(core.content).toMatch(/toplevel: a_elsa_axi$/m);
  });

  it.each(['a_elsa_axi', 'b_elsa_axi'])('lints %s with both designs loaded (verilator -Wall)', async (top) => {
    const r = await execa('verilator', ['--lint-only', '-Wall', '--top-module', top, ...rtl.map((f) => f.path)], {
      cwd: dir,
      reject: false,
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr.trim()).toBe('');
  });

  it('simulates both in one Verilator run, every row bit-exact', async () => {
    const sources = rtl.map((f) => f.path);
    const plusargs: string[] = [];
    for (const [D, p] of [
      [A, 'a_'],
      [B, 'b_'],
    ] as const) {
      const stim = buildStimulus(D, standardInvocations(D, 5));
      writeFileSync(join(dir, `${p}stim.bin`), stimBinary(D, stim.hex));
      writeFileSync(join(dir, `${p}stim.meta`), stim.meta);
      const tb = renderTopTb(D, { tbName: `tb_${p}`, argPrefix: p, shared: true });
      writeFileSync(join(dir, `tb_${p}.v`), tb);
      plusargs.push(`${p}watchdog=${Math.ceil(watchdogCycles(D, stim))}`);
      sources.push(`tb_${p}.v`);
    }
    writeFileSync(
      join(dir, 'tb_both.v'),
      [
        '`timescale 1ns / 1ps',
        'module tb_both;',
        '    tb_a_ a ();',
        '    tb_b_ b ();',
        '    initial begin',
        '        wait (a.finished && b.finished);',
        '        $finish;',
        '    end',
        'endmodule',
        '',
      ].join('\n'),
    );
    sources.push('tb_both.v');
    const r = await simulate({ sim: 'verilator', workDir: dir, sources, top: 'tb_both', plusargs });
    const summaries = [...r.stdout.matchAll(/^(\d+) passed, (\d+) failed$/gm)].map((m) => [+m[1], +m[2]]);
    const rows = (D: typeof A) => standardInvocations(D, 5).reduce((s, v) => s + v.n, 0);
    expect(
      summaries.map(([, f]) => f),
      r.stdout.slice(-2000),
    ).toEqual([0, 0]);
    expect(summaries.map(([p]) => p).sort((x, y) => x - y)).toEqual([rows(A), rows(B)].sort((x, y) => x - y));
  }, 600_000);
});
