// `vectors` and `sim`: golden stimulus from the fixed-point model, and the top-level testbench run.
import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { DEFAULT_PRESET, loadConfig } from '../../gen/config.ts';
import { UserError } from '../../spec/errors.ts';
import { beginOutput, checkReplaceable, writeFolderAtomic } from '../../gen/outdir.ts';
import { SIMULATORS, simulate, type Simulator, type SimResult } from '../../sim/run.ts';
import { prefetchToolVersions, type CxxOpt } from '../../sim/build.ts';
import { generateStamped, reusableRtl } from '../../sim/rtl_reuse.ts';
import {
  buildStimulus,
  invocationsFromJson,
  standardInvocations,
  VectorError,
  type Invocation,
  type Stimulus,
} from '../../sim/stimulus.ts';
import {
  checkTopRun,
  chooseOpt,
  expectedCycles,
  FAST_FROM_CYCLES,
  stimulusFromFiles,
  topPlusargs,
  tracePrediction,
  writeTopBench,
  type OptChoice,
} from '../../sim/top.ts';
import type { DesignSpec } from '../../units/design.ts';
import { num, oneOf, SEED } from '../options.ts';

/** --m-frac: top-m configs keep m = ceil(f·n) keys per query in every invocation. */
function withMFrac(D: DesignSpec, invs: Invocation[], mFrac: number | undefined): Invocation[] {
  if (mFrac === undefined) return invs;
  if (!D.candSel.topm)
    throw new UserError(
      `--m-frac needs a config with selection "topm"; ${D.cfg.name} uses "${D.cfg.selection}" ` +
        '(add "selection": "topm")',
    );
  return invs.map((v) => ({ ...v, m: Math.ceil(mFrac * v.n) }));
}

function loadInvocations(D: DesignSpec, opts: { input?: string; seed: number; mFrac?: number }): Invocation[] {
  return withMFrac(D, readInvocations(D, opts), opts.mFrac);
}

function readInvocations(D: DesignSpec, opts: { input?: string; seed: number }): Invocation[] {
  if (!opts.input) return standardInvocations(D, opts.seed);
  let text: string;
  try {
    text = readFileSync(opts.input, 'utf8');
  } catch (e) {
    const reason =
      (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file (check the path)' : (e as Error).message;
    throw new UserError(`cannot read input vectors ${opts.input}: ${reason}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UserError(`input vectors ${opts.input} are not valid JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  let invs: Invocation[];
  try {
    invs = invocationsFromJson(D, raw, opts.input);
  } catch (e) {
    if (e instanceof VectorError) throw new UserError(e.message);
    throw e;
  }
  if (invs.length === 0)
    throw new UserError(
      `${opts.input}: nothing to check: "invocations" is empty (add at least one { "t", "K", "V", "Q" })`,
    );
  return invs;
}

/** Saved vectors: both files present, made for this config, not empty, and exactly as long as stim.meta says. */
function loadVectors(D: DesignSpec, dir: string, spec: string): Stimulus {
  const hex = join(dir, 'stim.hex');
  const meta = join(dir, 'stim.meta');
  if (!existsSync(hex) || !existsSync(meta))
    throw new UserError(`${dir} has no stim.hex/stim.meta (make them with: elsa-gen vectors ${spec} -o ${dir})`);
  const metaText = readFileSync(meta, 'utf8');
  const lines = metaText.trim().split('\n');
  if (lines.length < 3 || !lines.slice(0, 3).every((l) => /^[0-9a-f]{16}$/.test(l)))
    throw new UserError(`${meta} is corrupted (expected three 64-bit hex words; regenerate it with elsa-gen vectors)`);
  const hash = lines[0].slice(4);
  if (hash !== D.hwHash)
    throw new UserError(
      `vectors in ${dir} are for hardware hash ${hash}, config ${D.cfg.name} has ${D.hwHash}: ` +
        'regenerate them with elsa-gen vectors',
    );
  const hexText = readFileSync(hex, 'utf8');
  if (parseInt(lines[1], 16) === 0 || hexText.trim() === '')
    throw new UserError(
      `${dir}: nothing to check: the vectors hold no invocation (regenerate them with elsa-gen vectors)`,
    );
  return stimulusFromFiles(D, hexText, metaText, dir);
}

/** Build and simulation figures for the stderr line: cached or built, cycles per CPU-second of the run. */
function runNote(r: SimResult, opt: CxxOpt): string {
  const b = r.build;
  const build = !b ? '' : b.cached ? `, model cached (${opt})` : `, model built in ${b.seconds.toFixed(1)} s (${opt})`;
  const cpu = r.runCpuSeconds;
  const rate = r.cycles && cpu ? `, ${(r.cycles / cpu / 1e6).toFixed(3)} M cycles per CPU-second` : '';
  const own = r.runStartedCpu === undefined ? '' : ` (${r.runStartedCpu.toFixed(2)} CPU-s)`;
  const started = r.runStartedAt === undefined ? '' : ` started ${r.runStartedAt.toFixed(2)} s after launch${own},`;
  const run = r.runSeconds === undefined ? '' : `; simulation${started} ${r.runSeconds.toFixed(2)} s`;
  const cpuNote = cpu !== undefined ? ` (${cpu.toFixed(2)} CPU-s)` : '';
  return `${build}${run}${cpuNote}${r.cycles ? `, ${r.cycles} cycles` : ''}${rate}`;
}

const inside = (p: string, dir: string) => resolve(p) === resolve(dir) || resolve(p).startsWith(resolve(dir) + sep);

export function registerSimCommands(program: Command): void {
  program
    .command('vectors')
    .description('write golden vectors (stim.hex, stim.meta, stim.json) for a config from the fixed-point model')
    .argument('[config]', 'preset name or JSON config file', DEFAULT_PRESET)
    .option('-s, --seed <n>', `seed of the random invocations (0 to ${SEED.max})`, num(SEED), 1)
    .option(
      '-i, --input <file.json>',
      'real-valued invocations { "invocations": [{ "t", "K", "V", "Q" }] } instead of random ones',
    )
    .option(
      '--m-frac <f>',
      'top-m configs: keep m = ceil(f·n) keys per query in every invocation (0 ≤ f ≤ 1)',
      num({ min: 0, max: 1, integer: false }),
    )
    .option('-o, --out <dir>', 'output folder (default build/vectors/<name>)')
    .option('--force', 'replace the output folder even if elsa-gen did not write it')
    .action((spec: string, opts: { seed: number; input?: string; mFrac?: number; out?: string; force?: boolean }) => {
      const D = loadConfig(spec);
      const out = opts.out ?? join('build', 'vectors', D.cfg.name);
      checkReplaceable(out, { kind: 'vectors', force: opts.force, inputs: opts.input ? [opts.input] : [] });
      const invs = loadInvocations(D, opts);
      const stim = buildStimulus(D, invs);
      const summary = {
        hwHash: D.hwHash,
        config: D.cfg.name,
        seed: opts.input ? null : opts.seed,
        input: opts.input ?? null,
        invocations: invs.map((v) => ({ n: v.n, tQ: v.tQ, ...(D.candSel.topm ? { m: v.m ?? 0 } : {}) })),
      };
      writeFolderAtomic(
        out,
        [
          { path: 'stim.hex', content: stim.hex },
          { path: 'stim.meta', content: stim.meta },
          { path: 'stim.json', content: JSON.stringify(summary, null, 2) + '\n' },
        ],
        { kind: 'vectors', force: opts.force, inputs: opts.input ? [opts.input] : [] },
      );
      console.log(`wrote ${stim.words} words, ${invs.length} invocations (hardware hash ${D.hwHash}) to ${out}`);
    });

  program
    .command('sim')
    .description(
      'generate a config, simulate whole attention invocations against the model, print "N passed, N failed"',
    )
    .argument('[config]', 'preset name or JSON config file', DEFAULT_PRESET)
    .option('--sim <simulator>', `simulator: ${SIMULATORS.join(' | ')}`, oneOf(SIMULATORS), 'verilator' as Simulator)
    .option(
      '-s, --seed <n>',
      `seed of the random invocations, stream gaps and Verilator's random initial state (0 to ${SEED.max})`,
      num(SEED),
      1,
    )
    .option('-i, --input <file.json>', 'real-valued invocations instead of random ones')
    .option('--vectors <dir>', 'use stim.hex/stim.meta from this folder (made by `elsa-gen vectors`)')
    .option(
      '--m-frac <f>',
      'top-m configs: keep m = ceil(f·n) keys per query in every invocation (0 ≤ f ≤ 1)',
      num({ min: 0, max: 1, integer: false }),
    )
    .option(
      '--stall <percent>',
      'random gaps on every stream, in percent of cycles (0 to 95)',
      num({ min: 0, max: 95, integer: true }),
      0,
    )
    .option(
      '--idle <cycles>',
      'idle cycles after reset before the first invocation',
      num({ min: 0, max: 2 ** 31 - 1, integer: true }),
      0,
    )
    .option(
      '--opt <level>',
      'Verilator C++ optimisation: build (-O1, compiles fastest) | fast (-O2, simulates fastest) | auto ' +
        `(fast from ${FAST_FROM_CYCLES / 1e6} M expected cycles on); each level is one cached build per config`,
      oneOf(['auto', 'build', 'fast'] as const),
      'auto' as OptChoice,
    )
    .option('--waves <file.fst>', 'write an FST waveform (view with gtkwave)')
    .option('-o, --out <dir>', 'work folder (default build/sim/<name>-<simulator>)')
    .option('--force', 'replace the work folder even if elsa-gen did not write it')
    .action(
      async (
        spec: string,
        opts: {
          sim: Simulator;
          seed: number;
          input?: string;
          mFrac?: number;
          vectors?: string;
          stall: number;
          idle: number;
          opt: OptChoice;
          waves?: string;
          out?: string;
          force?: boolean;
        },
      ) => {
        const sim = opts.sim;
        if (sim === 'verilator') prefetchToolVersions();
        const D = loadConfig(spec);
        const dir = opts.out ?? join('build', 'sim', `${D.cfg.name}-${sim}`);
        const rtlDir = join('rtl-out', D.cfg.name);
        if (opts.waves && (!/\.(fst|vcd)$/.test(opts.waves) || inside(opts.waves, dir) || inside(opts.waves, rtlDir)))
          throw new UserError(
            `--waves ${opts.waves} must be a .fst or .vcd file outside ${dir} and ${rtlDir} ` +
              '(those folders are replaced)',
          );
        const stim = opts.vectors ? loadVectors(D, opts.vectors, spec) : buildStimulus(D, loadInvocations(D, opts));
        const inputs = [opts.vectors, opts.input].filter((x): x is string => !!x);
        // both folders checked before either is written
        checkReplaceable(rtlDir, { kind: 'rtl', force: opts.force, inputs });
        checkReplaceable(dir, { kind: 'sim', force: opts.force, inputs });
        // a second run of the config reads back the folder it wrote (src/sim/rtl_reuse.ts)
        const rtl = reusableRtl(D, rtlDir) ?? generateStamped(D, rtlDir, { force: opts.force, inputs });
        const work = beginOutput(dir, { kind: 'sim', force: opts.force, inputs });
        let r, check;
        const t0 = Date.now();
        const opt = chooseOpt(opts.opt, expectedCycles(D, stim, opts.idle));
        try {
          const sources = writeTopBench(D, work.tmp, stim, { stall: opts.stall, idle: opts.idle, rtl });
          const top = { stall: opts.stall, seed: opts.seed, idle: opts.idle };
          r = await simulate({
            sim,
            workDir: work.tmp,
            sources,
            plusargs: topPlusargs(D, stim, top),
            seed: opts.seed,
            waves: opts.waves ? resolve(opts.waves) : undefined,
            opt,
          });
          check = checkTopRun(D, stim, r, opts.stall);
          work.commit();
        } catch (e) {
          work.abort();
          throw e;
        }
        for (const line of r.stdout.split('\n')) if (/^(MISMATCH|ERROR)/.test(line)) console.log(line);
        for (const m of r.stdout.matchAll(/^INVOCATION (\d+) n=(\d+) CYCLES_PRE (\d+) CYCLES_EXEC (\d+)$/gm)) {
          const tr = stim.traces[Number(m[1])];
          let extra = '';
          if (tr) {
            const sel = tr.queries.flatMap((q) => q.candidates);
            const p = tracePrediction(D, tr);
            const selected = ((100 * sel.filter(Boolean).length) / sel.length).toFixed(1);
            extra = `  keys selected ${selected}%  model: pre ${p.pre} exec ${p.exec}`;
          }
          console.log(`invocation ${m[1]}: n=${m[2]}  cycles pre ${m[3]} exec ${m[4]}${extra}`);
        }
        for (const p of check.problems) console.log(`CHECK FAILED: ${p}`);
        console.log(
          `config ${D.cfg.name} (hardware hash ${D.hwHash}): RTL in ${rtlDir}, ` +
            `testbench in ${relative(process.cwd(), resolve(dir)) || '.'}`,
        );
        process.stderr.write(
          `${sim}, ${((Date.now() - t0) / 1000).toFixed(1)} s${runNote(r, opt)}` +
            `${opts.waves ? `, waves in ${opts.waves}` : ''}\n`,
        );
        const failed = r.failed + check.problems.length;
        console.log(`${r.passed} passed, ${failed} failed`);
        if (failed > 0) process.exitCode = 1;
      },
    );
}
