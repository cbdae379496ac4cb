// `elsa-gen report`: one self-contained HTML page per config (no external resources: viewable offline)
// with the parameters, derived shape, modules, predicted cycles and utilisation per threshold knob p
// (cycle model on a seeded random workload), and whatever measured artefacts exist: synthesis area
// tables (build/synth/<name>), the benchmark (build/bench), the KWT-1 accuracy evaluation (build/eval).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DesignSpec } from '../units/design.ts';
import { MODULES } from '../gen/modules.ts';
import { GENERATOR, REPO_ROOT } from '../gen/render.ts';
import { elsaFixed } from '../units/top/model.ts';
import { predictCycles } from '../perf/cycles.ts';
import { thresholdSweep } from '../sim/stimulus.ts';
import { barChart, inlineSvg } from './charts.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const table = (head: string[], rows: (string | number)[][]) => {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(String(c))}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
};
/** The report page's stylesheet (one line in the page). */
const STYLE =
  'body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}' +
  'table{border-collapse:collapse;margin:.5em 0}' +
  'td,th{border:1px solid #bbb;padding:3px 8px;font-size:13px;text-align:left}th{background:#f0f0f0}' +
  'pre{background:#f7f7f7;padding:8px;font-size:12px;overflow-x:auto}.charts svg{margin:4px}';

/** A markdown table (as written by the bench and evaluation scripts) → HTML. */
export function markdownTables(md: string): string {
  const out: string[] = [];
  let rows: string[][] = [];
  const flush = () => {
    if (rows.length >= 2) out.push(table(rows[0], rows.slice(2)));
    rows = [];
  };
  for (const line of md.split('\n')) {
    if (line.trim().startsWith('|'))
      rows.push(
        line
          .trim()
          .replace(/^\||\|$/g, '')
          .split('|')
          .map((c) => c.trim()),
      );
    else {
      flush();
      if (line.trim()) out.push(`<p>${esc(line.trim())}</p>`);
    }
  }
  flush();
  return out.join('\n');
}

export interface ReportWorkload {
  p: number;
  t: number;
  selected: number;
  pre: number;
  exec: number;
  perQuery: number;
  utilisation: number;
  speedup: number;
}

/** Cycle-model figures on a seeded random workload of n = nMax (thresholds by the paper's rule). */
export function modelWorkload(D: DesignSpec, ps = [0, 0.5, 1, 2, 4], seed = 2021): ReportWorkload[] {
  let exec0 = 0;
  return thresholdSweep(D, ps, seed).map(({ p, t, inv }) => {
    const tr = elsaFixed(D, inv.K, inv.V, inv.Q, inv.tQ);
    const c = predictCycles(D, tr);
    const sel = tr.queries.flatMap((q) => q.candidates);
    const nSel = sel.filter(Boolean).length;
    if (p === 0) exec0 = c.exec;
    return {
      p,
      t,
      selected: nSel / sel.length,
      pre: c.pre,
      exec: c.exec,
      perQuery: c.exec / D.cfg.nMax,
      utilisation: nSel / (c.exec * D.cfg.pA),
      speedup: exec0 ? exec0 / c.exec : 1,
    };
  });
}

export async function renderReport(D: DesignSpec, opts: { buildDir?: string } = {}): Promise<string> {
  const build = opts.buildDir ?? join(REPO_ROOT, 'build');
  const c = D.cfg;
  const wl = modelWorkload(D);
  const sections: string[] = [];
  const pct = (p: number, x: number) => ({ label: `p=${p}`, value: 100 * x, note: `${(100 * x).toFixed(0)}%` });
  const charts = await Promise.all([
    barChart(
      'keys selected',
      '% of keys',
      wl.map((w) => pct(w.p, w.selected)),
      { max: 100 },
    ),
    barChart(
      'attention-module utilisation',
      '% of cycles',
      wl.map((w) => pct(w.p, w.utilisation)),
      { max: 100, color: '#41ab5d' },
    ),
    barChart(
      'speedup over p = 0',
      '×',
      wl.map((w) => ({ label: `p=${w.p}`, value: w.speedup, note: `${w.speedup.toFixed(2)}×` })),
      { color: '#f16913' },
    ),
  ]);
  const params = Object.entries({
    nMax: c.nMax,
    d: c.d,
    k: c.k,
    P_a: c.pA,
    P_c: c.pC,
    m_h: c.mH,
    m_o: c.mO,
    queueDepth: c.queueDepth,
    hashSeed: c.hashSeed,
    formats: JSON.stringify(c.formats),
  });
  sections.push(`<h2>Parameters</h2>${table(['field', 'value'], params)}`);
  sections.push(
    `<h2>Derived shape</h2>${table(
      ['quantity', 'value'],
      [
        [
          'hash factors (rows × cols)',
          D.hash.factors.map((f, i) => `${D.hash.rows[i]}×${f}`).join(' ⊗ ') +
            (D.hash.blocks > 1 ? ` (${D.hash.blocks} blocks)` : ''),
        ],
        [
          'hash multiplies / cycles per vector',
          `${D.hash.multiplies} / ${D.hash.cycles} (one key per ${D.hash.period} cycles)`,
        ],
        ['θ_bias (rad)', D.candSel.thetaBias],
        ['keys per bank / selection rows per bank', `${D.bank.keys} / ${D.bank.rows}`],
        [
          'widths: qkv, score, norm, threshold, Σe, Σe·v, out',
          [
            D.qkv.bits,
            D.attention.score.bits,
            D.norm.norm.bits,
            D.candSel.thresholdProduct.bits,
            D.attention.sumE.bits,
            D.attention.sumEV.bits,
            D.out.bits,
          ].join(', '),
        ],
        ['multipliers: attention (2d·P_a), hash, output', `${2 * c.d * c.pA}, ≤ ${c.mH}, ${c.mO}`],
      ],
    )}`,
  );
  sections.push(
    `<h2>Modules</h2>${table(
      ['module', 'role'],
      MODULES.map((m) => [m.name, m.doc]),
    )}`,
  );
  sections.push(`<h2>Cycles (cycle model, equal to the RTL's counters in the tests)</h2>
<p>Seeded random workload: n = ${c.nMax}, Q/K/V ~ N(0, 1.5²) quantised; t per p by the paper's rule on that workload.
Ideal exact-mode execution (2n²d MACs on 2d·P_a multipliers): ${(c.nMax * c.nMax) / c.pA} cycles.</p>
${table(
  [
    'p',
    't',
    'keys selected',
    'preprocessing',
    'execution',
    'cycles/query',
    'attention utilisation',
    'speedup vs p = 0',
  ],
  wl.map((w) => [
    w.p,
    w.t.toFixed(3),
    `${(100 * w.selected).toFixed(1)}%`,
    w.pre,
    w.exec,
    w.perQuery.toFixed(2),
    `${(100 * w.utilisation).toFixed(1)}%`,
    `${w.speedup.toFixed(2)}×`,
  ]),
)}
<div class="charts">${charts.map(inlineSvg).join('\n')}</div>`);
  const synthDir = join(build, 'synth', c.name);
  const synthTxt = existsSync(synthDir)
    ? readdirSync(synthDir)
        .filter((f) => /^synth-.*\.txt$/.test(f))
        .sort()
    : [];
  const area = synthTxt.length
    ? synthTxt.map((f) => `<h3>${esc(f)}</h3><pre>${esc(readFileSync(join(synthDir, f), 'utf8'))}</pre>`).join('\n')
    : `<p>No synthesis results yet: run <code>elsa-gen synth ${esc(c.name)} --target xilinx</code> ` +
      '(or ice40, ecp5), then regenerate this report.</p>';
  sections.push(`<h2>Area</h2>${area}`);
  const benchMd = join(build, 'bench', 'bench.md');
  if (existsSync(benchMd)) {
    const md = readFileSync(benchMd, 'utf8')
      .split('\n')
      .filter(
        (l, i, a) =>
          !l.startsWith('|') ||
          l.includes(`| ${c.name} |`) ||
          (a[i + 1] ?? '').startsWith('|---') ||
          l.startsWith('|---'),
      )
      .join('\n');
    sections.push(`<h2>Benchmark (RTL under Verilator, scripts/bench)</h2>${markdownTables(md)}`);
  }
  const evalDir = join(build, 'eval');
  if (c.d === 64 && existsSync(join(evalDir, 'fig10.svg'))) {
    const svg = inlineSvg(readFileSync(join(evalDir, 'fig10.svg'), 'utf8'));
    const md = existsSync(join(evalDir, 'table.md'))
      ? markdownTables(readFileSync(join(evalDir, 'table.md'), 'utf8'))
      : '';
    sections.push(`<h2>Accuracy on KWT-1 (elsa-gen evaluate)</h2><div class="charts">${svg}</div>${md}`);
  }
  if (c.d === 64 && existsSync(join(evalDir, 'curve.svg'))) {
    const svg = inlineSvg(readFileSync(join(evalDir, 'curve.svg'), 'utf8'));
    const md = existsSync(join(evalDir, 'curve.md'))
      ? markdownTables(readFileSync(join(evalDir, 'curve.md'), 'utf8'))
      : '';
    sections.push(
      `<h2>Keys kept versus accuracy on KWT-1, by selection rule</h2><div class="charts">${svg}</div>${md}`,
    );
  }
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>elsa-gen report: ${esc(c.name)}</title>
<style>${STYLE}</style>
</head><body>
<h1>ELSA accelerator <code>${esc(c.name)}</code></h1>
<p>Generated by ${esc(GENERATOR)}; hardware hash <code id="hwhash">${D.hwHash}</code>.</p>
${sections.join('\n')}
</body></html>
`;
}
