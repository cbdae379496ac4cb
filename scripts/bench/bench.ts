// Benchmark (not part of the tests): for each config and threshold knob p, run the generated design
// under Verilator on the same random inputs and tabulate cycles per query against the analytic bound,
// attention-module utilisation, speedup over p = 0, simulation speed, generation time and (optionally) area.
// Usage: npx tsx scripts/bench/bench.ts [--configs small,kwt1,paper] [--ps 0,0.5,1,2,4] [--synth xilinx]
//        [--out build/bench]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/gen/config.ts';
import { queryBound, steadyRatio } from './query-bound.ts';
import { renderDesign } from '../../src/gen/generate.ts';
import { thresholdSweep } from '../../src/sim/stimulus.ts';
import { predictCycles, stageCycles, type StageCycles } from '../../src/perf/cycles.ts';
import { runTop } from '../../src/sim/top.ts';
import { REPO_ROOT } from '../../src/gen/render.ts';
import { reportJson, synthesize, type Target } from '../../src/synth/index.ts';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const configs = opt('configs', 'small,kwt1,paper').split(',');
const ps = opt('ps', '0,0.5,1,2,4').split(',').map(Number);
const synthTarget = opt('synth', '');
const outDir = opt('out', join(REPO_ROOT, 'build', 'bench'));
const SEED = 2021;

export interface BenchRow {
  config: string;
  p: number;
  t: number;
  n: number;
  selected: number;
  cyclesPre: number;
  cyclesExec: number;
  modelExec: number;
  perQuery: number;
  bound: number;
  ratio: number;
  /** Steady state: output-row gaps after the first quarter of the rows over their bounds (from the cycle model,
   *  whose exec count equals the RTL's in this row). */
  steady: number;
  /** Mean over queries of the slowest stage's cycles (stageCycles), and how often each stage is it. */
  structural: number;
  limits: Record<keyof StageCycles, number>;
  utilisation: number;
  speedup: number;
  simCyclesPerSec: number;
}

async function benchConfig(spec: string): Promise<{ rows: BenchRow[]; genMs: number; area?: unknown }> {
  const D = loadConfig(spec);
  const g0 = performance.now();
  renderDesign(D);
  const genMs = performance.now() - g0;
  const n = D.cfg.nMax;
  const rows: BenchRow[] = [];
  let exec0 = 0;
  for (const { p, t, inv } of thresholdSweep(D, ps, SEED)) {
    const t0 = performance.now();
    const r = await runTop(D, [inv], 'verilator', { tag: `bench-p${p}` });
    const wall = (performance.now() - t0) / 1000;
    if (r.failed || r.passed !== n)
      throw new Error(`${D.cfg.name} p=${p}: ${r.failed} output rows differ from the model`);
    const tr = r.stimulus.traces[0]!;
    const pred = predictCycles(D, tr);
    const m = r.invocations[0];
    const sel = tr.queries.flatMap((q) => q.candidates);
    const selected = sel.filter(Boolean).length / sel.length;
    const bounds = tr.queries.map((q) => queryBound(D, q.banks, n));
    const bound = bounds.reduce((s, x) => s + x, 0) / n;
    let structural = 0;
    const limits = { hash: 0, bank: 0, outputDiv: 0 };
    for (const q of tr.queries) {
      const st = stageCycles(D, q.banks);
      const top = Math.max(st.hash, st.bank, st.outputDiv);
      structural += top / n;
      limits[(['bank', 'outputDiv', 'hash'] as const).find((x) => st[x] === top)!] += 1 / n;
    }
    if (p === 0) exec0 = m.exec;
    rows.push({
      config: D.cfg.name,
      p,
      t: Math.round(t * 1e4) / 1e4,
      n,
      selected,
      cyclesPre: m.pre,
      cyclesExec: m.exec,
      modelExec: pred.exec,
      perQuery: m.exec / n,
      bound,
      ratio: m.exec / n / bound,
      steady: steadyRatio(pred.perQuery, bounds),
      structural,
      limits,
      utilisation: sel.filter(Boolean).length / (m.exec * D.cfg.pA),
      speedup: exec0 ? exec0 / m.exec : 1,
      simCyclesPerSec: (m.pre + m.exec) / (r.runSeconds || wall),
    });
    console.error(
      `  ${D.cfg.name} p=${p}: ${(100 * selected).toFixed(1)}% keys, ` +
        `exec ${m.exec} cycles (model ${pred.exec}), ${wall.toFixed(1)} s`,
    );
  }
  let area: unknown;
  if (synthTarget) {
    // the deterministic part of the report (no timings or paths), with a time limit per module
    area = JSON.parse(reportJson(await synthesize(D, synthTarget as Target, { moduleTimeoutSec: 900 })));
  }
  return { rows, genMs, area };
}

const all: BenchRow[] = [];
const meta: Record<string, { genMs: number; area?: unknown; ideal: number }> = {};
for (const c of configs) {
  console.error(`bench ${c}`);
  const r = await benchConfig(c);
  all.push(...r.rows);
  const D = loadConfig(c);
  meta[c] = {
    genMs: Math.round(r.genMs),
    area: r.area,
    ideal: (2 * D.cfg.nMax * D.cfg.nMax * D.cfg.d) / (2 * D.cfg.d * D.cfg.pA),
  };
}
const f = (x: number, d = 2) => x.toFixed(d);
const limitText = (l: BenchRow['limits']) =>
  (Object.entries(l) as [string, number][])
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${Math.round(100 * v)}%`)
    .join(', ');
/** One Markdown table row: `| a | b | c |`. */
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const lines = [
  row([
    'config',
    'p',
    't',
    'keys selected',
    'cycles/query',
    'bound/query',
    'RTL/bound',
    'steady state/bound',
    'slowest stage/query',
    'RTL/slowest stage',
    'slowest stage (share of queries)',
    'attention utilisation',
    'speedup vs p=0',
    'exec cycles (RTL = model)',
    'pre cycles',
    'sim cycles/s',
  ]),
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...all.map((r) =>
    row([
      r.config,
      r.p,
      f(r.t, 3),
      `${f(100 * r.selected, 1)}%`,
      f(r.perQuery),
      f(r.bound),
      f(r.ratio, 3),
      f(r.steady, 3),
      f(r.structural),
      f(r.perQuery / r.structural, 3),
      limitText(r.limits),
      `${f(100 * r.utilisation, 1)}%`,
      `${f(r.speedup)}×`,
      `${r.cyclesExec}${r.cyclesExec === r.modelExec ? '' : ` (model ${r.modelExec})`}`,
      r.cyclesPre,
      Math.round(r.simCyclesPerSec),
    ]),
  ),
  '',
  row([
    'config',
    'generation (ms)',
    'exact-mode execution / ideal (2n²d MACs on 2d·P_a multipliers)',
    'whole run / ideal',
  ]),
  '|---|---|---|---|',
  ...configs.map((c) => {
    const r0 = all.find((r) => r.config === loadConfig(c).cfg.name && r.p === 0)!;
    const { genMs, ideal } = meta[c];
    return row([r0.config, genMs, f(r0.cyclesExec / ideal, 4), f((r0.cyclesExec + r0.cyclesPre) / ideal, 4)]);
  }),
];
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'bench.md'), lines.join('\n') + '\n');
writeFileSync(join(outDir, 'bench.json'), JSON.stringify({ seed: SEED, ps, rows: all, meta }, null, 2) + '\n');
console.log(lines.join('\n'));
