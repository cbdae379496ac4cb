// Running Yosys and nextpnr-ice40: versions, logs, progress lines and a small job pool.
import { execa } from 'execa';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../spec/errors.ts';
import { REPO_ROOT } from '../gen/render.ts';
import { requireTool } from '../sim/run.ts';

export type Progress = (msg: string) => void;

/** Progress on stderr: "[synth small/ice40] msg". */
export const stderrProgress =
  (prefix: string): Progress =>
  (msg) =>
    process.stderr.write(`[${prefix}] ${msg}\n`);

export const seconds = (t0: number): number => Math.round((performance.now() - t0) / 100) / 10;

let yosysVersionCache: string | undefined;

/** `Yosys 0.23 (git sha1 7ce5011c24b)`; fails with an install hint when yosys is missing. */
export async function yosysVersion(): Promise<string> {
  if (yosysVersionCache) return yosysVersionCache;
  await requireTool('yosys');
  const r = await execa('yosys', ['-V']);
  yosysVersionCache = r.stdout.trim().split('\n')[0];
  return yosysVersionCache;
}

// Process-wide limit on tool processes, so concurrent synthesize() calls (a bench, the test running two
// targets) share the CPUs instead of oversubscribing them; the queue is FIFO, so big jobs queued first start first.
let slots = availableParallelism();
let capacity = slots;
const waiters: (() => void)[] = [];

/** Raise the process-wide limit of concurrent tool runs (never lowers it). */
export function ensureToolSlots(n: number): void {
  if (n > capacity) {
    slots += n - capacity;
    capacity = n;
    while (slots > 0 && waiters.length) {
      slots--;
      waiters.shift()!();
    }
  }
}

export async function withToolSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (slots > 0) slots--;
  else await new Promise<void>((r) => waiters.push(r));
  try {
    return await fn();
  } finally {
    const w = waiters.shift();
    if (w) w();
    else slots++;
  }
}

/** A process and all its descendants (Linux /proc), by pid: yosys runs ABC as yosys → sh → yosys-abc. */
function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      for (const t of readdirSync(`/proc/${out[i]}/task`)) {
        const kids = readFileSync(`/proc/${out[i]}/task/${t}/children`, 'utf8').trim();
        if (kids) out.push(...kids.split(/\s+/).map(Number));
      }
    } catch {
      /* gone already */
    }
  }
  return out;
}

export class ToolTimeout extends Error {
  constructor(
    readonly tool: string,
    readonly afterSec: number,
  ) {
    super(`${tool} timed out after ${afterSec} s`);
  }
}

/** Run a Yosys script file in `cwd`; the full log goes to `log`. Throws with the log's tail on failure,
 *  or ToolTimeout after `timeoutSec` (Yosys and its ABC children are killed by pid).
 *  Returns the seconds Yosys ran (waiting for a free slot excluded). */
export async function runYosys(
  cwd: string,
  script: string,
  log: string,
  opts: { onStart?: () => void; timeoutSec?: number } = {},
): Promise<number> {
  let t0 = 0;
  let timedOut = false;
  const r = await withToolSlot(async () => {
    t0 = performance.now();
    opts.onStart?.();
    const child = execa('yosys', ['-q', '-l', log, '-s', script], { cwd, reject: false });
    const timer = opts.timeoutSec
      ? setTimeout(() => {
          timedOut = true;
          for (const p of processTree(child.pid!)) {
            try {
              process.kill(p, 'SIGKILL');
            } catch {
              /* already exited */
            }
          }
        }, opts.timeoutSec * 1000)
      : undefined;
    try {
      return await child;
    } finally {
      if (timer) clearTimeout(timer);
    }
  });
  const secs = seconds(t0);
  if (timedOut) throw new ToolTimeout('yosys', opts.timeoutSec!);
  if (r.exitCode !== 0) {
    const logText = existsSync(join(cwd, log)) ? readFileSync(join(cwd, log), 'utf8') : '';
    const tail = (logText || `${r.stdout}\n${r.stderr}`).trim().split('\n').slice(-25).join('\n');
    throw new Error(`yosys failed (script ${join(cwd, script)}, exit ${r.exitCode}):\n${tail}`);
  }
  return secs;
}

/** Run `fns` with at most `n` in flight; results in input order. */
export async function pool<T>(n: number, fns: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array(fns.length);
  let next = 0;
  const worker = async () => {
    while (next < fns.length) {
      const i = next++;
      out[i] = await fns[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, fns.length)) }, worker));
  return out;
}

// ------------------------------------------------------------------------------------------ nextpnr

export interface NextpnrRunner {
  kind: 'debian' | 'yowasp';
  version: string;
  /** Run nextpnr-ice40 with `args` in `cwd` (input files named relative to cwd); returns its log text and exit
   *  status. */
  run(cwd: string, args: string[], inputs: string[]): Promise<{ ok: boolean; log: string }>;
}

export const NEXTPNR_INSTALL_HINT =
  'no nextpnr-ice40 found: install it with `apt-get install nextpnr-ice40 fpga-icestorm` (Debian, preferred), ' +
  'or `npm install @yowasp/nextpnr-ice40` (WebAssembly, 223 MB)';

/** Debian nextpnr-ice40 if on PATH, else @yowasp/nextpnr-ice40 if installed, else a UserError with install
 *  instructions. */
export async function findNextpnr(): Promise<NextpnrRunner> {
  const which = await execa('sh', ['-c', 'command -v nextpnr-ice40'], { reject: false });
  if (which.exitCode === 0) {
    const v = await execa('nextpnr-ice40', ['--version'], { reject: false });
    const version = `${v.stdout}\n${v.stderr}`.trim().split('\n')[0];
    return {
      kind: 'debian',
      version,
      async run(cwd, args) {
        const r = await withToolSlot(() => execa('nextpnr-ice40', args, { cwd, reject: false, all: true }));
        return { ok: r.exitCode === 0, log: r.all ?? '' };
      },
    };
  }
  let mod:
    { runNextpnrIce40: (args: string[], files: Record<string, unknown>, o: unknown) => Promise<unknown> } | undefined;
  let pkgVersion = '?';
  try {
    mod = (await import('@yowasp/nextpnr-ice40' as string)) as typeof mod;
    try {
      const req = createRequire(join(REPO_ROOT, 'package.json'));
      pkgVersion = JSON.parse(readFileSync(req.resolve('@yowasp/nextpnr-ice40/package.json'), 'utf8')).version;
    } catch {
      /* version stays unknown */
    }
  } catch {
    throw new UserError(NEXTPNR_INSTALL_HINT);
  }
  const yw = mod!;
  const capture = async (args: string[], files: Record<string, unknown>): Promise<{ ok: boolean; log: string }> => {
    let log = '';
    const dec = new TextDecoder();
    const sink = (b: Uint8Array | null) => {
      if (b) log += dec.decode(b, { stream: true });
    };
    try {
      await yw.runNextpnrIce40(args, files, { stdout: sink, stderr: sink });
      return { ok: true, log };
    } catch (e) {
      return { ok: false, log: `${log}\n${(e as Error).message ?? e}` };
    }
  };
  const ver = await capture(['--version'], {});
  return {
    kind: 'yowasp',
    version: `${ver.log.trim().split('\n')[0]} (@yowasp/nextpnr-ice40 ${pkgVersion})`,
    async run(cwd, args, inputs) {
      const files: Record<string, unknown> = {};
      for (const f of inputs) files[f] = readFileSync(join(cwd, f));
      return withToolSlot(() => capture(args, files));
    },
  };
}
