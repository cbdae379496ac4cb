// Verilator builds, compiled once and shared. A model is cached under build/verilator-cache/m-<key>, where
// the key hashes exactly what goes into the build: every source file (name and content), the Verilator
// flags, the C++ optimisation level and the Verilator and g++ versions. Stimulus sizes are run-time
// plusargs of the testbenches, so another stimulus reuses the model. Verilator's own runtime (verilated.cpp,
// verilated_threads.cpp, verilated_timing.cpp, ...), 65% of a small build, is compiled once per Verilator
// version, compiler and runtime switches into rt-<key> and linked into every model.
// Entries appear by renaming a finished <entry>.tmp-<pid> folder, so an interrupted build never leaves an
// entry that looks valid; a lock file per entry makes concurrent workers wait for one build instead of
// compiling the same thing twice (an optimisation only: two builds of one key still end in one entry).
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { onInterrupt } from '../gen/outdir.ts';
import { REPO_ROOT } from '../gen/render.ts';
import { capture } from './capture.ts';

import { releaseLock, tryLock, pidAlive } from '../files.ts';
/** C++ optimisation of the model: `build` compiles fastest, `fast` simulates fastest (long runs; with
 *  NATIVE when the compiler takes it). */
export const CXX_OPT = { build: '-O1', fast: '-O2' } as const;
export type CxxOpt = keyof typeof CXX_OPT;
/** `fast` models are compiled for this machine's processor: the wide datapath words (576-bit rows) then use
 *  its vector instructions, about 10% fewer CPU-seconds on paper once the banks share one function (with
 *  four copies it gained nothing). The cache key holds the target the compiler resolves it to. */
const NATIVE = '-march=native';

export interface VerilatorBuild {
  exe: string;
  /** The cache entry (folder) holding the executable. */
  dir: string;
  /** True when the model was already built: nothing was compiled. */
  cached: boolean;
  /** Wall seconds spent building (0 when cached). */
  seconds: number;
  /** Whether Verilator's runtime came from the cache; null when the model itself was cached. */
  runtimeCached: boolean | null;
}

const cacheRoot = () => join(REPO_ROOT, 'build', 'verilator-cache');
const JOBS = '2';

let toolVersions: Promise<string> | null = null;
/** Verilator's and g++'s version lines and the processor NATIVE compiles for: a new compiler, Verilator or
 *  processor means new builds. */
function versions(): Promise<string> {
  toolVersions ??= Promise.all([version('verilator'), version('g++'), native()]).then(([v, g, n]) =>
    [v.stdout, g.stdout, `native ${n ?? 'none'}`].map((l) => l.split('\n')[0].trim()).join('\n'),
  );
  return toolVersions;
}

/** Ask for the tool versions now, so that the answer is in by the time a model is looked up (the commands
 *  run on another core while the caller computes its stimulus). A failure shows when verilatorBuild asks. */
export function prefetchToolVersions(): void {
  versions().catch(() => undefined);
}

/** A tool's `--version` output; a tool that does not run fails the model lookup with the reason. */
async function version(tool: string): Promise<{ stdout: string }> {
  const r = await capture(tool, ['--version']);
  if (r.exitCode !== 0) throw new Error(`${tool} --version failed: ${r.spawnError ?? r.stderr.split('\n')[0]}`);
  return r;
}

let nativeTarget: Promise<string | null> | null = null;
/** What NATIVE means here (the processor and the instruction sets g++ resolves it to), or null when g++ does
 *  not take it: another processor is another build. */
function native(): Promise<string | null> {
  nativeTarget ??= capture('g++', [NATIVE, '-Q', '--help=target']).then((r) =>
    r.exitCode === 0 ? createHash('sha256').update(r.stdout).digest('hex').slice(0, 16) : null,
  );
  return nativeTarget;
}

/** The C++ optimisation flags of a model. */
async function cxxFlags(opt: CxxOpt): Promise<string> {
  return opt === 'fast' && (await native()) ? `${CXX_OPT.fast} ${NATIVE}` : CXX_OPT[opt];
}

/** The cache key of a model build: what goes into it, nothing else (not the folder it is built from). */
export function modelKey(tools: string, flags: string[], opt: CxxOpt, sources: string[]): string {
  const h = createHash('sha256').update(`elsa-gen verilator model 2\0${tools}\0${flags.join(' ')}\0${CXX_OPT[opt]}\0`);
  for (const s of sources) h.update(basename(s)).update('\0').update(readFileSync(s)).update('\0');
  return h.digest('hex').slice(0, 16);
}

/** Folders of killed builds (their pid is gone), and builds of the layout before m-/rt- entries (named by
 *  a bare hash, built per stimulus length), are removed before the next build. */
function removeStale(root: string): void {
  if (!existsSync(root)) return;
  for (const n of readdirSync(root)) {
    if (/^[0-9a-f]{16}$/.test(n)) rmSync(join(root, n), { recursive: true, force: true });
    const pid = Number(/\.tmp-(\d+)$/.exec(n)?.[1]);
    if (!pid || pid === process.pid || pidAlive(pid)) continue;
    rmSync(join(root, n), { recursive: true, force: true });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Hold the lock folder `<entry>.lock` while `fn` runs. A live owner is waited for (up to `maxWaitMs`, then
 *  `fn` runs anyway: the lock only saves a duplicate build); a killed owner's lock is taken over. */
async function withLock<T>(entry: string, fn: () => Promise<T>, maxWaitMs = 20 * 60_000): Promise<T> {
  const lock = `${entry}.lock`;
  const t0 = Date.now();
  let held = false;
  while (!held && Date.now() - t0 < maxWaitMs) {
    const owner = tryLock(lock);
    held = owner === null;
    if (owner) await sleep(200);
  }
  const release = () => held && releaseLock(lock);
  const done = onInterrupt(release);
  try {
    return await fn();
  } finally {
    done();
    release();
  }
}

/** Build into `<entry>.tmp-<pid>` and rename it to `entry`; an entry that appeared meanwhile is kept. */
async function buildEntry(entry: string, build: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `${entry}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const done = onInterrupt(() => rmSync(tmp, { recursive: true, force: true }));
  try {
    await build(tmp);
    try {
      renameSync(tmp, entry);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    done();
  }
}

/** Runtime switches (VM_TIMING = 1, ...) and the runtime's object names from V<top>_classes.mk. */
function runtimeOf(classesMk: string): { switches: string[]; objs: string[] } {
  const lines = classesMk.split('\n');
  // every switch but the split of the model's own files, which does not reach the runtime's compilation
  const switches = lines.filter((l) => /^VM_\w+ = \S*$/.test(l) && !l.startsWith('VM_PARALLEL_BUILDS '));
  const objs: string[] = [];
  for (let i = 0; i < lines.length; i++)
    if (/^VM_GLOBAL_(FAST|SLOW) \+= \\$/.test(lines[i]))
      for (let j = i + 1; /^\t\S+ \\$/.test(lines[j] ?? ''); j++) objs.push(lines[j].trim().split(' ')[0]);
  return { switches, objs };
}

/** Verilator's runtime objects for the model verilated into `mdir`, from the cache or compiled there. */
async function runtimeObjects(tools: string, mdir: string, top: string): Promise<{ objs: string[]; cached: boolean }> {
  const { switches, objs } = runtimeOf(readFileSync(join(mdir, `V${top}_classes.mk`), 'utf8'));
  const key = createHash('sha256')
    .update(`elsa-gen verilator runtime 2\0${tools}\0${switches.join('\n')}\0${objs.join(' ')}`)
    .digest('hex')
    .slice(0, 16);
  const entry = join(cacheRoot(), `rt-${key}`);
  const paths = objs.map((o) => join(entry, `${o}.o`));
  if (existsSync(entry)) return { objs: paths, cached: true };
  let cached = true;
  await withLock(entry, async () => {
    if (existsSync(entry)) return;
    cached = false;
    await buildEntry(entry, async (tmp) => {
      const { execa } = await import('execa');
      await execa('make', ['-C', mdir, '-f', `V${top}.mk`, '-j', JOBS, ...objs.map((o) => `${o}.o`)]);
      for (const o of objs) copyFileSync(join(mdir, `${o}.o`), join(tmp, `${o}.o`));
    });
  });
  return { objs: paths, cached };
}

/** The model of `sources` (absolute paths) with top module `top`, built or from the cache. */
export async function verilatorBuild(o: {
  sources: string[];
  top: string;
  flags: string[];
  opt: CxxOpt;
  cwd: string;
}): Promise<VerilatorBuild> {
  const tools = await versions();
  const key = modelKey(tools, o.flags, o.opt, o.sources);
  const cxx = await cxxFlags(o.opt);
  const dir = join(cacheRoot(), `m-${key}`);
  const exe = join(dir, `V${o.top}`);
  if (existsSync(exe)) return { exe, dir, cached: true, seconds: 0, runtimeCached: null };
  mkdirSync(cacheRoot(), { recursive: true });
  removeStale(cacheRoot());
  const t0 = performance.now();
  let runtimeCached: boolean | null = null;
  await withLock(dir, async () => {
    if (existsSync(exe)) return;
    await buildEntry(dir, async (tmp) => {
      // execa for the build: its errors carry the failing command and its output (src/cli/main.ts)
      const { execa } = await import('execa');
      await execa('verilator', [...o.flags, '-Mdir', tmp, ...o.sources], { cwd: o.cwd });
      const rt = await runtimeObjects(tools, tmp, o.top);
      runtimeCached = rt.cached;
      // the runtime goes in LDFLAGS, before the model's archive: the link order of Verilator's own rule
      await execa('make', [
        '-C',
        tmp,
        '-f',
        `V${o.top}.mk`,
        '-j',
        JOBS,
        `V${o.top}`,
        `OPT_FAST=${cxx}`,
        'VM_GLOBAL_FAST=',
        'VM_GLOBAL_SLOW=',
        `USER_LDFLAGS=${rt.objs.join(' ')}`,
      ]);
      // keep the executable and a note of what it was built from: the C++ and objects are most of the size
      for (const f of readdirSync(tmp)) if (f !== `V${o.top}`) rmSync(join(tmp, f), { recursive: true, force: true });
      const sources = o.sources.map((s) => ({ name: basename(s), bytes: statSync(s).size }));
      const info = { key, tools, flags: o.flags, cxxOpt: cxx, runtime: rt.objs, sources };
      writeFileSync(join(tmp, 'build.json'), JSON.stringify(info, null, 2) + '\n');
    });
  });
  const built = runtimeCached !== null;
  return { exe, dir, cached: !built, seconds: built ? (performance.now() - t0) / 1000 : 0, runtimeCached };
}
