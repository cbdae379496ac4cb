// `synth`: Yosys synthesis (ice40 | ecp5 | xilinx) with a per-module area table, optional iCE40 Fmax.
import type { Command } from 'commander';
import { join } from 'node:path';
import { loadConfig, DEFAULT_PRESET } from '../../gen/config.ts';
import { CheckError, UserError } from '../../spec/errors.ts';
import { formatReport, reportJson, synthesize, timingViolations, TOP } from '../../synth/synth.ts';
import { isTarget, TARGETS, type Target } from '../../synth/targets.ts';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { num, SEED } from '../options.ts';

interface SynthCliOptions {
  target: string;
  out?: string;
  pnr?: boolean;
  pnrModule?: string;
  device?: string;
  freq: number;
  seed: number;
  flat?: boolean;
  top: string;
  jobs?: number;
  moduleTimeout?: number;
  force?: boolean;
  cache: boolean;
  json?: boolean;
  timing?: boolean;
  maxLevels?: number;
}

/** Synthesis replaces <out>/work/<target>: the folder must be absent or hold only what synth writes. */
function checkSynthOut(out: string, force?: boolean): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory())
    throw new UserError(`refusing to write into ${out}: it is a file (choose another output folder)`);
  const foreign = readdirSync(out).find(
    (n) => n !== 'work' && !/^synth-[a-z0-9]+\.(json|txt)$/.test(n) && !n.startsWith('pnr'),
  );
  if (foreign && !force)
    throw new UserError(
      `refusing to write into ${out}: it holds ${foreign}, which elsa-gen synth did not write ` +
        '(choose another output folder, or pass --force)',
    );
}

export function registerSynth(program: Command): void {
  program
    .command('synth')
    .description(
      'synthesise a config with Yosys for ice40 | ecp5 | xilinx: per-module area table on stdout and ' +
        'synth-<target>.json; --pnr adds iCE40 Fmax (nextpnr-ice40)',
    )
    .argument('[config]', 'preset name or JSON config file', DEFAULT_PRESET)
    .option('-t, --target <target>', `${TARGETS.join(' | ')} (comma-separated for several)`, 'ice40')
    .option('-o, --out <dir>', 'output folder (default build/synth/<name>)')
    .option(
      '--pnr',
      'ice40 only: place and route a 3-pin Fmax wrapper with nextpnr-ice40 on the smallest iCE40 HX that fits',
    )
    .option(
      '--pnr-module <module>',
      'module to place and route with its sub-modules (default: the top; e.g. elsa_dot when the top does not fit)',
    )
    .option('--device <device>', 'force the iCE40 device for --pnr (hx1k, hx4k, hx8k, up5k, lp8k)')
    .option('--freq <MHz>', 'target clock of timing-driven place and route (1 to 1000)', num({ min: 1, max: 1000 }), 50)
    .option('--seed <n>', 'nextpnr placement seed', num(SEED), 1)
    .option(
      '--flat',
      'also synthesise the whole design flattened in one Yosys run (cross-module optimisation; slow for big configs)',
    )
    .option('--top <module>', 'top module of the synthesis', TOP)
    .option(
      '-j, --jobs <n>',
      'parallel Yosys processes, 1 to 64 (default: number of CPUs)',
      num({ min: 1, max: 64, integer: true }),
    )
    .option(
      '--module-timeout <seconds>',
      'give up on a module after this long: its row shows "?" and the total is marked incomplete',
      num({ min: 1, max: 86400 }),
    )
    .option('--force', 'write into an output folder holding files synth did not write')
    .option('--no-cache', 'do not reuse per-module results from build/synth-cache')
    .option('--json', 'print the JSON report(s) on stdout instead of the table')
    .option(
      '--timing',
      'longest register-to-register path per module and for the flattened design, in logic levels by cell kind, ' +
        'named by its nets (with --pnr also nextpnr critical path)',
    )
    .option(
      '--max-levels <n>',
      'check (implies --timing): exit 1 when a path has more than n LUT levels or more than one DSP, ' +
        'naming the module and the path (0 to 1000)',
      num({ min: 0, max: 1000, integer: true }),
    )
    .action(async (spec: string, opts: SynthCliOptions) => {
      const targets = opts.target
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      for (const t of targets)
        if (!isTarget(t)) throw new UserError(`unknown target "${t}" (targets: ${TARGETS.join(', ')})`);
      if (opts.pnr && targets.some((t) => t !== 'ice40'))
        throw new UserError(
          '--pnr is only available for --target ice40 (no ECP5 or Xilinx place-and-route exists in Debian or on npm)',
        );
      const D = loadConfig(spec);
      const outDir = opts.out ?? join('build', 'synth', D.cfg.name);
      checkSynthOut(outDir, opts.force);
      const pnr = opts.pnr
        ? { module: opts.pnrModule, device: opts.device, freq: opts.freq, seed: opts.seed }
        : undefined;
      const jobs = opts.jobs;
      const moduleTimeoutSec = opts.moduleTimeout;
      const jsons: string[] = [];
      const timing = opts.timing === true || opts.maxLevels !== undefined;
      const failures: string[] = [];
      for (const target of targets as Target[]) {
        const r = await synthesize(D, target, {
          outDir,
          pnr,
          jobs,
          moduleTimeoutSec,
          flat: opts.flat,
          top: opts.top,
          cache: opts.cache,
          timing,
        });
        if (opts.json) jsons.push(reportJson(r).trim());
        else process.stdout.write(`${formatReport(r)}report: ${r.run.jsonPath}\n${targets.length > 1 ? '\n' : ''}`);
        if (opts.maxLevels !== undefined) {
          const v = timingViolations(r, opts.maxLevels);
          if (v.length) {
            const w = v[0];
            const more =
              v.length > 1
                ? `; also over: ${v
                    .slice(1)
                    .map((x) => x.module)
                    .join(', ')}`
                : '';
            failures.push(
              `${target}: ${w.module} has ${w.levels} LUT levels and DSP depth ${w.dspDepth} ` +
                `(limit ${opts.maxLevels} levels, 1 DSP), ${w.path}${more}`,
            );
          }
        }
      }
      if (opts.json) console.log(jsons.length === 1 ? jsons[0] : `[\n${jsons.join(',\n')}\n]`);
      if (failures.length) throw new CheckError(`timing check failed: ${failures.join(' | ')}`);
    });
}
