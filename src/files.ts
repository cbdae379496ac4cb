// File primitives every layer may use: a write that readers never see half done, and a lock that a killed
// process cannot leave behind for good. The output folders (src/gen/outdir.ts), the Verilator build cache
// (src/sim/build.ts), the θ_bias cache (src/spec/theta.ts) and the sweep store share them.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Whether a process with this id exists (this process included). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Every file below `dir` whose name passes `keep`, as paths relative to `dir` ('/'-separated), sorted. */
export function filesUnder(dir: string, keep: (name: string) => boolean, base = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, base), { withFileTypes: true })) {
    const rel = base ? `${base}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...filesUnder(dir, keep, rel));
    else if (keep(e.name)) out.push(rel);
  }
  return out.sort();
}

/** Write a file via a temporary sibling and rename, so readers never see a partial file. */
export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.elsa-tmp-${process.pid}`);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return true; // gone or being replaced: not a leftover file
  }
};

/** One attempt to take the lock folder `lock` (it holds the owner's pid): null when taken, else the pid
 *  of the live owner, or 0 when the caller should simply try again (a killed owner's lock was moved aside,
 *  or the owner is releasing it right now). */
export function tryLock(lock: string): number | null {
  const fresh = `${lock}-new-${process.pid}`;
  rmSync(fresh, { recursive: true, force: true });
  mkdirSync(fresh);
  writeFileSync(join(fresh, 'pid'), String(process.pid));
  try {
    renameSync(fresh, lock); // atomic: fails while another process's lock (never empty) is there
    return null;
  } catch (e) {
    rmSync(fresh, { recursive: true, force: true });
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR') throw e;
  }
  let owner = NaN;
  try {
    owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    // the owner is releasing it right now, unless the lock is a plain file (an older lock format): stale
    if (isDir(lock)) return 0;
  }
  if (pidAlive(owner)) return owner;
  if (Number.isNaN(owner) && isDir(lock)) return 0;
  // a killed process's lock: move it aside (atomic, so two processes cannot both take it over) and retry
  const stale = `${lock}-stale-${process.pid}`;
  try {
    renameSync(lock, stale);
  } catch {
    return 0;
  }
  rmSync(stale, { recursive: true, force: true });
  return 0;
}

/** Give the lock back (a no-op when it was taken over meanwhile). */
export function releaseLock(lock: string): void {
  let owner = NaN;
  try {
    owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    return;
  }
  if (owner !== process.pid) return;
  const gone = `${lock}-released-${process.pid}`;
  try {
    renameSync(lock, gone);
  } catch {
    return;
  }
  rmSync(gone, { recursive: true, force: true });
}
