/**
 * Accuracy of the exact KWT-1 model on a clip folder made by scripts/make-clips.sh.
 *
 *   npx tsx src/tflite/eval-clips.ts [clipDir=build/clips] [--json out.json]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadClip } from './audio.ts';
import { KwtModel } from './interpreter.ts';

interface Clip { file: string; label: string; voice: string; split: string }

const args = process.argv.slice(2);
const jsonIdx = args.indexOf('--json');
const jsonOut = jsonIdx >= 0 ? args[jsonIdx + 1] : undefined;
const dir = args.find((a, i) => !a.startsWith('--') && i !== jsonIdx + 1) ?? 'build/clips';
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { clips: Clip[] };
const model = KwtModel.load();

const stats = new Map<string, { n: number; ok: number }>();
const bump = (key: string, ok: boolean) => {
  const s = stats.get(key) ?? { n: 0, ok: 0 };
  s.n++;
  if (ok) s.ok++;
  stats.set(key, s);
};
const results: { file: string; label: string; predicted: string; split: string }[] = [];
let runMs = 0;
const t0 = performance.now();
for (const c of manifest.clips) {
  const audio = loadClip(join(dir, c.file));
  const t = performance.now();
  const r = model.run(audio);
  runMs += performance.now() - t;
  const ok = r.label === c.label;
  bump(`split ${c.split}`, ok);
  bump(`voice ${c.voice}`, ok);
  bump(`label ${c.label}`, ok);
  results.push({ file: c.file, label: c.label, predicted: r.label, split: c.split });
}
const total = performance.now() - t0;
const pct = (s: { n: number; ok: number }) => `${s.ok}/${s.n} = ${((100 * s.ok) / s.n).toFixed(1)}%`;
for (const [k, s] of [...stats.entries()].sort()) console.log(`${k.padEnd(32)} ${pct(s)}`);
const all = { n: results.length, ok: results.filter((r) => r.label === r.predicted).length };
console.log(`all${' '.repeat(29)} ${pct(all)}`);
console.log(`${results.length} clips, ${(runMs / results.length).toFixed(0)} ms/clip model, ${(total / results.length).toFixed(0)} ms/clip incl. WAV load`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ stats: Object.fromEntries(stats), results }, null, 1) + '\n');
