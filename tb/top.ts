// Top-level harness: generate the design and the top testbench, write the golden stimulus, simulate.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DesignSpec } from '../src/units/design.ts';
import { REPO_ROOT, renderTemplate } from '../src/gen/render.ts';
import { renderDesign } from '../src/gen/generate.ts';
import { simulate, type Simulator, type SimResult } from '../src/sim/run.ts';
import { buildStimulus, type Invocation, type Stimulus } from '../src/sim/stimulus.ts';

export interface TopRun extends SimResult { dir: string; stimulus: Stimulus; invocations: { n: number; pre: number; exec: number }[] }
export interface TopOptions { stall?: number; seed?: number; waves?: string; tag?: string; corrupt?: boolean; hashOverride?: string; dir?: string }

export function renderTopTb(D: DesignSpec, words: number, watchdogNs: number): string {
  return renderTemplate(join(REPO_ROOT, 'tb', 'top_tb.v.ejs'), { D, words: Math.max(1, words), watchdogNs });
}

/** A fresh folder holding the design's Verilog files; returns them. */
export function writeDesignRtl(D: DesignSpec, dir: string): { path: string }[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const rtl = renderDesign(D).filter((f) => f.path.endsWith('.v'));
  for (const f of rtl) writeFileSync(join(dir, f.path), f.content);
  return rtl;
}

/** Write RTL + tb.v + stim files into a folder; returns the Verilog source list. */
export function writeTopBench(D: DesignSpec, dir: string, stim: Stimulus, opts: TopOptions = {}): string[] {
  const rtl = writeDesignRtl(D, dir);
  let hex = stim.hex;
  if (opts.corrupt) {
    // flip the lowest bit of the last expected output word
    const ls = hex.trim().split('\n');
    ls[ls.length - 1] = (BigInt(`0x${ls[ls.length - 1]}`) ^ 1n).toString(16);
    hex = ls.join('\n') + '\n';
  }
  writeFileSync(join(dir, 'stim.hex'), hex);
  writeFileSync(join(dir, 'stim.meta'), opts.hashOverride ? stim.meta.replace(D.hwHash, opts.hashOverride) : stim.meta);
  const totalN = stim.traces.reduce((s, t) => s + (t ? t.out.length : 0), 0);
  // generous bound: every key and query through the slowest stage, with stalls
  const watchdogNs = 10 * (2000 + totalN * (D.hash.cycles + 4) * 4 + totalN * (D.cfg.nMax + 16) * 4) * (1 + (opts.stall ?? 0) / 20);
  writeFileSync(join(dir, 'tb.v'), renderTopTb(D, stim.words, Math.round(watchdogNs)));
  return [...rtl.map((f) => f.path), 'tb.v'];
}

export async function runTop(D: DesignSpec, invs: Invocation[], sim: Simulator, opts: TopOptions = {}): Promise<TopRun> {
  const stim = buildStimulus(D, invs);
  const dir = opts.dir ?? join(REPO_ROOT, 'build', 'top', `${D.cfg.name}-${D.hwHash}-${sim}${opts.tag ? `-${opts.tag}` : ''}`);
  const sources = writeTopBench(D, dir, stim, opts);
  const r = await simulate({ sim, workDir: dir, sources, plusargs: [`stall=${opts.stall ?? 0}`, `seed=${opts.seed ?? 1}`], waves: opts.waves });
  const invocations = [...r.stdout.matchAll(/^INVOCATION \d+ n=(\d+) CYCLES_PRE (\d+) CYCLES_EXEC (\d+)$/gm)].map((m) => ({ n: +m[1], pre: +m[2], exec: +m[3] }));
  return { ...r, dir, stimulus: stim, invocations };
}
