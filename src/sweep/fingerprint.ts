// Fingerprint of the code that produces results: templates, testbench templates and the TypeScript
// sources. It is part of every job key, so results of another version are never reused, and a worker
// refuses jobs submitted from a different version (its results would not be comparable).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { filesUnder } from '../files.ts';
import { REPO_ROOT } from '../root.ts';

let memo: string | undefined;

export function codeFingerprint(): string {
  if (memo) return memo;
  const src = (n: string) => n.endsWith('.ts') && !n.endsWith('.test.ts');
  const under = (dir: string, keep: (name: string) => boolean) =>
    filesUnder(join(REPO_ROOT, dir), keep).map((f) => `${dir}/${f}`);
  const all = [
    ...under('templates', () => true),
    ...under('tb', (n) => !n.endsWith('.test.ts')),
    ...under('src', src),
  ].sort();
  const h = createHash('sha256');
  for (const f of all)
    h.update(f)
      .update('\0')
      .update(readFileSync(join(REPO_ROOT, f)))
      .update('\0');
  memo = h.digest('hex').slice(0, 12);
  return memo;
}
