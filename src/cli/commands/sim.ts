// `vectors` and `sim`: golden stimulus from the fixed-point model, and the top-level testbench run.
import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_PRESET, loadConfig } from '../../gen/config.ts';
import { UserError } from '../../spec/errors.ts';
import { generate, writeFolderAtomic } from '../../gen/generate.ts';
import { SIMULATORS, simulate, type Simulator } from '../../sim/run.ts';
import { buildStimulus, invocationsFromJson, standardInvocations, VectorError, type Invocation } from '../../sim/stimulus.ts';
import { writeTopBench } from '../../../tb/top.ts';
import type { DesignSpec } from '../../units/design.ts';
import { predictCycles } from '../../perf/cycles.ts';

function loadInvocations(D: DesignSpec, opts: { input?: string; seed: string }): Invocation[] {
  if (!opts.input) return standardInvocations(D, parseInt(opts.seed, 10));
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(opts.input, 'utf8'));
  } catch (e) {
    throw new UserError(`cannot read input vectors ${opts.input}: ${(e as Error).message}`);
  }
  try {
    return invocationsFromJson(D, raw, opts.input);
  } catch (e) {
    if (e instanceof VectorError) throw new UserError(e.message);
    throw e;
  }
}

export function registerSimCommands(program: Command): void {
  program
    .command('vectors')
    .description('write golden vectors (stim.hex, stim.meta, stim.json) for a config from the fixed-point model')
    .argument('[config]', 'preset name or JSON config file', DEFAULT_PRESET)
    .option('-s, --seed <n>', 'seed of the random invocations', '1')
    .option('-i, --input <file.json>', 'real-valued invocations { "invocations": [{ "t", "K", "V", "Q" }] } instead of random ones')
    .option('-o, --out <dir>', 'output folder (default rtl-out/<name>/vectors)')
    .action((spec: string, opts: { seed: string; input?: string; out?: string }) => {
      const D = loadConfig(spec);
      const invs = loadInvocations(D, opts);
      const stim = buildStimulus(D, invs);
      const out = opts.out ?? join('rtl-out', D.cfg.name, 'vectors');
      const summary = { hwHash: D.hwHash, config: D.cfg.name, seed: opts.input ? null : Number(opts.seed), input: opts.input ?? null, invocations: invs.map((v) => ({ n: v.n, tQ: v.tQ })) };
      writeFolderAtomic(out, [
        { path: 'stim.hex', content: stim.hex },
        { path: 'stim.meta', content: stim.meta },
        { path: 'stim.json', content: JSON.stringify(summary, null, 2) + '\n' },
      ]);
      console.log(`wrote ${stim.words} words, ${invs.length} invocations (hardware hash ${D.hwHash}) to ${out}`);
    });

  program
    .command('sim')
    .description('generate a config, simulate whole attention invocations against the model, print "N passed, N failed"')
    .argument('[config]', 'preset name or JSON config file', DEFAULT_PRESET)
    .option('--sim <simulator>', `simulator: ${SIMULATORS.join(' | ')}`, 'verilator')
    .option('-s, --seed <n>', 'seed of the random invocations', '1')
    .option('-i, --input <file.json>', 'real-valued invocations instead of random ones')
    .option('--vectors <dir>', 'use stim.hex/stim.meta from this folder (made by `elsa-gen vectors`)')
    .option('--stall <percent>', 'random gaps on every stream, in percent of cycles', '0')
    .option('--waves <file.fst>', 'write an FST waveform (view with gtkwave)')
    .option('-o, --out <dir>', 'work folder (default build/sim/<name>-<simulator>)')
    .action(async (spec: string, opts: { sim: string; seed: string; input?: string; vectors?: string; stall: string; waves?: string; out?: string }) => {
      if (!(SIMULATORS as readonly string[]).includes(opts.sim)) throw new UserError(`--sim must be one of ${SIMULATORS.join(', ')}, not "${opts.sim}"`);
      const sim = opts.sim as Simulator;
      const D = loadConfig(spec);
      const dir = resolve(opts.out ?? join('build', 'sim', `${D.cfg.name}-${sim}`));
      let stim;
      if (opts.vectors) {
        const hex = join(opts.vectors, 'stim.hex');
        const meta = join(opts.vectors, 'stim.meta');
        if (!existsSync(hex) || !existsSync(meta)) throw new UserError(`${opts.vectors} has no stim.hex/stim.meta (make them with: elsa-gen vectors ${spec} -o ${opts.vectors})`);
        const metaText = readFileSync(meta, 'utf8');
        const lines = metaText.trim().split('\n');
        if (lines.length < 3 || !/^[0-9a-f]{16}$/.test(lines[0])) throw new UserError(`${meta} is corrupted (expected three 64-bit hex words)`);
        const hash = lines[0].slice(4);
        if (hash !== D.hwHash) throw new UserError(`vectors in ${opts.vectors} are for hardware hash ${hash}, config ${D.cfg.name} has ${D.hwHash}: regenerate them with elsa-gen vectors`);
        stim = { hex: readFileSync(hex, 'utf8'), meta: metaText, words: parseInt(lines[2], 16), traces: [] };
      } else {
        stim = buildStimulus(D, loadInvocations(D, opts));
      }
      const rtlDir = join('rtl-out', D.cfg.name);
      generate(D, rtlDir);
      const sources = writeTopBench(D, dir, stim, { stall: Number(opts.stall) });
      const t0 = Date.now();
      const r = await simulate({ sim, workDir: dir, sources, plusargs: [`stall=${Number(opts.stall)}`, `seed=${Number(opts.seed)}`], waves: opts.waves ? resolve(opts.waves) : undefined });
      for (const line of r.stdout.split('\n')) if (/^(MISMATCH|ERROR)/.test(line)) console.log(line);
      const measured = [...r.stdout.matchAll(/^INVOCATION (\d+) n=(\d+) CYCLES_PRE (\d+) CYCLES_EXEC (\d+)$/gm)];
      for (const m of measured) {
        const tr = stim.traces[Number(m[1])];
        let extra = '';
        if (tr) {
          const sel = tr.queries.flatMap((q) => q.candidates);
          const p = predictCycles(D, tr);
          extra = `  keys selected ${((100 * sel.filter(Boolean).length) / sel.length).toFixed(1)}%  model: pre ${p.pre} exec ${p.exec}`;
        }
        console.log(`invocation ${m[1]}: n=${m[2]}  cycles pre ${m[3]} exec ${m[4]}${extra}`);
      }
      console.log(`config ${D.cfg.name} (hardware hash ${D.hwHash}): RTL in ${rtlDir}, testbench in ${dir}`);
      console.log(`${sim}, ${((Date.now() - t0) / 1000).toFixed(1)} s${opts.waves ? `, waves in ${opts.waves}` : ''}`);
      console.log(`${r.passed} passed, ${r.failed} failed`);
      if (r.failed > 0) process.exitCode = 1;
    });
}
