// The HTML report is self-contained (viewable offline), deterministic, and carries the config's figures.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRESETS, resolveConfig } from '../gen/config.ts';
import { markdownTables, modelWorkload, renderReport } from './report.ts';

describe('elsa-gen report', () => {
  const D = resolveConfig(PRESETS.small);
  const empty = mkdtempSync(join(tmpdir(), 'elsa-report-'));
  it('is self-contained and deterministic', async () => {
    const a = await renderReport(D, { buildDir: empty });
    expect(await renderReport(D, { buildDir: empty })).toBe(a);
    expect(a).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    // offline: no URL at all (inline SVG carries no namespace names), no script
    expect(a).not.toMatch(/https?:/);
    expect(a).not.toMatch(/<script/);
    expect(a).toContain(`<code id="hwhash">${D.hwHash}</code>`);
    expect(a.match(/<svg/g)?.length).toBe(3);
    expect(a).toContain('No synthesis results yet');
  });
  it('reports the cycle model: all keys at p = 0, fewer and faster as p grows', () => {
    const wl = modelWorkload(D);
    expect(wl[0].selected).toBe(1);
    expect(wl.at(-1)!.selected).toBeLessThan(wl[0].selected);
    expect(wl.at(-1)!.speedup).toBeGreaterThan(1);
  });
  it('shows the keys-versus-accuracy curve of build/eval for a KWT-1 config (d = 64) only', async () => {
    const build = mkdtempSync(join(tmpdir(), 'elsa-report-eval-'));
    mkdirSync(join(build, 'eval'));
    writeFileSync(join(build, 'eval', 'curve.svg'), '<svg xmlns="http://www.w3.org/2000/svg"><g id="curve"></g></svg>');
    writeFileSync(join(build, 'eval', 'curve.md'), '# t\n\n| rule | keys |\n|---|---:|\n| top-m | 40.4% |\n');
    const kwt = await renderReport(resolveConfig(PRESETS.kwt1), { buildDir: build });
    expect(kwt).toContain('<h2>Keys kept versus accuracy on KWT-1, by selection rule</h2>');
    expect(kwt).toContain('<td>40.4%</td>');
    expect(await renderReport(D, { buildDir: build })).not.toContain('by selection rule');
  });
  it('turns markdown tables into HTML tables', () => {
    expect(markdownTables('title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n')).toBe(
      '<p>title</p>\n<table><thead><tr><th>a</th><th>b</th></tr></thead>' +
        '<tbody><tr><td>1</td><td>2</td></tr></tbody></table>',
    );
  });
});
