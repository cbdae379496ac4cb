#!/usr/bin/env node
// Launcher: runs the compiled CLI in dist/ when it is built (npm ci runs the build) and no source file is
// newer than its stamp; otherwise runs the TypeScript sources through tsx (about 1 s of start-up).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
const root = dirname(dirname(fileURLToPath(import.meta.url)));

function distFresh() {
  let built;
  try { built = statSync(join(root, 'dist', '.built')).mtimeMs; } catch { return false; }
  const newer = (dir) => readdirSync(dir, { withFileTypes: true }).some((e) => e.isDirectory()
    ? newer(join(dir, e.name))
    : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && statSync(join(dir, e.name)).mtimeMs > built);
  return !newer(join(root, 'src')) && !newer(join(root, 'tb'));
}

if (distFresh()) {
  await import(pathToFileURL(join(root, 'dist', 'src', 'cli', 'main.js')).href);
} else {
  const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const args = [tsx, join(root, 'src', 'cli', 'main.ts'), ...process.argv.slice(2)];
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
