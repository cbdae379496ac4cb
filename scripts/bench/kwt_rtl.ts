// KWT-1 real attention through the generated RTL (issue: real model, real thresholds).
// Thresholds per layer and p come from the calibration clips (paper's rule); the RTL (Verilator) then
// runs every layer's real Q, K, V of evaluation clips: every output row must equal the fixed-point model,
// and the measured execution cycles give the real speedup of each p over p = 0 on the same hardware.
// With --topm f1,f2,… the same config is built with top-m selection instead (no calibration): per layer
// m = ceil(f·n) for each fraction f, plus m = n (every key), and the execution cycles are compared with
// the threshold hardware's exact attention (t = -2, the cycle model) and the ideal accelerator (n²/P_a).
// Usage: npx tsx scripts/bench/kwt_rtl.ts [--clips build/clips] [--eval 3] [--config kwt1] [--out build/kwt-rtl]
//        [--topm 0.4,0.6]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, resolveConfig } from '../../src/gen/config.ts';
import { REPO_ROOT } from '../../src/gen/render.ts';
import { elsaFixed, quantize, quantizeThreshold } from '../../src/units/top/model.ts';
import { predictCycles } from '../../src/perf/cycles.ts';
import type { Invocation } from '../../src/sim/stimulus.ts';
import { loadClip } from '../../src/tflite/audio.ts';
import { KwtModel } from '../../src/tflite/interpreter.ts';
import { checkKwtConfig, collectCalibration, layerKey, thresholdsFor } from '../../src/eval/calibrate.ts';
import { loadManifest, splitClips } from '../../src/eval/clips.ts';
import { runTop } from '../../src/sim/top.ts';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const clipsDir = opt('clips', join(REPO_ROOT, 'build', 'clips'));
const nEval = Number(opt('eval', '3'));
const outDir = opt('out', join(REPO_ROOT, 'build', 'kwt-rtl'));
const topmFracs = args.includes('--topm') ? opt('topm', '').split(',').map(Number) : null;
if (topmFracs && topmFracs.some((f) => !(f > 0 && f <= 1))) throw new Error('--topm: fractions in (0, 1]');
const PS = topmFracs ? [1, ...topmFracs] : [0, 0.5, 1, 2, 4];

const base0 = loadConfig(opt('config', 'kwt1'));
const D = topmFracs ? resolveConfig({ ...base0.cfg, selection: 'topm' }) : base0;
checkKwtConfig(D);
const model = KwtModel.load();
const clips = loadManifest(clipsDir);
let thresholds: Record<string, number>[] = [];
if (!topmFracs) {
  console.error(`calibrating on ${splitClips(clips, 'calib', clipsDir).length} calib clips`);
  const calib = collectCalibration(model, splitClips(clips, 'calib', clipsDir), { progress: true });
  thresholds = PS.map((p) => thresholdsFor(calib, p));
}
const evalClips = splitClips(clips, 'eval', clipsDir).slice(0, nEval);

let saturated = 0,
  values = 0;
const q = (rows: Float32Array[]) =>
  rows.map((r) =>
    Array.from(r, (x) => {
      const v = quantize(x, D);
      values++;
      if (Math.abs(x * 2 ** D.qkv.frac) > 2 ** (D.qkv.bits - 1)) saturated++;
      return v;
    }),
  );
// one invocation per layer and clip, for each p
const layerData = evalClips.flatMap((c) =>
  model.run(loadClip(c.path)).layers.map((l) => ({ K: q(l.k), V: q(l.v), Q: q(l.q) })),
);

interface Row {
  p: number;
  selected: number;
  exec: number;
  pre: number;
  modelExec: number;
  rows: number;
  passed: number;
  failed: number;
}
const rows: Row[] = [];
for (let pi = 0; pi < PS.length; pi++) {
  const invs: Invocation[] = layerData.map((x, i) =>
    topmFracs
      ? { n: x.K.length, tQ: quantizeThreshold(-2, D), m: Math.ceil(PS[pi] * x.K.length), ...x }
      : { n: x.K.length, tQ: quantizeThreshold(thresholds[pi][layerKey(i % 12)], D), ...x },
  );
  const r = await runTop(D, invs, 'verilator', { tag: `kwt-p${PS[pi]}` });
  const sel = r.stimulus.traces.flatMap((t) => t!.queries.flatMap((qq) => qq.candidates));
  const modelExec = r.stimulus.traces.reduce((s, t) => s + predictCycles(D, t!).exec, 0);
  rows.push({
    p: PS[pi],
    selected: sel.filter(Boolean).length / sel.length,
    exec: r.invocations.reduce((s, x) => s + x.exec, 0),
    pre: r.invocations.reduce((s, x) => s + x.pre, 0),
    modelExec,
    rows: invs.reduce((s, v) => s + v.n, 0),
    passed: r.passed,
    failed: r.failed,
  });
  console.error(`  p=${PS[pi]}: ${r.passed} rows bit-exact, ${r.failed} differ; exec ${rows.at(-1)!.exec} cycles`);
}
const base = rows[0].exec;
// top-m: against exact attention on the threshold hardware (t = -2, cycle model) and the ideal accelerator
const exactExec = layerData.reduce(
  (s, x) => s + predictCycles(base0, elsaFixed(base0, x.K, x.V, x.Q, quantizeThreshold(-2, base0))).exec,
  0,
);
const ideal = layerData.reduce((s, x) => s + (x.K.length * x.K.length) / D.cfg.pA, 0);
const topmTable = [
  `KWT-1 attention on ${evalClips.length} eval clip(s) × 12 layers through elsa_top with top-m selection ` +
    `(${D.cfg.name} + selection topm, ${2 ** D.cfg.topmBinBits} bins, hardware hash ${D.hwHash}), Verilator.`,
  `Exact attention on the threshold hardware (t = -2, cycle model): ${exactExec} cycles; ideal n²/P_a: ` +
    `${Math.round(ideal)} cycles.`,
  '',
  '| m / n | keys selected | output rows bit-exact | execution cycles (RTL) | model | vs exact attention | ' +
    'vs ideal |',
  '|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.p} | ${(100 * r.selected).toFixed(1)}% | ` +
      `${r.passed}/${r.rows}${r.failed ? ` (${r.failed} FAILED)` : ''} | ${r.exec} | ${r.modelExec} | ` +
      `${(exactExec / r.exec).toFixed(2)}× | ${(r.exec / ideal).toFixed(2)}× the ideal |`,
  ),
];
const table = topmFracs
  ? topmTable
  : [
      `KWT-1 attention on ${evalClips.length} eval clip(s) × 12 layers through elsa_top ` +
        `(${D.cfg.name}, hardware hash ${D.hwHash}), Verilator.`,
      `Q/K/V quantised to 1.${D.cfg.formats.qkv.int}.${D.qkv.frac}: ${saturated} of ${values} values saturated.`,
      '',
      '| p | keys selected | output rows bit-exact | execution cycles (RTL) | model | speedup vs p = 0 | ' +
        'with preprocessing |',
      '|---|---|---|---|---|---|---|',
      ...rows.map(
        (r) =>
          `| ${r.p} | ${(100 * r.selected).toFixed(1)}% | ` +
          `${r.passed}/${r.rows}${r.failed ? ` (${r.failed} FAILED)` : ''} | ${r.exec} | ${r.modelExec} | ` +
          `${(base / r.exec).toFixed(2)}× | ${((base + rows[0].pre) / (r.exec + r.pre)).toFixed(2)}× |`,
      ),
    ];
mkdirSync(outDir, { recursive: true });
const stem = topmFracs ? 'kwt-rtl-topm' : 'kwt-rtl';
writeFileSync(join(outDir, `${stem}.md`), table.join('\n') + '\n');
writeFileSync(
  join(outDir, `${stem}.json`),
  JSON.stringify(
    { config: D.cfg.name, hwHash: D.hwHash, clips: evalClips.map((c) => c.file), thresholds, rows },
    null,
    2,
  ) + '\n',
);
console.log(table.join('\n'));
if (rows.some((r) => r.failed)) process.exit(1);
