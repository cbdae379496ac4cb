// House rules, checked with every test run: prettier formatting (print width 120), no line over 120
// characters outside Markdown tables, and no unused file, export or dependency (knip).
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MAX = 120;

/** Lines over MAX characters in `text`; Markdown table rows, URLs and generated files are exempt. */
export function longLines(path: string, text: string): string[] {
  const md = path.endsWith('.md');
  return text
    .split('\n')
    .map((line, i) => ({ line, no: i + 1 }))
    .filter(
      ({ line }) => [...line].length > MAX && !(md && line.trimStart().startsWith('|')) && !/https?:\/\//.test(line),
    )
    .map(({ line, no }) => `${path}:${no} (${[...line].length})`);
}

describe('house rules', () => {
  it('prettier --check passes', async () => {
    const r = await execa('npx', ['prettier', '--check', '.'], { cwd: ROOT, reject: false });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
  }, 120_000);

  it('no line over 120 characters in source, templates, scripts and docs', async () => {
    const { stdout } = await execa('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT });
    const files = stdout
      .split('\n')
      .filter(
        (f) => /\.(ts|js|ejs|md|sh|json)$/.test(f) && !f.startsWith('src/gen/golden/') && f !== 'package-lock.json',
      );
    const long = files.flatMap((f) => longLines(f, readFileSync(resolve(ROOT, f), 'utf8')));
    expect(long).toEqual([]);
  });

  it('the line check counts characters and exempts Markdown tables', () => {
    expect(longLines('a.ts', 'x'.repeat(121))).toEqual(['a.ts:1 (121)']);
    expect(longLines('a.ts', 'θ'.repeat(120))).toEqual([]);
    expect(longLines('a.md', `| ${'x'.repeat(130)} |`)).toEqual([]);
  });

  it('knip finds no unused file, export or dependency', async () => {
    const r = await execa('npx', ['knip', '--no-progress'], { cwd: ROOT, reject: false });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
  }, 300_000);
});
