// Running testbenches under Icarus Verilog or Verilator, and reading their "N passed, N failed" line.
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, renameSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { CheckError, UserError } from '../spec/errors.ts';
import { onInterrupt } from '../gen/outdir.ts';
import { REPO_ROOT } from '../gen/render.ts';

export const SIMULATORS = ['iverilog', 'verilator'] as const;
export type Simulator = (typeof SIMULATORS)[number];

export interface SimResult {
  passed: number;
  failed: number;
  stdout: string;
  cycles?: number;
  runSeconds?: number;
}

const INSTALL_HINT: Record<string, string> = {
  iverilog: 'apt-get install iverilog (or run bash scripts/setup.sh)',
  vvp: 'apt-get install iverilog (or run bash scripts/setup.sh)',
  verilator: 'apt-get install verilator (or run bash scripts/setup.sh)',
  yosys: 'apt-get install yosys (or run bash scripts/setup.sh)',
};

/** Fail with one clear message when a tool is missing. */
export async function requireTool(tool: string): Promise<void> {
  if (!findOnPath(tool))
    throw new UserError(`${tool} not found on PATH: install it with ${INSTALL_HINT[tool] ?? `your package manager`}`);
}

/** Absolute path of an executable on PATH, or null. */
export function findOnPath(tool: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, tool);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return null;
}

/** The last "N passed, N failed" line (Verilator prints its $finish note after it). */
export function parseSummary(stdout: string): { passed: number; failed: number } {
  const m = [...stdout.matchAll(/^(\d+) passed, (\d+) failed$/gm)].at(-1);
  if (!m) {
    const why = stdout
      .split('\n')
      .filter((l) => /error|fatal/i.test(l))
      .slice(0, 1)
      .join('');
    throw new CheckError(`the testbench stopped without its "N passed, N failed" line${why ? `: ${why.trim()}` : ''}`);
  }
  return { passed: Number(m[1]), failed: Number(m[2]) };
}

export interface SimOptions {
  sim: Simulator;
  workDir: string; // cwd of the simulation: vector files are found relative to it
  sources: string[]; // Verilog files (absolute or relative to workDir)
  top?: string; // testbench module, default "tb"
  plusargs?: string[]; // e.g. ["vectors=vectors.hex"]
  waves?: string; // FST file name (relative to workDir) to dump
  timeoutMs?: number;
  /** Verilator: seed of the randomised initial state (--x-initial unique, +verilator+rand+reset+2). */
  seed?: number;
}

/** Verilator has no X: every run starts from random register and memory contents and random X
 *  assignments (seeded), so an output that depends on an unreset value shows up as a mismatch. */
export const VERILATOR_X_FLAGS = ['--x-assign', 'unique', '--x-initial', 'unique'];
const verilatorRandomInit = (seed: number) => ['+verilator+rand+reset+2', `+verilator+seed+${Math.max(1, seed)}`];

/** Build folders of killed runs (their pid is gone) are removed before the next build. */
function removeStaleBuilds(cacheRoot: string): void {
  if (!existsSync(cacheRoot)) return;
  for (const n of readdirSync(cacheRoot)) {
    const pid = Number(/\.tmp-(\d+)$/.exec(n)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      rmSync(join(cacheRoot, n), { recursive: true, force: true });
    }
  }
}

const absSources = (o: SimOptions) => o.sources.map((s) => (isAbsolute(s) ? s : resolve(o.workDir, s)));

/** Verilator builds are cached by the content of their sources and flags (SpinalHDL-style). */
function verilatorCacheDir(sources: string[], flags: string[]): string {
  const h = createHash('sha256');
  for (const s of sources) h.update(readFileSync(s)).update('\0');
  h.update(flags.join(' '));
  return join(REPO_ROOT, 'build', 'verilator-cache', h.digest('hex').slice(0, 16));
}

export async function simulate(o: SimOptions): Promise<SimResult> {
  const top = o.top ?? 'tb';
  const srcs = absSources(o);
  const plus = (o.plusargs ?? []).map((p) => `+${p}`);
  if (o.waves) plus.push(`+waves=${o.waves}`);
  const timeout = o.timeoutMs ?? 20 * 60_000;
  let stdout: string;
  let runSeconds = 0;
  if (o.sim === 'iverilog') {
    await requireTool('iverilog');
    const vvp = join(o.workDir, `${top}.vvp`);
    await execa('iverilog', ['-g2005', '-o', vvp, '-s', top, ...srcs], { cwd: o.workDir });
    const t0 = performance.now();
    const r = await execa('vvp', ['-n', vvp, ...(o.waves ? ['-fst'] : []), ...plus], {
      cwd: o.workDir,
      timeout,
      reject: false,
    });
    runSeconds = (performance.now() - t0) / 1000;
    stdout = r.stdout + r.stderr;
  } else {
    await requireTool('verilator');
    const flags = [
      '--binary',
      '-j',
      '2',
      '-O2',
      '--top-module',
      top,
      '-Wno-fatal',
      ...VERILATOR_X_FLAGS,
      ...(o.waves ? ['--trace-fst'] : []),
    ];
    const dir = verilatorCacheDir(srcs, flags);
    const exe = join(dir, `V${top}`);
    if (!existsSync(exe)) {
      removeStaleBuilds(dirname(dir));
      const tmp = `${dir}.tmp-${process.pid}`;
      rmSync(tmp, { recursive: true, force: true });
      mkdirSync(tmp, { recursive: true });
      const done = onInterrupt(() => rmSync(tmp, { recursive: true, force: true }));
      try {
        await execa('verilator', [...flags, '-Mdir', tmp, ...srcs], { cwd: o.workDir });
      } catch (e) {
        rmSync(tmp, { recursive: true, force: true });
        throw e;
      } finally {
        done();
      }
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
    }
    const t0 = performance.now();
    const r = await execa(exe, [...plus, ...verilatorRandomInit(o.seed ?? 1)], {
      cwd: o.workDir,
      timeout,
      reject: false,
    });
    runSeconds = (performance.now() - t0) / 1000;
    stdout = r.stdout + r.stderr;
  }
  const cyc = [...stdout.matchAll(/^CYCLES (\d+)$/gm)].at(-1);
  return { ...parseSummary(stdout), stdout, cycles: cyc ? Number(cyc[1]) : undefined, runSeconds };
}
