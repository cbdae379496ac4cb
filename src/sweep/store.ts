// Results cached on disk, one JSON file per job key: a re-run or a resumed sweep skips every job found
// here. Written atomically, so an interrupted sweep never leaves a half-written result.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../files.ts';
import type { JobData } from './spec.ts';
import type { Outcome } from './tasks.ts';

export interface Cached {
  key: string;
  label: string;
  hwHash: string;
  result: Outcome['result'];
  seconds: number;
}

export class DiskStore {
  constructor(readonly dir: string) {}

  get(key: string): Cached | undefined {
    const f = join(this.dir, `${key}.json`);
    if (!existsSync(f)) return undefined;
    try {
      return JSON.parse(readFileSync(f, 'utf8')) as Cached;
    } catch {
      return undefined; // unreadable entry: run the job again
    }
  }

  put(job: JobData, o: Outcome): void {
    if (!o.cacheable) return;
    const c: Cached = { key: job.key, label: job.label, hwHash: job.hwHash, result: o.result, seconds: o.seconds };
    writeFileAtomic(join(this.dir, `${job.key}.json`), JSON.stringify(c, null, 1) + '\n');
  }
}
