// `evaluate`: the paper's Fig. 10 on KWT-1 (keys selected, accuracy and agreement versus p, float and
// fixed-point ELSA in every layer), written as table.md, results.json and fig10.svg.
import type { Command } from 'commander';
import { loadConfig } from '../../gen/config.ts';
import { FIG10_PS, runFig10 } from '../../eval/fig10.ts';
import { defaultJobs } from '../../eval/variants.ts';
import { parseP, requireKwt1Model } from '../kwt.ts';
import { num } from '../options.ts';

/** The KWT-1 model file must exist before hours of work start. */
export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description(
      "reproduce the paper's Fig. 10 on KWT-1: thresholds from the calib clips, " +
        'keys selected and accuracy on the eval clips',
    )
    .argument('[config]', 'preset name or JSON config file (must describe KWT-1: d = 64, nMax ≥ 99)', 'kwt1')
    .option('--clips <dir>', 'clip folder with manifest.json (made by scripts/make-clips.sh)', 'build/clips')
    .option('-o, --out <dir>', 'output folder for table.md, results.json, fig10.svg', 'build/eval')
    .option('--p <list>', 'comma-separated p values', FIG10_PS.join(','))
    .option(
      '-j, --jobs <n>',
      'parallel evaluation processes (1 to 64)',
      num({ min: 1, max: 64, integer: true }),
      defaultJobs(),
    )
    .option('--no-curve', 'skip the keys-versus-top-1 curve of every selection rule (curve.md/.csv/.json/.svg)')
    .option('-q, --quiet', 'no progress on stderr')
    .action(
      async (
        spec: string,
        opts: { clips: string; out: string; p: string; jobs: number; curve: boolean; quiet?: boolean },
      ) => {
        const D = loadConfig(spec);
        const ps = opts.p.split(',').map(parseP);
        requireKwt1Model();
        const jobs = opts.jobs;
        const run = await runFig10({
          clipsDir: opts.clips,
          outDir: opts.out,
          cfg: D.cfg,
          ps,
          jobs,
          progress: !opts.quiet,
          curve: opts.curve,
        });
        const { calibrate, evaluate } = run.seconds;
        process.stdout.write(run.files.map((f) => `wrote ${f}`).join('\n') + '\n');
        console.log(
          `calibration ${calibrate.toFixed(1)} s, evaluation ${evaluate.toFixed(1)} s ` +
            `(${jobs} job${jobs > 1 ? 's' : ''}), total ${(calibrate + evaluate).toFixed(1)} s`,
        );
        const g = run.curve?.goals;
        if (g) {
          const pc = (x: number) => `${(100 * x).toFixed(1)}%`;
          console.log(
            `top-m at ${pc(g.at40.fraction)} of keys: estimate ${pc(g.at40.estimate)}, oracle ${pc(g.at40.oracle)}; ` +
              (g.within1
                ? `fewest keys within 1 point of exact: ${pc(g.within1.keys)} (${g.within1.rule})`
                : 'no setting within 1 point of exact'),
          );
        }
      },
    );
}
