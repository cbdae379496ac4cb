// The source imports only downward through the layers of src/units/README.md, never from tb/ or
// scripts/, and has no import cycle.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Layer of a source file (repository-relative path); lower layers never import higher ones. */
export function layerOf(path: string): number {
  const rules: [RegExp, number][] = [
    [/^src\/spec\//, 1],
    [/^src\/root\.ts$/, 1], // where the repository is (source tree or compiled dist/)
    [/^src\/files\.ts$/, 1], // atomic writes and lock folders, used by every layer that writes files
    [/^src\/sim\/trace\.ts$/, 1], // the cycle-trace format: plain data, shared by unit traces and testbenches
    [/^src\/units\/(design|module)\.ts$/, 2],
    [/^src\/units\/[^/]+\/spec\.ts$/, 2],
    [/^src\/units\/[^/]+\/(model|timing|rtl)\.ts$/, 3],
    [/^src\/units\/[^/]+\/[\w.]*trace\.ts$/, 4],
    [/^src\/(model|perf)\//, 4],
    [/^src\/(gen|sim|synth|tflite)\//, 5],
    [/^src\/(eval|report|sweep)\//, 6],
    [/^src\/cli\//, 7],
  ];
  for (const [re, layer] of rules) if (re.test(path)) return layer;
  throw new Error(`no layer for ${path}: add it to layerOf() and src/units/README.md`);
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'golden' ? [] : sources(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [relative(ROOT, p)] : [];
  });
}

/** Relative imports of a file (static, dynamic and `export … from`), as repository-relative paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]);
  return specs.map((s) => relative(ROOT, resolve(dirname(join(ROOT, file)), s)));
}

const files = sources(join(ROOT, 'src'));
const graph = new Map(files.map((f) => [f, importsOf(f)]));

describe('import structure', () => {
  it('every source file has a layer', () => {
    for (const f of files) expect(() => layerOf(f), f).not.toThrow();
  });
  it('no upward import, and nothing in src imports tb/ or scripts/', () => {
    const bad: string[] = [];
    for (const [f, deps] of graph)
      for (const d of deps) {
        if (!d.startsWith('src/')) bad.push(`${f} -> ${d}`);
        else if (layerOf(d) > layerOf(f)) bad.push(`${f} (layer ${layerOf(f)}) -> ${d} (layer ${layerOf(d)})`);
      }
    expect(bad).toEqual([]);
  });
  it('no import cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, 'open');
      stack.push(f);
      for (const d of graph.get(f) ?? []) {
        if (state.get(d) === 'open') cycles.push([...stack.slice(stack.indexOf(d)), d].join(' -> '));
        else if (!state.has(d) && graph.has(d)) visit(d);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of files) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });
});
