// Running testbenches under Icarus Verilog or Verilator, and reading their "N passed, N failed" line.
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { CheckError, UserError } from '../spec/errors.ts';
import { verilatorBuild, type CxxOpt, type VerilatorBuild } from './build.ts';
import { SHARE_FLAGS } from './share.ts';
import { capture } from './capture.ts';

export const SIMULATORS = ['iverilog', 'verilator'] as const;
export type Simulator = (typeof SIMULATORS)[number];

export interface SimResult {
  passed: number;
  failed: number;
  stdout: string;
  cycles?: number;
  /** Wall seconds of the simulation process alone (no compilation). */
  runSeconds?: number;
  /** CPU seconds of the simulation process alone (Linux; undefined elsewhere). */
  runCpuSeconds?: number;
  /** When the simulation process started, in seconds since this Node process started. */
  runStartedAt?: number;
  /** CPU seconds this Node process had used by then (user and system; its children not counted). */
  runStartedCpu?: number;
  /** Verilator: the model build, and whether it came from the cache. */
  build?: VerilatorBuild;
}

const INSTALL_HINT: Record<string, string> = {
  iverilog: 'apt-get install iverilog (or run bash scripts/setup.sh)',
  vvp: 'apt-get install iverilog (or run bash scripts/setup.sh)',
  verilator: 'apt-get install verilator (or run bash scripts/setup.sh)',
  make: 'apt-get install make (or run bash scripts/setup.sh)',
  'g++': 'apt-get install g++ (or run bash scripts/setup.sh)',
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
  /** Verilator: C++ optimisation of the model (default `build`; `fast` for long runs). */
  opt?: CxxOpt;
}

/** Verilator has no X: every run starts from random register and memory contents and random X
 *  assignments (seeded), so an output that depends on an unreset value shows up as a mismatch. */
export const VERILATOR_X_FLAGS = ['--x-assign', 'unique', '--x-initial', 'unique'];
const verilatorRandomInit = (seed: number) => ['+verilator+rand+reset+2', `+verilator+seed+${Math.max(1, seed)}`];

const absSources = (o: SimOptions) => o.sources.map((s) => (isAbsolute(s) ? s : resolve(o.workDir, s)));

/** CPU seconds of this process's children that have ended (Linux /proc; USER_HZ is 100), else null. */
function childCpuSeconds(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) / 100; // fields 16 and 17: cutime, cstime
  } catch {
    return null;
  }
}

/** Run one simulation process; wall and CPU seconds of that process alone. */
async function runTimed(file: string, args: string[], cwd: string, timeout: number) {
  const cpu0 = childCpuSeconds();
  const t0 = performance.now(); // milliseconds since this process started
  const own = process.cpuUsage();
  const r = await capture(file, args, { cwd, timeout });
  const cpu1 = childCpuSeconds();
  return {
    stdout: r.stdout + r.stderr + (r.spawnError ? `\nerror: ${r.spawnError}` : ''),
    runSeconds: (performance.now() - t0) / 1000,
    runStartedAt: t0 / 1000,
    runStartedCpu: (own.user + own.system) / 1e6,
    runCpuSeconds: cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : undefined,
  };
}

export async function simulate(o: SimOptions): Promise<SimResult> {
  const top = o.top ?? 'tb';
  // Verilator configuration files (.vlt) go to Verilator only, before the Verilog; they come with SHARE_FLAGS
  const all = absSources(o);
  const vlt = all.filter((s) => s.endsWith('.vlt'));
  const srcs = all.filter((s) => !s.endsWith('.vlt'));
  const plus = (o.plusargs ?? []).map((p) => `+${p}`);
  if (o.waves) plus.push(`+waves=${o.waves}`);
  const timeout = o.timeoutMs ?? 20 * 60_000;
  let run: Awaited<ReturnType<typeof runTimed>>;
  let build: VerilatorBuild | undefined;
  if (o.sim === 'iverilog') {
    await requireTool('iverilog');
    const vvp = join(o.workDir, `${top}.vvp`);
    const { execa } = await import('execa');
    await execa('iverilog', ['-g2005', '-o', vvp, '-s', top, ...srcs], { cwd: o.workDir });
    run = await runTimed('vvp', ['-n', vvp, ...(o.waves ? ['-fst'] : []), ...plus], o.workDir, timeout);
  } else {
    for (const tool of ['verilator', 'make', 'g++']) await requireTool(tool);
    const flags = [
      '--cc',
      '--exe',
      '--main',
      '--timing',
      '-O2',
      '--top-module',
      top,
      '-Wno-fatal',
      ...VERILATOR_X_FLAGS,
      ...(vlt.length ? SHARE_FLAGS : []),
      ...(o.waves ? ['--trace-fst'] : []),
    ];
    build = await verilatorBuild({ sources: [...vlt, ...srcs], top, flags, opt: o.opt ?? 'build', cwd: o.workDir });
    run = await runTimed(build.exe, [...plus, ...verilatorRandomInit(o.seed ?? 1)], o.workDir, timeout);
  }
  const stdout = run.stdout;
  const cyc = [...stdout.matchAll(/^CYCLES (\d+)$/gm)].at(-1);
  const cycles = cyc ? Number(cyc[1]) : undefined;
  return {
    ...parseSummary(stdout),
    stdout,
    cycles,
    runSeconds: run.runSeconds,
    runCpuSeconds: run.runCpuSeconds,
    runStartedAt: run.runStartedAt,
    runStartedCpu: run.runStartedCpu,
    build,
  };
}
