// Sweeps end to end: planning (axes, invalid points, job keys without absolute paths), the embedded
// pool with its cache and resume after Ctrl-C, and the BullMQ queue against a real redis-server with
// two workers, one of them killed mid-job. Kept cheap: the ice40 preset, lint and cycle-model tasks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from '../root.ts';
import { findOnPath } from '../sim/run.ts';
import { loadSweepFile, planSweep } from './spec.ts';

const BIN = join(REPO_ROOT, 'bin', 'elsa-gen.js');
const TMP = join(REPO_ROOT, 'build', 'sweep-test');
const SWEEP = join(TMP, 'tiny.json');
const cli = (args: string[]) => execa(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, reject: false });
// 6 points: pA = 3 does not divide nMax = 16 (3 invalid points); 3 valid points × (lint + cycles) = 6 jobs
const TINY = {
  name: 'tiny',
  base: 'ice40',
  axes: { pC: [1, 2, 4], pA: [1, 3] },
  tasks: { lint: true, cycles: { p: [0, 1, 2] } },
};

beforeAll(() => {
  rmSync(TMP, { recursive: true, force: true });
  mkdirSync(TMP, { recursive: true });
  writeFileSync(SWEEP, JSON.stringify(TINY));
});

describe('sweep planning', () => {
  it('expands the axes, reports invalid points with their config error, keys jobs by hardware', () => {
    const l = loadSweepFile(SWEEP);
    const plan = planSweep(l.spec, { dir: l.dir, fileName: l.fileName });
    expect(plan.points.map((p) => p.axes)).toEqual([
      { pC: 1, pA: 1 },
      { pC: 1, pA: 3 },
      { pC: 2, pA: 1 },
      { pC: 2, pA: 3 },
      { pC: 4, pA: 1 },
      { pC: 4, pA: 3 },
    ]);
    const invalid = plan.points.filter((p) => p.error);
    expect(invalid.map((p) => p.index)).toEqual([1, 3, 5]);
    expect(invalid[0].error).toMatch(/^config error: pA must divide nMax = 16, not 3/);
    expect(plan.jobs).toHaveLength(6);
    expect(new Set(plan.jobs.map((j) => j.key)).size).toBe(6);
    // the same hardware under another name or thresholds is the same job
    const again = planSweep(
      { ...l.spec, name: 'other', axes: { pC: [1], thresholds: [{}, { layer0: 0.5 }] } },
      { dir: l.dir, fileName: 'x' },
    );
    expect(again.jobs.map((j) => j.key).sort()).toEqual(
      plan.jobs
        .filter((j) => j.hwHash === plan.points[0].hwHash)
        .map((j) => j.key)
        .sort(),
    );
  });

  it('puts no absolute path into a job (the clip folder travels relative to the working directory)', () => {
    const clips = join(TMP, 'clips');
    mkdirSync(clips, { recursive: true });
    writeFileSync(join(clips, 'manifest.json'), JSON.stringify({ clips: [] }));
    const l = loadSweepFile(SWEEP);
    const spec = { ...l.spec, tasks: { ...l.spec.tasks, accuracy: { clips, p: [1] } } };
    const plan = planSweep(spec, { dir: l.dir, fileName: l.fileName, cwd: REPO_ROOT });
    const acc = plan.jobs.find((j) => j.task === 'accuracy')!;
    expect(acc.inputs.clips).toBe('build/sweep-test/clips');
    const strings = JSON.stringify(plan.jobs).match(/"[^"]*"/g)!;
    expect(strings.filter((s) => s.startsWith('"/') || s.includes(REPO_ROOT))).toEqual([]);
  });

  it('rejects a broken sweep file with one line and exit code 2', async () => {
    const bad = join(TMP, 'bad.json');
    writeFileSync(bad, JSON.stringify({ base: 'small', axes: { pX: [1] } }));
    const r = await cli(['sweep', bad]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^elsa-gen: sweep axis "pX" is not a config field/);
  });
});

describe('embedded sweep', () => {
  it('runs every job once, writes JSON, CSV, summary, Pareto page; a re-run takes all from the cache', async () => {
    const out = join(TMP, 'embedded'),
      cache = join(TMP, 'cache-embedded');
    const r = await cli(['sweep', SWEEP, '-o', out, '--cache-dir', cache, '-j', '2']);
    expect(r.stderr).toContain('sweep: 6 jobs, 0 cached');
    expect(r.exitCode).toBe(0);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(res.points.map((p: { status: string }) => p.status)).toEqual([
      'ok',
      'invalid',
      'ok',
      'invalid',
      'ok',
      'invalid',
    ]);
    for (const p of res.points.filter((q: { status: string }) => q.status === 'ok')) {
      expect(p.tasks.lint).toMatchObject({ status: 'ok', findings: [] });
      expect(p.tasks.cycles.perP.map((w: { p: number }) => w.p)).toEqual([0, 1, 2]);
      expect(p.tasks.cycles.perP[0].selected).toBe(1);
    }
    // more selection modules never cost cycles: P_c = 4 is at least as fast as P_c = 1 at every p
    const cpq = (i: number) => res.points[i].tasks.cycles.perP.map((w: { cyclesPerQuery: number }) => w.cyclesPerQuery);
    cpq(4).forEach((c: number, j: number) => expect(c).toBeLessThanOrEqual(cpq(0)[j]));
    const csv = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(7);
    expect(csv[0]).toMatch(/^point,name,pC,pA,hw hash,status,error,lint,cycles\/query p=0,/);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('points: 3 ok, 3 invalid');
    const page = readFileSync(join(out, 'pareto.html'), 'utf8');
    expect(page).toContain('<svg');
    expect(page).not.toMatch(/https?:/);

    const again = await cli(['sweep', SWEEP, '-o', join(TMP, 'embedded-2'), '--cache-dir', cache]);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain('sweep: 6 jobs, 6 cached');
    expect(readFileSync(join(TMP, 'embedded-2', 'results.json'), 'utf8')).toBe(
      readFileSync(join(out, 'results.json'), 'utf8'),
    );
  });

  it('stops on SIGINT with exit code 130, and a re-run resumes from the finished jobs', async () => {
    const cache = join(TMP, 'cache-resume');
    // the CLI itself (not the launcher) so the signal reaches exactly the sweep process
    const main = join(REPO_ROOT, 'src', 'cli', 'main.ts');
    const p = execa(
      process.execPath,
      ['--import', 'tsx', main, 'sweep', SWEEP, '-o', join(TMP, 'resume'), '--cache-dir', cache, '-j', '1'],
      { cwd: REPO_ROOT, reject: false },
    );
    await new Promise<void>((resolve) =>
      p.stderr!.on('data', (b: Buffer) => {
        if (/sweep: 1\/6 jobs/.test(b.toString())) resolve();
      }),
    );
    p.kill('SIGINT');
    const r = await p;
    expect(r.exitCode).toBe(130);
    expect(r.stderr).toMatch(
      /interrupted with [1-5] of 6 jobs not done; finished jobs are cached, run the same command to resume/,
    );
    const again = await cli(['sweep', SWEEP, '-o', join(TMP, 'resume'), '--cache-dir', cache]);
    expect(again.exitCode).toBe(0);
    const cached = Number(/sweep: 6 jobs, (\d+) cached/.exec(again.stderr)?.[1]);
    expect(cached).toBeGreaterThanOrEqual(1);
    expect(cached).toBeLessThan(6);
    expect(readFileSync(join(TMP, 'resume', 'results.json'), 'utf8')).toBe(
      readFileSync(join(TMP, 'embedded', 'results.json'), 'utf8'),
    );
  });
});

// CI installs redis-server (scripts/setup.sh); without it this test fails instead of skipping
describe('queue sweep on a real redis-server', () => {
  let redis: ResultPromise | undefined;
  let port = 0;
  const workers: ResultPromise[] = [];
  beforeAll(async () => {
    port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    if (!findOnPath('redis-server')) return;
    redis = execa('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      reject: false,
    });
    await new Promise<void>((resolve) =>
      redis!.stdout!.on('data', (b: Buffer) => {
        if (/Ready to accept connections/.test(b.toString())) resolve();
      }),
    );
  });
  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    redis?.kill('SIGTERM');
    await Promise.allSettled([...workers, ...(redis ? [redis] : [])]);
  });

  it('two workers, one killed mid-job: every result present once and equal to the embedded run', async () => {
    expect(findOnPath('redis-server'), 'redis-server is not installed (run bash scripts/setup.sh)').not.toBeNull();
    const url = `redis://127.0.0.1:${port}`;
    const logs = ['', ''];
    const ready = [0, 1].map(
      (i) =>
        new Promise<void>((resolve) => {
          const w = execa(process.execPath, [BIN, 'worker', '--queue', url, '-j', '1', '--lock-seconds', '2'], {
            cwd: REPO_ROOT,
            reject: false,
          });
          workers.push(w);
          w.stderr!.on('data', (b: Buffer) => {
            logs[i] += b.toString();
            if (logs[i].includes('taking jobs')) resolve();
          });
        }),
    );
    await Promise.all(ready);
    const startedA = new Promise<string>((resolve) =>
      workers[0].stderr!.on('data', () => {
        const m = /worker: start (\w+) lint/.exec(logs[0]);
        if (m) resolve(m[1]);
      }),
    );
    const sub = cli([
      'sweep',
      SWEEP,
      '--queue',
      url,
      '-o',
      join(TMP, 'queue'),
      '--cache-dir',
      join(TMP, 'cache-queue'),
    ]);
    const killedKey = await startedA;
    workers[0].kill('SIGKILL');
    const r = await sub;
    expect(r.exitCode).toBe(0);
    expect(logs[0]).not.toContain(`worker: done ${killedKey}`);
    // the killed worker's job was taken up by the other one
    expect(logs[1]).toContain(`worker: done ${killedKey} lint ok`);
    // every job finished exactly once over both workers
    const done = (logs[0] + logs[1]).match(/worker: done \w+/g)!;
    expect(done).toHaveLength(6);
    expect(new Set(done).size).toBe(6);
    const q = JSON.parse(readFileSync(join(TMP, 'queue', 'results.json'), 'utf8'));
    const valid = q.points.filter((p: { status: string }) => p.status !== 'invalid');
    expect(valid).toHaveLength(3);
    for (const p of valid) expect(Object.keys(p.tasks).sort()).toEqual(['cycles', 'lint']);
    expect(readFileSync(join(TMP, 'queue', 'results.json'), 'utf8')).toBe(
      readFileSync(join(TMP, 'embedded', 'results.json'), 'utf8'),
    );
    // collected: nothing of the sweep is left in Redis
    const { Queue } = await import('bullmq');
    const queue = new Queue('elsa-sweep', { connection: { host: '127.0.0.1', port } });
    const counts = await queue.getJobCounts();
    await queue.close();
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
  });
});
