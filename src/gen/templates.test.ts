// Templates read as finished Verilog: loops and conditions over view data and named holes only. Widths,
// tables and schedules are computed in TypeScript (src/units/<unit>/spec.ts and rtl.ts); a localparam name
// means the same width in every module.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './render.ts';
import { MODULES } from './modules.ts';
import { PRESETS, resolveConfig } from './config.ts';
import { MATRIX } from './matrix.ts';

const TEMPLATE_DIR = join(REPO_ROOT, 'templates');
/** Every EJS tag of a template with its line number, string literals blanked. */
function tags(text: string): { line: number; code: string }[] {
  const out: { line: number; code: string }[] = [];
  for (const m of text.matchAll(/<%[-=_]?([\s\S]*?)[-_]?%>/g)) {
    const line = text.slice(0, m.index).split('\n').length;
    out.push({ line, code: m[1].replace(/'[^']*'|"[^"]*"|`[^`]*`/g, "''") });
  }
  return out;
}

const FORBIDDEN: [string, RegExp][] = [
  ['Array.from', /Array\.from/],
  ['throw', /\bthrow\b/],
  ['Math.*', /\bMath\./],
  ['.join()', /\.join\(/],
  ['arithmetic', /(\*\*|\+\+|--|[\w)\]]\s*[-+*/%]\s*[\w(])/],
];

describe('templates hold no program logic', () => {
  const files = readdirSync(TEMPLATE_DIR).filter((f) => f.endsWith('.v.ejs'));
  it.each(files)('%s', (f) => {
    const problems: string[] = [];
    for (const t of tags(readFileSync(join(TEMPLATE_DIR, f), 'utf8')))
      for (const [what, re] of FORBIDDEN)
        if (re.test(t.code)) problems.push(`line ${t.line}: ${what} in <%${t.code}%>`);
    expect(problems).toEqual([]);
  });
  it('the scan finds arithmetic, Array.from and throw', () => {
    const bad =
      '<%= it.D.qkv.bits - 1 %> <% Array.from({ length: 3 }) %> <% throw new Error(`x`) %> ' +
      '<% for (let i = 0; i < 3; i++) { %>';
    const found = tags(bad).flatMap((t) => FORBIDDEN.filter(([, re]) => re.test(t.code)).map(([w]) => w));
    expect(found).toEqual(['arithmetic', 'Array.from', 'throw', 'arithmetic']);
  });
});

describe('localparam names mean one thing across modules', () => {
  for (const cfg of [PRESETS.small, PRESETS.paper, ...MATRIX.slice(1, 4)]) {
    it(cfg.name!, () => {
      const D = resolveConfig(cfg);
      const seen = new Map<string, string>();
      for (const m of MODULES)
        for (const p of m.localparams?.(D) ?? []) {
          const value = 'bits' in p ? `${p.bits} bits` : `${p.value}`;
          const key = `${value}: ${p.doc}`;
          expect(seen.get(p.name) ?? key, `${m.name}: ${p.name}`).toBe(key);
          seen.set(p.name, key);
        }
    });
  }
});
