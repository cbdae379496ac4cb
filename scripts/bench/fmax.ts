// Timing closure, measured side by side in one run (not part of the tests; issue 12): for the all-zero pipeline
// setting (today's RTL: partialBuffers 1, every pipeline depth 0) and the defaults (or --set), the iCE40 Fmax of
// each sub-module of a config placed alone (nextpnr-ice40 through src/synth, 3-pin wrapper), its area (LUT4, FF,
// carry), the whole design's Fmax for a config that fits (the ice40 preset), and for xilinx the longest
// register-to-register path of each module in cells (Yosys `ltp -noff` after synth_xilinx, module flattened with its
// children: LUTs, carries, DSPs and muxes on the path).
// Usage: npx tsx scripts/bench/fmax.ts [--config small] [--whole ice40] [--modules elsa_dot,elsa_exp]
//        [--set '{"pipeline":{"dot":1}}'] [--no-xilinx] [--no-whole] [--out build/bench]
// Writes build/bench/fmax-<config>.md and .json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { firstRtlOverrides, loadConfig, rawConfig, resolveConfig } from '../../src/gen/config.ts';
import type { DesignSpec } from '../../src/units/design.ts';
import { renderDesign } from '../../src/gen/generate.ts';
import { REPO_ROOT } from '../../src/gen/render.ts';
import { synthesize } from '../../src/synth/index.ts';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const config = opt('config', 'small');
const whole = args.includes('--no-whole') ? '' : opt('whole', 'ice40');
const modules = opt('modules', 'elsa_hash,elsa_isqrt,elsa_dot,elsa_exp,elsa_attention,elsa_output_div').split(',');
const outDir = opt('out', join(REPO_ROOT, 'build', 'bench'));
const settings: [string, Record<string, unknown>][] = [
  ['all zero', firstRtlOverrides(rawConfig(config))],
  [args.includes('--set') ? opt('set', '{}') : 'defaults', args.includes('--set') ? JSON.parse(opt('set', '{}')) : {}],
];

/** The config with a setting applied (pipeline fields merged into the config's own). */
function withSetting(name: string, set: Record<string, unknown>): DesignSpec {
  const base = loadConfig(name).cfg;
  const pipeline = { ...base.pipeline, ...((set.pipeline as object) ?? {}) };
  return resolveConfig({ ...base, ...set, pipeline });
}

interface Row {
  setting: string;
  module: string;
  fmax?: number;
  lut: number;
  ff: number;
  carry: number;
  xilinxPath?: number;
  note?: string;
}

/** Longest path of a module after synth_xilinx (flattened with its children), from `ltp -noff`. */
async function xilinxPath(D: DesignSpec, module: string, dir: string): Promise<number | undefined> {
  mkdirSync(dir, { recursive: true });
  const files = renderDesign(D).filter((f) => f.path.endsWith('.v'));
  for (const f of files) writeFileSync(join(dir, f.path), f.content);
  const script =
    files.map((f) => `read_verilog ${join(dir, f.path)}`).join('; ') +
    `; synth_xilinx -flatten -noiopad -noclkbuf -top ${D.cfg.prefix ?? ''}${module}; tee -q -o ltp.txt ltp -noff`;
  await execa('yosys', ['-q', '-p', script], { reject: false, cwd: dir, timeout: 1800_000 });
  const m = /Longest topological path in \S+ \(length=(\d+)\)/.exec(readFileSync(join(dir, 'ltp.txt'), 'utf8'));
  return m ? Number(m[1]) : undefined;
}

const rows: Row[] = [];
for (const [label, set] of settings) {
  const D = withSetting(config, set);
  for (const module of modules) {
    const t0 = performance.now();
    const r = await synthesize(D, 'ice40', {
      top: module,
      pnr: { module },
      outDir: join(outDir, 'fmax', `${D.cfg.name}-${D.hwHash}`, module),
      write: false,
      progress: false,
    });
    const a = r.total.area;
    const row: Row = {
      setting: label,
      module,
      fmax: r.pnr?.fmaxMHz,
      lut: a.lut,
      ff: a.ff,
      carry: a.carry,
      note: r.pnr?.fits ? undefined : r.pnr?.message,
    };
    if (!args.includes('--no-xilinx'))
      row.xilinxPath = await xilinxPath(D, module, join(outDir, 'fmax', `${D.cfg.name}-${D.hwHash}`, module, 'ltp'));
    rows.push(row);
    console.error(
      `${label} ${module}: ${row.fmax?.toFixed(1) ?? '-'} MHz, ${row.lut} LUT4 ${row.ff} FF, ` +
        `xilinx path ${row.xilinxPath ?? '-'} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );
  }
  if (whole) {
    const W = withSetting(whole, set);
    const r = await synthesize(W, 'ice40', {
      pnr: true,
      outDir: join(outDir, 'fmax', `${W.cfg.name}-${W.hwHash}`, 'top'),
      write: false,
      progress: false,
    });
    const a = r.total.area;
    rows.push({
      setting: label,
      module: `${whole} (whole design)`,
      fmax: r.pnr?.fmaxMHz,
      lut: a.lut,
      ff: a.ff,
      carry: a.carry,
      note: r.pnr?.fits ? undefined : r.pnr?.message,
    });
    console.error(`${label} ${whole} whole design: ${r.pnr?.fmaxMHz?.toFixed(1) ?? '-'} MHz`);
  }
}

const names = [...new Set(rows.map((r) => r.module))];
const lines = [
  `iCE40 Fmax (nextpnr-ice40, seed 1, target 50 MHz) and area per module of ${config}, and the whole ${whole || '-'} ` +
    'design; xilinx: longest path in cells after synth_xilinx (ltp -noff).',
  '',
  '| module | ' + settings.map(([l]) => `${l}: MHz | LUT4 | FF | xilinx path`).join(' | ') + ' | Δ LUT4 | Δ FF |',
  '|---|' + settings.map(() => '---:|---:|---:|---:|').join('') + '---:|---:|',
  ...names.map((n) => {
    const rs = settings.map(([l]) => rows.find((r) => r.setting === l && r.module === n)!);
    const cells = rs.map((r) => `${r.fmax?.toFixed(1) ?? r.note ?? '-'} | ${r.lut} | ${r.ff} | ${r.xilinxPath ?? '-'}`);
    return `| ${n} | ${cells.join(' | ')} | ${rs[1].lut - rs[0].lut} | ${rs[1].ff - rs[0].ff} |`;
  }),
];
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, `fmax-${config}.md`), lines.join('\n') + '\n');
writeFileSync(join(outDir, `fmax-${config}.json`), JSON.stringify({ config, whole, settings, rows }, null, 2) + '\n');
console.log(lines.join('\n'));
