// `calibrate`: learn the per-layer thresholds t of KWT-1 for one p on the calib clips; write the full
// config JSON with `thresholds` filled (sorted keys, 6-decimal thresholds, written atomically).
// With --max-loss: per-layer settings that keep the fewest keys within an accuracy target (src/eval/maxloss.ts).
import type { Command } from 'commander';
import { join } from 'node:path';
import { loadConfig } from '../../gen/config.ts';
import { UserError } from '../../spec/errors.ts';
import { calibrate, calibratedConfigJson, checkKwtConfig, collectCalibration, layerKey } from '../../eval/calibrate.ts';
import { loadManifest, splitClips } from '../../eval/clips.ts';
import { stableJson } from '../../eval/io.ts';
import { searchMaxLoss, type MaxLossResult, type MaxLossRule } from '../../eval/maxloss.ts';
import { EvalPool, defaultJobs } from '../../eval/variants.ts';
import { writeFileAtomic } from '../../files.ts';
import { KwtModel } from '../../tflite/interpreter.ts';
import { requireKwt1Model } from '../kwt.ts';
import { num } from '../options.ts';

interface Opts {
  p?: number;
  maxLoss?: number;
  rule: string;
  clips: string;
  out?: string;
  jobs: number;
  quiet?: boolean;
}

const pc = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The search's outcome, one line per split and one per layer. */
function summary(r: MaxLossResult): string {
  const what = r.rule === 'threshold' ? 'p, t' : 'm/n, m';
  const lines = [
    `calib (${r.calib.clips} clips): top-1 ${pc(r.calib.top1)} vs exact ${pc(r.calib.exactTop1)} ` +
      `(loss ${r.calib.loss.toFixed(1)} points, target ≤ ${r.target}), keys kept ${pc(r.calib.keys)}`,
    `eval (${r.eval.clips} clips): top-1 ${pc(r.eval.top1)} vs exact ${pc(r.eval.exactTop1)} ` +
      `(loss ${r.eval.loss.toFixed(1)} points), keys kept ${pc(r.eval.keys)}`,
    `per layer (${what}; visited by tolerance, ${r.tests} calib passes): ` +
      r.settings
        .map((s) => `${s.layer}: ${s.knob}, ${r.rule === 'threshold' ? s.value.toFixed(3) : s.value}`)
        .join('; '),
  ];
  return lines.join('\n');
}

export function registerCalibrate(program: Command): void {
  program
    .command('calibrate')
    .description(
      'learn per-layer thresholds t for knob p on the KWT-1 calib clips, or (--max-loss) the per-layer settings ' +
        'that keep the fewest keys within an accuracy target; write the config with `thresholds` filled',
    )
    .argument('[config]', 'preset name or JSON config file (must describe KWT-1: d = 64, nMax ≥ 99)', 'kwt1')
    .option(
      '--p <p>',
      'the accuracy knob p, 0 to 1000 (0 = exact attention, t = -2 in every layer)',
      num({ min: 0, max: 1000 }),
    )
    .option(
      '--max-loss <points>',
      'instead of --p: the top-1 loss against the exact model allowed on the calib split, in points (0 to 100)',
      num({ min: 0, max: 100 }),
    )
    .option(
      '--rule <rule>',
      "with --max-loss: 'threshold' (the paper's rule, t per layer) or 'top-m' (m per layer)",
      'threshold',
    )
    .option('--clips <dir>', 'clip folder with manifest.json (made by scripts/make-clips.sh)', 'build/clips')
    .option(
      '-o, --out <file.json>',
      'output file (default build/calib/<name>-p<p>.json or <name>-maxloss<points>-<rule>.json)',
    )
    .option(
      '-j, --jobs <n>',
      'with --max-loss: parallel evaluation processes (1 to 64)',
      num({ min: 1, max: 64, integer: true }),
      defaultJobs(),
    )
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (spec: string, opts: Opts) => {
      const D = loadConfig(spec);
      checkKwtConfig(D);
      if ((opts.p === undefined) === (opts.maxLoss === undefined))
        throw new UserError('calibrate needs exactly one of --p <p> and --max-loss <points>');
      if (opts.rule !== 'threshold' && opts.rule !== 'top-m')
        throw new UserError(`--rule must be 'threshold' or 'top-m', not '${opts.rule}'`);
      requireKwt1Model();
      const all = loadManifest(opts.clips);
      const clips = splitClips(all, 'calib', opts.clips);
      const t0 = performance.now();
      const secs = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
      if (opts.p !== undefined) {
        const p = opts.p;
        const thresholds = calibrate(clips, p, { progress: !opts.quiet });
        const out = opts.out ?? join('build', 'calib', `${D.cfg.name}-p${p}.json`);
        writeFileAtomic(out, calibratedConfigJson(D, thresholds));
        const ts = Object.values(thresholds);
        console.log(
          `wrote ${out}: p = ${p}, ${ts.length} layer thresholds from ${clips.length} calib clips ` +
            `(t from ${Math.min(...ts).toFixed(3)} to ${Math.max(...ts).toFixed(3)}), ${secs()}`,
        );
        return;
      }
      const rule = opts.rule as MaxLossRule;
      const evalClips = splitClips(all, 'eval', opts.clips);
      const set = collectCalibration(KwtModel.load(), clips, { progress: !opts.quiet });
      const pool = new EvalPool(D.cfg, opts.jobs);
      let r: MaxLossResult;
      try {
        r = await searchMaxLoss({
          D,
          rule,
          target: opts.maxLoss!,
          set,
          calib: clips,
          evalClips,
          pool,
          progress: !opts.quiet,
        });
      } finally {
        pool.close();
      }
      const out = opts.out ?? join('build', 'calib', `${D.cfg.name}-maxloss${opts.maxLoss}-${rule}.json`);
      if (rule === 'threshold') {
        writeFileAtomic(
          out,
          calibratedConfigJson(D, Object.fromEntries(r.settings.map((s) => [layerKey(s.layer), s.value]))),
        );
      } else {
        // per-layer m goes into `keep` (runtime data like thresholds: the hardware hash stays)
        const keep = Object.fromEntries(r.settings.map((s) => [layerKey(s.layer), s.value]));
        writeFileAtomic(out, calibratedConfigJson(D, D.cfg.thresholds, keep));
      }
      writeFileAtomic(out.replace(/\.json$/, '') + '.search.json', stableJson(r));
      console.log(`wrote ${out} (${rule} per layer, --max-loss ${opts.maxLoss}), ${secs()}\n${summary(r)}`);
    });
}
