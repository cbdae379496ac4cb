// KWT-1 real attention through the generated RTL (issue: real model, real thresholds).
// Thresholds per layer and p come from the calibration clips (paper's rule); the RTL (Verilator) then
// runs every layer's real Q, K, V of evaluation clips: every output row must equal the fixed-point model,
// and the measured execution cycles give the real speedup of each p over p = 0 on the same hardware.
// Usage: npx tsx scripts/bench/kwt_rtl.ts [--clips build/clips] [--eval 3] [--config kwt1] [--out build/kwt-rtl]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/gen/config.ts';
import { REPO_ROOT } from '../../src/gen/render.ts';
import { quantize, quantizeThreshold } from '../../src/units/top/model.ts';
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
const PS = [0, 0.5, 1, 2, 4];

const D = loadConfig(opt('config', 'kwt1'));
checkKwtConfig(D);
const model = KwtModel.load();
const clips = loadManifest(clipsDir);
console.error(`calibrating on ${splitClips(clips, 'calib', clipsDir).length} calib clips`);
const calib = collectCalibration(model, splitClips(clips, 'calib', clipsDir), { progress: true });
const thresholds = PS.map((p) => thresholdsFor(calib, p));
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
  const invs: Invocation[] = layerData.map((x, i) => ({
    n: x.K.length,
    tQ: quantizeThreshold(thresholds[pi][layerKey(i % 12)], D),
    ...x,
  }));
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
const table = [
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
writeFileSync(join(outDir, 'kwt-rtl.md'), table.join('\n') + '\n');
writeFileSync(
  join(outDir, 'kwt-rtl.json'),
  JSON.stringify(
    { config: D.cfg.name, hwHash: D.hwHash, clips: evalClips.map((c) => c.file), thresholds, rows },
    null,
    2,
  ) + '\n',
);
console.log(table.join('\n'));
if (rows.some((r) => r.failed)) process.exit(1);
