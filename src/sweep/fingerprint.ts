// Fingerprint of the code that produces results: templates, testbench templates and the TypeScript
// sources. It is part of every job key, so results of another version are never reused, and a worker
// refuses jobs submitted from a different version (its results would not be comparable).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../root.ts';

function files(dir: string, keep: (name: string) => boolean): string[] {
  let out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out = out.concat(files(p, keep));
    else if (keep(e.name)) out.push(p);
  }
  return out;
}

let memo: string | undefined;

export function codeFingerprint(): string {
  if (memo) return memo;
  const src = (n: string) => n.endsWith('.ts') && !n.endsWith('.test.ts');
  const all = [
    ...files(join(REPO_ROOT, 'templates'), () => true),
    ...files(join(REPO_ROOT, 'tb'), (n) => !n.endsWith('.test.ts')),
    ...files(join(REPO_ROOT, 'src'), src),
  ]
    .map((p) => relative(REPO_ROOT, p))
    .sort();
  const h = createHash('sha256');
  for (const f of all)
    h.update(f)
      .update('\0')
      .update(readFileSync(join(REPO_ROOT, f)))
      .update('\0');
  memo = h.digest('hex').slice(0, 12);
  return memo;
}
