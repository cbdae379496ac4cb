// The checkout's root folder: the nearest ancestor of this file holding package.json. Found by walking
// up rather than a fixed '../..' so the same code works from src/ (tsx) and from the compiled dist/src/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`elsa-gen: no package.json above ${from}`);
  }
}

export const REPO_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

/** How this module runs: from TypeScript sources through tsx, or compiled to JavaScript in dist/. */
export const COMPILED = import.meta.url.endsWith('.js');
