// A pool of worker processes (one job at a time each). Processes, not threads: jobs run external tools
// and long CPU work (the KWT-1 evaluation), and a crashed or killed job must not take the caller down.
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { COMPILED } from '../root.ts';
import type { JobData } from './spec.ts';
import type { Outcome } from './tasks.ts';

const CHILD = fileURLToPath(new URL(COMPILED ? './child.js' : './child.ts', import.meta.url));

interface Slot {
  ch: ChildProcess;
  ready: Promise<void>;
  busy?: { key: string; resolve: (o: Outcome) => void };
}

export class JobPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: ((s: Slot) => void)[] = [];
  private closed = false;

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const execArgv = COMPILED ? [] : ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
    const ch = fork(CHILD, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    let ready!: () => void;
    const slot: Slot = { ch, ready: new Promise((r) => (ready = r)) };
    ch.on('message', (m: { type: string; key?: string; outcome?: Outcome }) => {
      if (m.type === 'ready') ready();
      else if (m.type === 'done' && slot.busy?.key === m.key) {
        const b = slot.busy!;
        slot.busy = undefined;
        b.resolve(m.outcome!);
        this.release(slot);
      }
    });
    ch.on('exit', (code, sig) => {
      if (this.closed) return;
      // a crashed worker: its job is an error, a fresh process takes its place
      const b = slot.busy;
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots[i] = this.spawn();
      if (b)
        b.resolve({
          result: { status: 'error', reason: `worker process exited (${sig ?? code}) during the job` },
          seconds: 0,
          cacheable: false,
        });
      if (i >= 0) this.release(this.slots[i]);
    });
    return slot;
  }

  private release(slot: Slot): void {
    const w = this.waiting.shift();
    if (w) w(slot);
  }

  private async take(): Promise<Slot> {
    const free = this.slots.find((s) => !s.busy);
    if (free) {
      free.busy = { key: '', resolve: () => {} }; // reserved until the job is sent
      return free;
    }
    return new Promise((r) =>
      this.waiting.push((s) => {
        s.busy = { key: '', resolve: () => {} };
        r(s);
      }),
    );
  }

  /** Run one job on the next free process. */
  async run(job: JobData): Promise<Outcome> {
    if (this.closed) throw new Error('job pool is closed');
    const slot = await this.take();
    await slot.ready;
    return new Promise((resolve) => {
      slot.busy = { key: job.key, resolve };
      slot.ch.send({ type: 'job', job });
    });
  }

  /** Stop every process (jobs in flight are abandoned, not cached); SIGTERM lets execa stop their tools. */
  close(): void {
    this.closed = true;
    for (const s of this.slots) if (s.ch.exitCode === null && s.ch.signalCode === null) s.ch.kill('SIGTERM');
  }
}
