// Timing bench (not part of the tests): the same configs with every pipeline depth at 0 and with the schema's
// defaults (and, with --steps, each pipeline field alone at its default), measured side by side in one run:
// logic levels per module and for the flattened design (Yosys, per target), iCE40 Fmax of each sub-module
// placed alone and of the whole design (nextpnr-ice40), and the area (FF, LUT) each variant costs.
// Variants with the same hardware hash are synthesised once (their columns are equal).
// Usage: npx tsx scripts/bench-timing.ts [--configs small,ice40] [--targets xilinx,ice40]
//        [--pnr-submodules small] [--pnr-modules elsa_cand_sel,elsa_dot] [--pnr-top ice40] [--steps]
//        [--out build/bench-timing]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstRtlOverrides, parseConfig, rawConfig, resolveConfig } from '../src/gen/config.ts';
import { REPO_ROOT } from '../src/gen/render.ts';
import { synthesize, type SynthReport, type Target } from '../src/synth/index.ts';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const list = (s: string) => s.split(',').filter(Boolean);
const configs = list(opt('configs', 'small,ice40'));
const targets = list(opt('targets', 'xilinx,ice40')) as Target[];
const pnrSub = new Set(list(opt('pnr-submodules', 'small')));
const pnrTop = new Set(list(opt('pnr-top', 'ice40')));
// restrict the sub-modules placed alone (base names, e.g. elsa_cand_sel,elsa_dot); default every one that may fit
const pnrOnly = new Set(list(opt('pnr-modules', '')));
const steps = args.includes('--steps');
const outDir = opt('out', join(REPO_ROOT, 'build', 'bench-timing'));
const HX8K_LCS = 7680;
const log = (msg: string) => process.stderr.write(`[bench-timing] ${msg}\n`);
const secs = (t0: number) => Math.round((performance.now() - t0) / 100) / 10;

interface Variant {
  label: string;
  pipeline: Record<string, number>;
  /** 1 with every pipeline depth 0 and no data enables renders the first, unpipelined RTL */
  partialBuffers: number;
  dataEnables: boolean;
  queueDepth: number;
  hwHash: string;
}
interface ModuleResult {
  levels: Record<string, string>; // target → "21 (+33 carry)"
  ff: Record<string, number>;
  lut: Record<string, number>;
  fmax?: string;
}
interface VariantResult {
  variant: Variant;
  modules: Map<string, ModuleResult>; // display name → result; 'whole design' for the flattened run
  fmaxTop?: string;
}

/** The first RTL (pipeline all 0, partialBuffers 1), [each step alone], the defaults; deduplicated by hash. */
function variants(spec: string): Variant[] {
  const raw = rawConfig(spec);
  // the config as written: a preset's own pipeline settings (paper hash 0, ice40 hash 3) are its defaults
  const parsed = parseConfig(raw);
  const defaults = parsed.pipeline as Record<string, number>;
  const first = firstRtlOverrides(raw);
  const zero = first.pipeline;
  type Want = Omit<Variant, 'hwHash'>;
  const want: Want[] = [{ label: 'first RTL', ...first }];
  if (steps) {
    for (const [k, v] of Object.entries(defaults))
      if (v !== 0) want.push({ label: `${k}=${v} only`, ...first, pipeline: { ...zero, [k]: v } });
    want.push({ label: 'partialBuffers=2 only', ...first, partialBuffers: 2 });
    want.push({ label: 'dataEnables only', ...first, dataEnables: true });
  }
  want.push({
    label: 'defaults',
    pipeline: defaults,
    partialBuffers: parsed.partialBuffers,
    dataEnables: parsed.dataEnables,
    queueDepth: parsed.queueDepth,
  });
  return want.map((w) => ({ ...w, hwHash: resolveConfig({ ...raw, ...overrides(w) }).hwHash }));
}

const overrides = (v: Omit<Variant, 'hwHash' | 'label'>) => ({
  pipeline: v.pipeline,
  partialBuffers: v.partialBuffers,
  dataEnables: v.dataEnables,
  queueDepth: v.queueDepth,
});

const levelText = (p: { levels: number; cells: { carry: number }; dspDepth: number } | null | undefined) =>
  p === undefined
    ? '?'
    : p === null
      ? '0'
      : `${p.levels}${p.cells.carry ? ` +${p.cells.carry}c` : ''}${p.dspDepth ? ` ${p.dspDepth}DSP` : ''}`;
const fmaxText = (r: SynthReport) =>
  r.pnr?.fits && r.pnr.fmaxMHz !== undefined ? `${r.pnr.fmaxMHz}` : r.pnr ? 'no fit' : '–';

async function runVariant(spec: string, v: Variant): Promise<VariantResult> {
  const D = resolveConfig({ ...rawConfig(spec), ...overrides(v) });
  const res: VariantResult = { variant: v, modules: new Map() };
  const row = (name: string) => {
    if (!res.modules.has(name)) res.modules.set(name, { levels: {}, ff: {}, lut: {} });
    return res.modules.get(name)!;
  };
  const base = join(outDir, 'work', `${D.cfg.name}-${v.hwHash}`);
  let ice: SynthReport | undefined;
  for (const target of targets) {
    const t0 = performance.now();
    const r = await synthesize(D, target, { outDir: base, timing: true, progress: () => {} });
    log(`${spec} [${v.label}] ${target}: ${secs(t0)} s`);
    for (const m of r.modules) {
      const x = row(m.display);
      x.levels[target] = levelText(m.timing);
      x.ff[target] = m.subtree.ff;
      x.lut[target] = m.subtree.lut;
    }
    const w = row('whole design (flattened)');
    w.levels[target] = levelText(r.timing?.flat);
    w.ff[target] = r.flat!.area.ff;
    w.lut[target] = r.flat!.area.lut;
    if (target === 'ice40') ice = r;
  }
  if (pnrTop.has(spec) || pnrSub.has(spec)) {
    // Fmax needs the ice40 rows (for the fit estimate); synthesise them when ice40 is not a target
    ice ??= await synthesize(D, 'ice40', { outDir: base, progress: () => {} });
    const mods = [
      ...(pnrTop.has(spec) ? [ice.modules[0]] : []),
      ...(pnrSub.has(spec) ? ice.modules.slice(1).filter((m) => !pnrOnly.size || pnrOnly.has(m.base)) : []),
    ];
    for (const m of mods) {
      // the hierarchical LUT count alone is over the largest iCE40's logic cells: no place and route
      if (m.subtree.lut > HX8K_LCS) {
        row(m.display).fmax = `no fit (${m.subtree.lut} LUT4)`;
        log(`${spec} [${v.label}] Fmax ${m.display}: skipped, ${m.subtree.lut} SB_LUT4 > ${HX8K_LCS} logic cells`);
        continue;
      }
      const t0 = performance.now();
      const r = await synthesize(D, 'ice40', {
        outDir: join(base, 'pnr', m.name),
        pnr: { module: m.name, freq: 50, seed: 1 },
        progress: () => {},
      });
      const f = fmaxText(r);
      log(`${spec} [${v.label}] Fmax ${m.display}: ${f} (${secs(t0)} s)`);
      if (m === ice.modules[0]) res.fmaxTop = f;
      row(m.display).fmax = f;
    }
  }
  return res;
}

const cell = (s: string | number | undefined) => (s === undefined ? '–' : String(s));
function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

const t00 = performance.now();
const md: string[] = ['# Timing bench: pipeline depths 0 against the defaults', ''];
md.push(
  'levels = LUT levels on the longest register-to-register path (`elsa-gen synth --timing`); +Nc = carries on ' +
    'that path, N DSP = most DSPs on one path. Per module: own logic, sub-modules as black boxes; FF and LUT: ' +
    'the module with its sub-modules (hierarchical synthesis). Fmax: nextpnr-ice40, seed 1, 50 MHz target, ' +
    'each module placed alone in the 3-pin wrapper.',
  '',
);
const json: Record<string, unknown> = {};
for (const spec of configs) {
  const vs = variants(spec);
  const results: VariantResult[] = [];
  const byHash = new Map<string, VariantResult>();
  for (const v of vs) {
    const same = byHash.get(v.hwHash);
    const r = same ? { ...same, variant: v } : await runVariant(spec, v);
    byHash.set(v.hwHash, r);
    results.push(r);
  }
  const labels = vs.map((v) => v.label);
  md.push(`## ${spec}`, '');
  md.push(
    `Variants: ${vs.map((v) => `${v.label} (hardware ${v.hwHash}: ${JSON.stringify(overrides(v))})`).join('; ')}.`,
    '',
  );
  const names = [...results[0].modules.keys()];
  for (const target of targets) {
    md.push(`### ${target}`, '');
    const header = [
      'module',
      ...labels.map((l) => `levels (${l})`),
      ...labels.map((l) => `FF (${l})`),
      ...labels.map((l) => `LUT (${l})`),
    ];
    const rows = names.map((n) => [
      n,
      ...results.map((r) => cell(r.modules.get(n)?.levels[target])),
      ...results.map((r) => cell(r.modules.get(n)?.ff[target])),
      ...results.map((r) => cell(r.modules.get(n)?.lut[target])),
    ]);
    md.push(table(header, rows), '');
  }
  if (results.some((r) => [...r.modules.values()].some((m) => m.fmax))) {
    md.push('### iCE40 Fmax (MHz)', '');
    const header = ['module', ...labels.map((l) => `Fmax (${l})`)];
    const rows = names
      .filter((n) => results.some((r) => r.modules.get(n)?.fmax))
      .map((n) => [n, ...results.map((r) => cell(r.modules.get(n)?.fmax))]);
    md.push(table(header, rows), '');
  }
  json[spec] = results.map((r) => ({
    variant: r.variant,
    fmaxTop: r.fmaxTop ?? null,
    modules: Object.fromEntries(r.modules),
  }));
}
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'timing.md'), md.join('\n'));
writeFileSync(join(outDir, 'timing.json'), JSON.stringify(json, null, 2) + '\n');
process.stdout.write(md.join('\n'));
log(`done in ${secs(t00)} s: ${join(outDir, 'timing.md')}`);
