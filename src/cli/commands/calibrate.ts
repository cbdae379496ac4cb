// `calibrate`: learn the per-layer thresholds t of KWT-1 for one p on the calib clips; write the full
// config JSON with `thresholds` filled (sorted keys, 6-decimal thresholds, written atomically).
import type { Command } from 'commander';
import { join } from 'node:path';
import { loadConfig } from '../../gen/config.ts';
import { UserError } from '../../spec/errors.ts';
import { calibrate, calibratedConfigJson, checkKwtConfig, checkP } from '../../eval/calibrate.ts';
import { loadManifest, splitClips } from '../../eval/clips.ts';
import { writeFileAtomic } from '../../eval/io.ts';

export function parseP(s: string): number {
  const p = Number(s);
  if (s.trim() === '' || !Number.isFinite(p)) throw new UserError(`--p must be a number ≥ 0, not "${s}"`);
  return checkP(p, '--p');
}

export function registerCalibrate(program: Command): void {
  program
    .command('calibrate')
    .description('learn per-layer thresholds t for knob p on the KWT-1 calib clips; write the config with `thresholds` filled')
    .argument('[config]', 'preset name or JSON config file (must describe KWT-1: d = 64, nMax ≥ 99)', 'kwt1')
    .requiredOption('--p <p>', 'the accuracy knob p ≥ 0 (0 = exact attention, t = -2 in every layer)')
    .option('--clips <dir>', 'clip folder with manifest.json (made by scripts/make-clips.sh)', 'build/clips')
    .option('-o, --out <file.json>', 'output config file (default build/calib/<name>-p<p>.json)')
    .option('-q, --quiet', 'no progress on stderr')
    .action((spec: string, opts: { p: string; clips: string; out?: string; quiet?: boolean }) => {
      const p = parseP(opts.p);
      const D = loadConfig(spec);
      checkKwtConfig(D);
      const clips = splitClips(loadManifest(opts.clips), 'calib', opts.clips);
      const t0 = performance.now();
      const thresholds = calibrate(clips, p, { progress: !opts.quiet });
      const out = opts.out ?? join('build', 'calib', `${D.cfg.name}-p${p}.json`);
      writeFileAtomic(out, calibratedConfigJson(D, thresholds));
      const ts = Object.values(thresholds);
      console.log(`wrote ${out}: p = ${p}, ${ts.length} layer thresholds from ${clips.length} calib clips (t from ${Math.min(...ts).toFixed(3)} to ${Math.max(...ts).toFixed(3)}), ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    });
}
