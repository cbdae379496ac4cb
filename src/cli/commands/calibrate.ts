// `calibrate`: learn the per-layer thresholds t of KWT-1 for one p on the calib clips; write the full
// config JSON with `thresholds` filled (sorted keys, 6-decimal thresholds, written atomically).
import type { Command } from 'commander';
import { join } from 'node:path';
import { loadConfig } from '../../gen/config.ts';
import { calibrate, calibratedConfigJson, checkKwtConfig } from '../../eval/calibrate.ts';
import { loadManifest, splitClips } from '../../eval/clips.ts';
import { writeFileAtomic } from '../../gen/outdir.ts';
import { requireKwt1Model } from '../kwt.ts';
import { num } from '../options.ts';

/** One knob p of a list: a number from 0 to 1000. */
export function registerCalibrate(program: Command): void {
  program
    .command('calibrate')
    .description(
      'learn per-layer thresholds t for knob p on the KWT-1 calib clips; write the config with `thresholds` filled',
    )
    .argument('[config]', 'preset name or JSON config file (must describe KWT-1: d = 64, nMax ≥ 99)', 'kwt1')
    .requiredOption(
      '--p <p>',
      'the accuracy knob p, 0 to 1000 (0 = exact attention, t = -2 in every layer)',
      num({ min: 0, max: 1000 }),
    )
    .option('--clips <dir>', 'clip folder with manifest.json (made by scripts/make-clips.sh)', 'build/clips')
    .option('-o, --out <file.json>', 'output config file (default build/calib/<name>-p<p>.json)')
    .option('-q, --quiet', 'no progress on stderr')
    .action((spec: string, opts: { p: number; clips: string; out?: string; quiet?: boolean }) => {
      const p = opts.p;
      const D = loadConfig(spec);
      checkKwtConfig(D);
      requireKwt1Model();
      const clips = splitClips(loadManifest(opts.clips), 'calib', opts.clips);
      const t0 = performance.now();
      const thresholds = calibrate(clips, p, { progress: !opts.quiet });
      const out = opts.out ?? join('build', 'calib', `${D.cfg.name}-p${p}.json`);
      writeFileAtomic(out, calibratedConfigJson(D, thresholds));
      const ts = Object.values(thresholds);
      console.log(
        `wrote ${out}: p = ${p}, ${ts.length} layer thresholds from ${clips.length} calib clips ` +
          `(t from ${Math.min(...ts).toFixed(3)} to ${Math.max(...ts).toFixed(3)}), ` +
          `${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    });
}
