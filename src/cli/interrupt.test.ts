// Interrupts and concurrent runs through the real launcher: SIGTERM or SIGINT to elsa-gen stops every
// process it started (simulator, Verilator, make, g++) within about a second, exits 130 and leaves no
// temporary output; runs on the same output folder wait for each other; --debug adds the stack trace.
import { describe, expect, it } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../gen/render.ts';
import { matchesMarker } from '../gen/outdir.ts';

const BIN = join(REPO_ROOT, 'bin', 'elsa-gen.js');
const TMP = join(REPO_ROOT, 'build', 'interrupt-test');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Processes of a process group: "pid comm" lines. */
async function group(pgid: number): Promise<string[]> {
  const r = await execa('ps', ['-eo', 'pid=,pgid=,stat=,comm='], { reject: false });
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => Number(f[1]) === pgid && !f[2].startsWith('Z'))
    .map((f) => `${f[0]} ${f[3]}`);
}
async function cliPid(launcher: number): Promise<number> {
  const r = await execa('ps', ['-eo', 'pid=,ppid='], { reject: false });
  const row = r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .find((f) => f[1] === launcher);
  return row ? row[0] : 0;
}

async function interruptWhen(run: ResultPromise, busy: RegExp, sig: NodeJS.Signals) {
  let pgid = 0;
  const t0 = Date.now();
  let procs: string[] = [];
  while (Date.now() - t0 < 120_000) {
    pgid = pgid || (await cliPid(run.pid!));
    procs = pgid ? await group(pgid) : [];
    if (procs.some((p) => busy.test(p))) break;
    await sleep(100);
  }
  expect(
    procs.some((p) => busy.test(p)),
    procs.join(', '),
  ).toBe(true);
  const tk = Date.now();
  run.kill(sig);
  const r = await run;
  const exitMs = Date.now() - tk;
  let left = await group(pgid);
  while (left.length && Date.now() - tk < 3000) {
    await sleep(50);
    left = await group(pgid);
  }
  return { r, exitMs, goneMs: Date.now() - tk, left, busyAt: procs };
}

describe('interrupts', () => {
  mkdirSync(TMP, { recursive: true });
  it('SIGTERM while the simulator runs stops it, exits 130 and leaves no output folder', async () => {
    const out = join(TMP, 'sim-term');
    rmSync(out, { recursive: true, force: true });
    const run = execa(process.execPath, [BIN, 'sim', 'small', '--sim', 'iverilog', '--idle', '100000000', '-o', out], {
      cwd: REPO_ROOT,
      reject: false,
    });
    const { r, exitMs, goneMs, left } = await interruptWhen(run, / vvp$/, 'SIGTERM');
    console.log(`SIGTERM during vvp: launcher exit after ${exitMs} ms, process group empty after ${goneMs} ms`);
    expect(r.exitCode).toBe(130);
    expect(left).toEqual([]);
    expect(exitMs).toBeLessThan(1500);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(TMP).filter((n) => n.startsWith('.sim-term.elsa-'))).toEqual([]);
  });
  it('SIGINT while Verilator compiles stops make and g++, exits 130 and leaves no build folder', async () => {
    // a hash seed of its own: this config's Verilator build is never cached
    const cfg = join(TMP, 'fresh.json');
    const seed = (process.pid * 7919 + Date.now()) % 2 ** 30;
    writeFileSync(
      cfg,
      JSON.stringify({ name: 'fresh', nMax: 24, d: 16, k: 16, pA: 2, pC: 3, mH: 32, mO: 4, hashSeed: seed }),
    );
    const out = join(TMP, 'sim-int');
    const run = execa(process.execPath, [BIN, 'sim', cfg, '-o', out], { cwd: TMP, reject: false });
    const { r, exitMs, goneMs, left, busyAt } = await interruptWhen(run, / (cc1plus|g\+\+|make)$/, 'SIGINT');
    console.log(
      `SIGINT during the Verilator build (${busyAt.map((p) => p.split(' ')[1]).join(', ')}): ` +
        `exit after ${exitMs} ms, group empty after ${goneMs} ms`,
    );
    expect(r.exitCode).toBe(130);
    expect(left).toEqual([]);
    expect(exitMs).toBeLessThan(1500);
    expect(existsSync(out)).toBe(false);
    // build folders of dead processes only: another test worker may be building in the shared cache now
    const cache = join(REPO_ROOT, 'build', 'verilator-cache');
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const leftovers = readdirSync(cache).filter((n) => /\.tmp-(\d+)$/.test(n) && !alive(Number(n.split('.tmp-')[1])));
    expect(leftovers).toEqual([]);
  });
});

describe('concurrent runs and --debug', () => {
  it('six generate runs on one folder at once all succeed, one after the other', async () => {
    const out = join(TMP, 'six');
    rmSync(out, { recursive: true, force: true });
    const runs = await Promise.all(
      Array.from({ length: 6 }, () =>
        execa(process.execPath, [BIN, 'generate', 'small', '-o', out], { cwd: REPO_ROOT, reject: false }),
      ),
    );
    for (const r of runs) expect(r.exitCode, r.stderr).toBe(0);
    expect(matchesMarker(out)).toBe(true);
    expect(readdirSync(TMP).filter((n) => n.startsWith('.six.elsa-'))).toEqual([]);
  });
  it("a run refuses clearly when the folder stays locked by a live run, and takes over a dead run's lock", async () => {
    const out = join(TMP, 'locked');
    rmSync(out, { recursive: true, force: true });
    const lock = join(TMP, '.locked.elsa-lock');
    mkdirSync(lock, { recursive: true });
    writeFileSync(join(lock, 'pid'), String(process.pid)); // this test process is alive
    const r = await execa(process.execPath, [BIN, 'generate', 'small', '-o', out], {
      cwd: REPO_ROOT,
      reject: false,
      env: { ELSA_GEN_LOCK_WAIT_MS: '300' },
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`elsa-gen: waiting for another elsa-gen run (pid ${process.pid}) writing ${out}`);
    expect(r.stderr.trim().split('\n').at(-1)).toBe(
      `elsa-gen: ${out} is being written by another elsa-gen run (pid ${process.pid}); try again when it has finished`,
    );
    expect(existsSync(out)).toBe(false);
    writeFileSync(join(lock, 'pid'), '999999999'); // no such process
    const r2 = await execa(process.execPath, [BIN, 'generate', 'small', '-o', out], { cwd: REPO_ROOT, reject: false });
    expect(r2.exitCode, r2.stderr).toBe(0);
    expect(existsSync(lock)).toBe(false);
  });
  it('--debug adds the stack trace to an error', async () => {
    const r = await execa(process.execPath, [BIN, '--debug', 'validate', 'nope'], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      'elsa-gen: unknown preset "nope" (presets: paper, small, kwt1, ice40; or pass a .json file)',
    );
    expect(r.stderr).toMatch(/\n\s+at .*config\.(ts|js):\d+/); // the sources through tsx, or dist/ compiled
  });
});
