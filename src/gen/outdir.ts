// Output folders that survive SIGKILL at any instant and never take a user's files with them.
//
// A run writes into a sibling `.<name>.elsa-tmp-<pid>`, writes a marker file listing every file with its
// SHA-256 last, then swaps by renames: `<name>` -> `.<name>.elsa-old-<pid>`, tmp -> `<name>`, old removed.
// The next run on the same folder (under the lock) completes or rolls back what a killed run left.
// Only folders that carry the marker (or are empty or absent) are replaced; anything else needs --force,
// and the current folder, its parents and folders holding .git are never replaced.
// This file imports only node: modules so that a killed child can load it fast (see outdir.kill.test.ts).
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { UserError, fsHint } from '../spec/errors.ts';
import { pidAlive, releaseLock, tryLock, writeFileAtomic } from '../files.ts';

export const MARKER = '.elsa-gen-output.json';
export interface OutFile {
  path: string;
  content: string | Buffer;
}
export interface Marker {
  generator: 'elsa-gen';
  kind: string;
  files: Record<string, string>;
}
export interface OutputOptions {
  /** What the folder holds: rtl, vectors, sim, ... A folder of another kind is not replaced. */
  kind: string;
  /** Replace a foreign folder or a file (never the current folder, a parent of it, or a .git holder). */
  force?: boolean;
  /** Paths this run reads: refused when they lie inside the folder it replaces. */
  inputs?: string[];
  /** How long to wait for another run writing the same folder (default 60 s, ELSA_GEN_LOCK_WAIT_MS). */
  waitMs?: number;
}

const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
const tag = (dir: string) => `.${basename(dir)}.elsa-`;
const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Every file below `dir` (relative paths with '/', sorted), the marker excluded. */
export function listFiles(dir: string, base = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, base), { withFileTypes: true })) {
    const rel = base ? `${base}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, rel));
    else if (rel !== MARKER) out.push(rel);
  }
  return out.sort();
}

export function readMarker(dir: string): Marker | null {
  try {
    const m = JSON.parse(readFileSync(join(dir, MARKER), 'utf8')) as Marker;
    return m && m.generator === 'elsa-gen' && typeof m.kind === 'string' && m.files && typeof m.files === 'object'
      ? m
      : null;
  } catch {
    return null;
  }
}

/** True when `dir` holds exactly the files its marker lists, with their contents. */
export function matchesMarker(dir: string): boolean {
  const m = readMarker(dir);
  if (!m) return false;
  const files = listFiles(dir);
  if (files.join('\n') !== Object.keys(m.files).sort().join('\n')) return false;
  return files.every((f) => sha(readFileSync(join(dir, f))) === m.files[f]);
}

/** Folders written before the marker existed: recognised by their fixed file names only. */
function legacyKind(dir: string, names: string[]): string | null {
  if (names.some((n) => statSync(join(dir, n)).isDirectory())) return null;
  const manifest = join(dir, 'manifest.json');
  if (existsSync(manifest)) {
    try {
      const gen = (JSON.parse(readFileSync(manifest, 'utf8')) as { generator?: unknown }).generator;
      const own = (n: string) => /\.(v|core|f|md|json)$/.test(n);
      if (typeof gen === 'string' && gen.startsWith('elsa-gen') && names.every(own)) return 'rtl';
    } catch {
      return null;
    }
  }
  if (names.length && names.every((n) => /^stim\.(hex|meta|json)$/.test(n))) return 'vectors';
  if (names.includes('tb.v') && names.includes('stim.meta')) return 'sim';
  return null;
}

const isInside = (child: string, parent: string) =>
  child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);

/** Throws a one-line UserError unless elsa-gen may replace `dir` (see the header). */
export function checkReplaceable(dir: string, o: OutputOptions): void {
  const abs = resolve(dir);
  const cwd = process.cwd();
  if (isInside(cwd, abs) || abs === dirname(abs))
    throw new UserError(
      `refusing to replace ${dir}: it is the current folder or a parent of it ` +
        '(choose another output folder; --force does not apply)',
    );
  for (const input of o.inputs ?? [])
    if (isInside(resolve(input), abs))
      throw new UserError(
        `refusing to replace ${dir}: it holds this run's input ${input} ` +
          '(move the input elsewhere; --force does not apply)',
      );
  let st;
  try {
    st = lstatSync(abs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    if (fsHint(e)) throw new UserError(`cannot write ${dir}: ${fsHint(e)}`);
    throw e;
  }
  if (!st.isDirectory()) {
    if (o.force) return;
    throw new UserError(
      `refusing to replace ${dir}: it is a file, not an elsa-gen output folder ` +
        '(choose another output, or pass --force to replace it)',
    );
  }
  const names = readdirSync(abs);
  if (names.length === 0) return;
  if (names.includes('.git'))
    throw new UserError(
      `refusing to replace ${dir}: it holds a .git folder (choose another output folder; --force does not apply)`,
    );
  if (o.force) return;
  const m = readMarker(abs);
  const kind = m?.kind ?? legacyKind(abs, names);
  if (!kind)
    throw new UserError(
      `refusing to replace ${dir}: it is not empty and elsa-gen did not write it ` +
        '(choose another output folder, or pass --force to replace it)',
    );
  if (kind !== o.kind)
    throw new UserError(
      `refusing to replace ${dir}: it holds elsa-gen ${kind} output, not ${o.kind} ` +
        '(choose another output folder, or pass --force to replace it)',
    );
  if (m) {
    const extra = listFiles(abs).filter((f) => !(f in m.files));
    if (extra.length)
      throw new UserError(
        `refusing to replace ${dir}: it holds ${extra[0]}, which elsa-gen did not write ` +
          '(move it away, or pass --force to replace the folder)',
      );
  }
}

// ---- lock --------------------------------------------------------------------------------------------

function acquireLock(dir: string, waitMs: number): string {
  const lock = `${dirname(dir)}/${tag(dir)}lock`;
  const t0 = Date.now();
  let told = false;
  for (;;) {
    const owner = tryLock(lock);
    if (owner === null) return lock;
    if (owner > 0 && Date.now() - t0 >= waitMs)
      throw new UserError(
        `${dir} is being written by another elsa-gen run (pid ${owner}); try again when it has finished`,
      );
    if (owner > 0 && !told) {
      process.stderr.write(`elsa-gen: waiting for another elsa-gen run (pid ${owner}) writing ${dir}\n`);
      told = true;
    }
    sleepSync(owner > 0 ? 100 : 5);
  }
}

// ---- recovery and swap ---------------------------------------------------------------------------------

/** Under the lock: finish or roll back a killed run's swap, and remove its temporary folders. */
export function recoverOutput(dir: string): void {
  const parent = dirname(dir);
  if (!existsSync(parent)) return;
  const pre = tag(dir);
  const left = readdirSync(parent)
    .filter((n) => n.startsWith(pre) && n !== `${pre}lock`)
    .map((n) => ({ n, kind: n.slice(pre.length).replace(/-\d+$/, ''), pid: Number(/-(\d+)$/.exec(n)?.[1]) }))
    .filter((x) => !pidAlive(x.pid) || x.pid === process.pid);
  if (!existsSync(dir)) {
    const old = left.find((x) => x.kind === 'old');
    const done = old && left.find((x) => x.kind === 'tmp' && x.pid === old.pid && matchesMarker(join(parent, x.n)));
    // killed between the two renames of a swap: the new set is complete, take it; else restore the old one
    if (done) renameSync(join(parent, done.n), dir);
    else if (old) renameSync(join(parent, old.n), dir);
  }
  for (const x of left) rmSync(join(parent, x.n), { recursive: true, force: true });
}

const active = new Set<OutputFolder>();
const cleanups = new Set<() => void>();

/** Run `fn` if the process is interrupted before the returned function is called (temporary files). */
export function onInterrupt(fn: () => void): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/** A folder being written: files go to `tmp`; commit() swaps it in, abort() removes it. */
export class OutputFolder {
  readonly tmp: string;
  private lock: string | null;
  constructor(
    readonly dir: string,
    readonly kind: string,
    lock: string,
  ) {
    this.lock = lock;
    this.tmp = join(dirname(dir), `${tag(dir)}tmp-${process.pid}`);
    rmSync(this.tmp, { recursive: true, force: true });
    mkdirSync(this.tmp);
    active.add(this);
  }
  write(files: OutFile[]): void {
    for (const f of files) {
      const p = join(this.tmp, f.path);
      if (!isInside(p, this.tmp) || p === this.tmp) throw new Error(`output file ${f.path} escapes its folder`);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, f.content);
    }
  }
  commit(): void {
    const files = Object.fromEntries(listFiles(this.tmp).map((f) => [f, sha(readFileSync(join(this.tmp, f)))]));
    const marker: Marker = { generator: 'elsa-gen', kind: this.kind, files };
    writeFileSync(join(this.tmp, `${MARKER}.part`), JSON.stringify(marker, null, 2) + '\n');
    renameSync(join(this.tmp, `${MARKER}.part`), join(this.tmp, MARKER)); // the marker appears whole or not at all
    const old = join(dirname(this.dir), `${tag(this.dir)}old-${process.pid}`);
    let hadOld = false;
    try {
      lstatSync(this.dir);
      hadOld = true;
    } catch {
      /* absent */
    }
    if (hadOld) renameSync(this.dir, old);
    renameSync(this.tmp, this.dir);
    if (hadOld) rmSync(old, { recursive: true, force: true });
    this.finish();
  }
  abort(): void {
    rmSync(this.tmp, { recursive: true, force: true });
    this.finish();
  }
  private finish(): void {
    active.delete(this);
    if (this.lock) releaseLock(this.lock);
    this.lock = null;
  }
}

/** Check, lock and recover `dir`, then hand out a temporary folder to write into. */
export function beginOutput(dir: string, o: OutputOptions): OutputFolder {
  checkReplaceable(dir, o);
  let lock: string;
  try {
    mkdirSync(dirname(resolve(dir)), { recursive: true });
    lock = acquireLock(resolve(dir), o.waitMs ?? Number(process.env.ELSA_GEN_LOCK_WAIT_MS ?? 60_000));
  } catch (e) {
    // the folder cannot be written at all: say so for the path the user gave
    const hint = fsHint(e);
    if (hint) throw new UserError(`cannot write ${dir}: ${hint}`);
    throw e;
  }
  try {
    recoverOutput(resolve(dir));
    checkReplaceable(dir, o); // again: the folder may have changed while we waited
    return new OutputFolder(resolve(dir), o.kind, lock);
  } catch (e) {
    releaseLock(lock);
    throw e;
  }
}

/** Write `files` as the whole content of `dir`, atomically (see the header). */
export function writeFolderAtomic(dir: string, files: OutFile[], o: OutputOptions): void {
  const out = beginOutput(dir, o);
  try {
    out.write(files);
    out.commit();
  } catch (e) {
    out.abort();
    throw e;
  }
}

/** Interrupted: remove every temporary folder of this process and release its locks (synchronous). */
export function abortAllOutputs(): void {
  for (const fn of [...cleanups, ...[...active].map((o) => () => o.abort())]) {
    try {
      fn();
    } catch {
      /* best effort while exiting */
    }
  }
}

/** Write one file atomically (temporary sibling + rename) into a folder shared with other files.
 *  An existing file is replaced only when `isOwn` recognises its content, or with `force`. */
export function writeOwnFile(path: string, content: string, isOwn: (old: string) => boolean, force = false): void {
  const dir = dirname(path);
  try {
    if (!statSync(dir).isDirectory())
      throw new UserError(`cannot write ${path}: ${dir} is a file, not a folder (choose another output folder)`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    mkdirSync(dir, { recursive: true });
  }
  let old: string | null = null;
  try {
    const st = lstatSync(path);
    old = st.isFile() ? readFileSync(path, 'utf8') : '';
    if (!st.isFile() && !force)
      throw new UserError(`refusing to replace ${path}: it is not a file (choose another output folder)`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (old !== null && !force && !isOwn(old))
    throw new UserError(
      `refusing to replace ${path}: elsa-gen did not write it ` +
        '(choose another output folder, or pass --force to replace it)',
    );
  writeFileAtomic(path, content);
}
