// Running a program to its end and collecting its output with node:child_process. The simulation's start
// path uses this rather than execa: loading execa's module graph (about 130 files) cost `elsa-gen sim` 0.1–0.2 s
// before anything ran. Builds and tool failures that need execa's error messages still use it.
import { spawn } from 'node:child_process';

export interface Captured {
  stdout: string;
  stderr: string;
  /** Exit code (a negative errno when the program could not be started), or null when a signal ended it. */
  exitCode: number | null;
  /** Set when the program could not be started (the reason), as execa reports it with reject: false. */
  spawnError?: string;
}

/** The final newline dropped, as execa does. */
const text = (chunks: Buffer[]) =>
  Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');

/** Run `file` with `args` (stdin closed) and resolve with its output once it has ended; never rejects. After
 *  `timeout` ms it gets SIGTERM, and SIGKILL 5 s later (execa's defaults). */
export function capture(file: string, args: string[], o: { cwd?: string; timeout?: number } = {}): Promise<Captured> {
  return new Promise((done) => {
    const child = spawn(file, args, { cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let kill: NodeJS.Timeout | undefined;
    const timer =
      o.timeout === undefined
        ? undefined
        : setTimeout(() => {
            child.kill('SIGTERM');
            kill = setTimeout(() => child.kill('SIGKILL'), 5000);
          }, o.timeout);
    let spawnError: string | undefined;
    child.on('error', (e) => (spawnError = e.message));
    child.on('close', (code) => {
      clearTimeout(timer);
      clearTimeout(kill);
      done({ stdout: text(out), stderr: text(err), exitCode: code, ...(spawnError ? { spawnError } : {}) });
    });
  });
}
