// Compile the CLI to JavaScript in dist/ (TypeScript 7, relative '.ts' imports rewritten to '.js'), then
// stamp dist/.built: bin/elsa-gen.js runs dist/ only while no source file is newer than the stamp.
// Type errors do not stop the build (tsc still emits; `npm run typecheck` reports them).
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const t0 = Date.now();
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
const main = join(root, 'dist', 'src', 'cli', 'main.js');
if (!existsSync(main) || statSync(main).mtimeMs < t0 - 1000) {
  console.error(`build: tsc emitted no ${main} (exit ${r.status}); bin/elsa-gen.js keeps running the sources`);
  process.exit(1);
}
if (r.status !== 0) console.error('build: tsc reported type errors (JavaScript emitted anyway; see npm run typecheck)');
writeFileSync(join(root, 'dist', '.built'), '');
console.log(`build: dist/ compiled in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
