// `sweep` (design-space sweep: embedded process pool, or BullMQ queue with --queue) and `worker` (takes
// sweep jobs from a queue). The sweep modules are loaded by the actions, so other commands start fast.
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../spec/errors.ts';
import { num } from '../options.ts';

/** --jobs: worker processes (the shared numeric-option rule). */
const JOBS = num({ min: 1, max: 1024, integer: true });

/** Resolves on the first SIGINT or SIGTERM; `off` removes the handlers. */
function interruption(): { interrupted: Promise<void>; off: () => void; fired: () => boolean } {
  let fire!: () => void;
  let fired = false;
  const interrupted = new Promise<void>((r) => (fire = r));
  const on = () => {
    fired = true;
    fire();
  };
  process.once('SIGINT', on);
  process.once('SIGTERM', on);
  return {
    interrupted,
    fired: () => fired,
    off: () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  };
}

interface Bar {
  start(total: number, done: number): void;
  tick(label: string): void;
  stop(): void;
}

/** cli-progress bar with ETA on a terminal; one line per 10 % otherwise (logs, CI). */
async function progressBar(quiet: boolean): Promise<Bar> {
  if (quiet) return { start() {}, tick() {}, stop() {} };
  if (process.stderr.isTTY) {
    const { SingleBar, Presets } = await import('cli-progress');
    const bar = new SingleBar(
      {
        stream: process.stderr,
        format: 'sweep [{bar}] {value}/{total} jobs | {percentage}% | ETA {eta_formatted} | {last}',
        etaBuffer: 20,
        hideCursor: true,
        clearOnComplete: false,
      },
      Presets.shades_classic,
    );
    return {
      start: (t, d) => bar.start(t, d, { last: '' }),
      tick: (l) => bar.increment(1, { last: l }),
      stop: () => bar.stop(),
    };
  }
  let total = 0,
    done = 0,
    decile = -1;
  const t0 = performance.now();
  return {
    start(t, d) {
      total = t;
      done = d;
      process.stderr.write(`sweep: ${t} jobs, ${d} cached\n`);
    },
    tick(l) {
      done++;
      const dec = Math.floor((10 * done) / Math.max(1, total));
      if (dec === decile) return;
      decile = dec;
      const s = (performance.now() - t0) / 1000;
      process.stderr.write(`sweep: ${done}/${total} jobs, ${s.toFixed(0)} s (last: ${l})\n`);
    },
    stop() {},
  };
}

export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description(
      'run a design-space sweep file: tasks per point on a local process pool, or on BullMQ workers with --queue',
    )
    .argument('<sweep.json>', 'sweep file: base config, axes, tasks (see README "Design-space sweeps")')
    .option(
      '-o, --out <dir>',
      'output folder for results.json, results.csv, summary.md, pareto.html (default build/sweep/<name>)',
    )
    .option('-j, --jobs <n>', 'worker processes of the embedded pool (default: one per core)', JOBS)
    .option(
      '--queue <redis-url>',
      'put the jobs on BullMQ in Redis (redis://host:port) for `elsa-gen worker`s and collect the results',
    )
    .option('--submit-only', 'with --queue: queue the jobs and exit; run again without it to collect')
    .option(
      '--cache-dir <dir>',
      'results cache, one file per job key (resume = run again)',
      join('build', 'sweep-cache'),
    )
    .option('-q, --quiet', 'no progress on stderr')
    .option('--force', 'replace the output folder even if elsa-gen did not write it')
    .action(
      async (
        file: string,
        opts: {
          out?: string;
          jobs?: number;
          queue?: string;
          submitOnly?: boolean;
          cacheDir: string;
          quiet?: boolean;
          force?: boolean;
        },
      ) => {
        const { loadSweepFile, planSweep } = await import('../../sweep/spec.ts');
        const { runSweep, writeOutputs, summaryMarkdown, costTable } = await import('../../sweep/run.ts');
        const { parseRedisUrl } = await import('../../sweep/queue.ts');
        const jobs = opts.jobs ?? availableParallelism();
        if (opts.submitOnly && !opts.queue) throw new UserError('--submit-only needs --queue redis://host:port');
        if (opts.queue) parseRedisUrl(opts.queue);
        const loaded = loadSweepFile(file);
        const plan = planSweep(loaded.spec, { dir: loaded.dir, fileName: loaded.fileName });
        const out = opts.out ?? join('build', 'sweep', plan.name);
        const invalid = plan.points.filter((p) => p.error).length;
        process.stderr.write(
          `sweep ${plan.name}: ${plan.points.length} points (${invalid} invalid), ${plan.jobs.length} jobs, ` +
            (opts.queue
              ? `queue ${opts.queue}\n`
              : `${Math.min(jobs, plan.jobs.length) || 1} local worker process(es)\n`),
        );
        const bar = await progressBar(!!opts.quiet);
        const sig = interruption();
        let s;
        try {
          s = await runSweep(plan, {
            jobs,
            cacheDir: opts.cacheDir,
            queue: opts.queue,
            submitOnly: opts.submitOnly,
            interrupted: sig.interrupted,
            onStart: (t, c) => bar.start(t, c),
            onResult: (j, o) => bar.tick(`${j.label} ${String(j.config.name)} ${o.result.status}`),
          });
        } finally {
          bar.stop();
          sig.off();
        }
        if (opts.submitOnly) {
          console.log(
            `queued ${s.pendingJobs} jobs on ${opts.queue} (${plan.jobs.length - s.pendingJobs} already cached); ` +
              'run the same command without --submit-only to collect',
          );
          return;
        }
        const files = await writeOutputs(out, s, opts.force);
        process.stdout.write(summaryMarkdown(s.results) + '\n' + costTable(s.costs));
        console.log(`wrote ${files.join(', ')}`);
        if (s.interrupted || sig.fired()) {
          console.error(
            `elsa-gen: interrupted with ${s.pendingJobs} of ${plan.jobs.length} jobs not done; ` +
              'finished jobs are cached, run the same command to resume',
          );
          process.exitCode = 130;
        } else if (s.results.points.some((p) => p.status === 'fail' || p.status === 'error')) process.exitCode = 1;
      },
    );

  program
    .command('worker')
    .description(
      'take sweep jobs from a BullMQ queue in Redis until interrupted ' +
        '(run on any number of machines, in a checkout of the same commit)',
    )
    .requiredOption('--queue <redis-url>', 'Redis of the sweep (redis://host:port)')
    .option('-j, --jobs <n>', 'jobs at a time, each in its own process (default: one per core)', JOBS)
    .option(
      '--lock-seconds <s>',
      'job lock: a job of a worker that died is retried after about this long',
      num({ min: 1, max: 86_400 }),
      30,
    )
    .action(async (opts: { queue: string; jobs?: number; lockSeconds: number }) => {
      const { parseRedisUrl, runWorker } = await import('../../sweep/queue.ts');
      parseRedisUrl(opts.queue);
      const sig = interruption();
      try {
        await runWorker({
          url: opts.queue,
          concurrency: opts.jobs ?? availableParallelism(),
          lockSeconds: opts.lockSeconds,
          interrupted: sig.interrupted,
        });
      } finally {
        sig.off();
      }
      process.stderr.write('worker: interrupted; its running jobs go back to the queue when their lock expires\n');
      process.exitCode = 130;
    });
}
