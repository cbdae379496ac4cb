// Sweeps over many machines on BullMQ (Redis): the submitter puts one job per key on the queue
// (jobId = key, so a job already queued, running or done is never added twice), waits, collects the
// results, caches them locally and removes the jobs from Redis. Workers anywhere take jobs; a worker
// that dies mid-job loses its lock, BullMQ's stalled-job check puts the job back, another worker runs
// it, and since a job has one id it has one result.
import { UserError } from '../spec/errors.ts';
import { JobPool } from './pool.ts';
import type { JobData } from './spec.ts';
import type { DiskStore } from './store.ts';
import type { Outcome } from './tasks.ts';

export const QUEUE_NAME = 'elsa-sweep';

export interface RedisConnection {
  host: string;
  port: number;
  password?: string;
  db?: number;
  maxRetriesPerRequest: null;
}

/** redis://[:password@]host[:port][/db] → BullMQ connection options. */
export function parseRedisUrl(url: string): RedisConnection {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(`--queue must be a Redis URL such as redis://host:6379, not "${url}"`);
  }
  if (u.protocol !== 'redis:' || !u.hostname)
    throw new UserError(`--queue must be a Redis URL such as redis://host:6379, not "${url}"`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined;
  if (db !== undefined && !Number.isInteger(db)) throw new UserError(`--queue ${url}: the database must be a number`);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    maxRetriesPerRequest: null,
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db !== undefined ? { db } : {}),
  };
}

/** Fail with one line when Redis does not answer (ioredis would otherwise retry forever). */
async function reachable(ready: Promise<unknown>, url: string, ms = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new UserError(`cannot reach Redis at ${url} within ${ms / 1000} s (is redis-server running?)`)),
      ms,
    );
  });
  try {
    await Promise.race([ready, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface CollectOptions {
  url: string;
  store: DiskStore;
  submitOnly?: boolean;
  onResult?: (job: JobData, o: Outcome) => void;
  /** resolves when the user interrupts: stop waiting (the jobs stay queued) */
  interrupted?: Promise<void>;
  pollMs?: number;
}

/** Queue the jobs and wait for all of them; returns key → outcome (only those collected). */
export async function submitAndCollect(
  jobs: JobData[],
  o: CollectOptions,
): Promise<{ outcomes: Map<string, Outcome>; queued: number }> {
  const { Queue } = await import('bullmq');
  const queue = new Queue(QUEUE_NAME, { connection: parseRedisUrl(o.url) });
  queue.on('error', () => {}); // connection errors surface through reachable() and the calls below
  const outcomes = new Map<string, Outcome>();
  try {
    await reachable(queue.waitUntilReady(), o.url);
    const jobOpts = (key: string) => ({
      jobId: key,
      attempts: 3,
      backoff: { type: 'fixed', delay: 1000 },
      removeOnComplete: false,
      removeOnFail: false,
    });
    const add = async (js: JobData[]) => {
      if (js.length) await queue.addBulk(js.map((j) => ({ name: j.label, data: j, opts: jobOpts(j.key) })));
    };
    const fresh: JobData[] = [];
    for (const j of jobs) {
      const state = await queue.getJobState(j.key);
      if (state === 'failed') await queue.remove(j.key); // failed earlier: give it another chance
      if (state === 'unknown' || state === 'failed') fresh.push(j);
    }
    await add(fresh);
    if (o.submitOnly) return { outcomes, queued: jobs.length };

    const byKey = new Map(jobs.map((j) => [j.key, j]));
    let stop = false;
    void o.interrupted?.then(() => (stop = true));
    while (byKey.size && !stop) {
      for (const j of [...byKey.values()]) {
        const state = await queue.getJobState(j.key);
        let out: Outcome | undefined;
        if (state === 'completed') out = (await queue.getJob(j.key))!.returnvalue as Outcome;
        else if (state === 'failed') {
          const job = await queue.getJob(j.key);
          out = { result: { status: 'error', reason: job?.failedReason ?? 'failed' }, seconds: 0, cacheable: false };
        } else if (state === 'unknown') {
          // collected meanwhile by another submitter in this checkout, or removed: take the cache or queue it again
          const c = o.store.get(j.key);
          if (c) out = { result: c.result, seconds: c.seconds, cacheable: false };
          else await add([j]);
        }
        if (!out) continue;
        o.store.put(j, out);
        outcomes.set(j.key, out);
        byKey.delete(j.key);
        o.onResult?.(j, out);
        // collected: the result now lives in the local cache
        if (state === 'completed' || state === 'failed') await queue.remove(j.key);
      }
      if (byKey.size && !stop) await new Promise((r) => setTimeout(r, o.pollMs ?? 500));
    }
    return { outcomes, queued: jobs.length };
  } finally {
    await queue.close();
  }
}

export interface WorkerOptions {
  url: string;
  concurrency: number;
  /** BullMQ job lock: a dead worker's job is retried after about this long (default 30 s) */
  lockSeconds?: number;
  log?: (line: string) => void;
  interrupted: Promise<void>;
}

/** Take jobs until interrupted. Jobs run in child processes so the lock is renewed during long jobs. */
export async function runWorker(o: WorkerOptions): Promise<void> {
  const { Worker } = await import('bullmq');
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const pool = new JobPool(o.concurrency);
  const lockDuration = Math.round((o.lockSeconds ?? 30) * 1000);
  const worker = new Worker<JobData, Outcome>(
    QUEUE_NAME,
    async (job) => {
      const d = job.data;
      log(`worker: start ${d.key} ${d.label} ${String(d.config.name)}`);
      const out = await pool.run(d);
      log(`worker: done ${d.key} ${d.label} ${out.result.status} ${out.seconds} s`);
      // an error (missing tool, crash) is retried, perhaps on another machine; after 3 attempts it fails
      if (out.result.status === 'error') throw new Error(out.result.reason ?? 'error');
      return out;
    },
    {
      connection: parseRedisUrl(o.url),
      concurrency: o.concurrency,
      lockDuration,
      stalledInterval: Math.max(500, Math.round(lockDuration / 2)),
      maxStalledCount: 5,
      autorun: false,
    },
  );
  // before the first connection, reachable() reports the problem once; after it, every error is news
  let connected = false;
  worker.on('error', (e) => connected && log(`worker: ${e.message}`));
  try {
    await reachable(worker.waitUntilReady(), o.url);
    connected = true;
    log(`worker: ${o.concurrency} process${o.concurrency > 1 ? 'es' : ''} taking jobs from ${o.url}`);
    void worker.run();
    await o.interrupted;
  } finally {
    pool.close();
    await worker.close(true);
  }
}
