// `elsa-gen synth`: Yosys synthesis of the generated design for iCE40, ECP5 or Xilinx 7-series, with an
// honest per-module area table, and optional iCE40 place-and-route for Fmax.
//
// Method (hierarchical, per module):
//   1. Elaborate once: read_verilog (all generated files); hierarchy -check -top elsa_top; write_rtlil.
//      Every parameterisation of a generic module (elsa_ram) becomes its own module, renamed
//      elsa_ram__WIDTH_144__DEPTH_12__AW_4 so scripts and tables can name it.
//   2. Synthesise every module of the hierarchy separately (in parallel, cached by content): the
//      elaborated design is read, every other module is turned into a blackbox, and the target's synth
//      script runs with -top <module>. `stat` then counts exactly that module's own cells, with its
//      real parameters and its sub-module instances as opaque cells.
//   3. Row = own cells of one instance; instance counts come from the synthesised netlists;
//      total = Σ instances × own cells (this identity is the table's consistency rule).
//   Module boundaries block cross-module optimisation (constant ports, unused outputs), so the
//   hierarchical total tends to exceed a flat synthesis (small/xilinx: FF +9 %, MUXF +27 %, LUT -1 %: ABC
//   heuristics move single columns either way); --flat also synthesises the whole design flattened in one
//   run and reports that total next to it.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeFileAtomic } from '../files.ts';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { DesignSpec } from '../units/design.ts';
import { renderRtl } from '../gen/generate.ts';
import { MODULES, moduleFile, moduleName, withDeps } from '../gen/modules.ts';
import { GENERATOR, REPO_ROOT } from '../gen/render.ts';
import { UserError } from '../spec/errors.ts';
import { checkDevice, placeAndRoute, type PnrOptions, type PnrReport } from './pnr.ts';
import { descendants, displayName, hierarchyOrder, parseRtlil, type RtlilDesign, type RtlilModule } from './rtlil.ts';
import { parseStat } from './stat.ts';
import { formatCells, formatPath, longestPath, TIMING_VERSION, type JsonNetlist, type PathReport } from './timing.ts';
import {
  addArea,
  addCells,
  classifyCells,
  sortedCells,
  TARGET_SPECS,
  zeroArea,
  type Area,
  type Column,
  type Target,
} from './targets.ts';
import {
  ensureToolSlots,
  pool,
  runYosys,
  seconds,
  stderrProgress,
  ToolTimeout,
  yosysVersion,
  type Progress,
} from './tools.ts';

export const TOP = 'elsa_top';

export interface SynthOptions {
  /** Top module of the synthesis (default elsa_top); only it and its dependencies are read. */
  top?: string;
  /** Output folder (default build/synth/<config name>); the report goes to synth-<target>.json / .txt. */
  outDir?: string;
  /** Parallel Yosys processes (default: number of CPUs). */
  jobs?: number;
  /** Reuse per-module results keyed by Yosys version, script and module RTLIL (default true). */
  cache?: boolean;
  /** Cache folder (default <repo>/build/synth-cache). */
  cacheDir?: string;
  /** Give up on a module's Yosys run after this many seconds: its row is marked timedOut and counts as zero,
   *  and the report lists it under `incomplete` (its sub-modules are separate runs and still counted). */
  moduleTimeoutSec?: number;
  /** Also synthesise the whole design flattened in one Yosys run (slow for big configs). */
  flat?: boolean;
  /** iCE40 only: place and route the Fmax wrapper with nextpnr-ice40. */
  pnr?: boolean | PnrOptions;
  /** Progress lines (default: stderr); false for silence. */
  progress?: Progress | false;
  /** Write synth-<target>.json and .txt (default true). */
  write?: boolean;
  /** Longest register-to-register path per module and for the whole design (implies flat). */
  timing?: boolean;
}

export interface ModuleRow {
  name: string;
  display: string;
  base: string;
  params: Record<string, string>;
  depth: number;
  instances: number;
  /** Own cells of one instance (sub-modules excluded), by column … */
  own: Area;
  /** … and by vendor cell type. */
  cells: Record<string, number>;
  /** One instance including its sub-modules. */
  subtree: Area;
  /** Sub-module instances in the synthesised netlist: module → count. */
  children: Record<string, number>;
  /** Set when the module's Yosys run hit moduleTimeoutSec: the row's cells are unknown (counted as 0). */
  timedOutSec?: number;
  /** With timing: the module's longest path (its sub-modules black boxes), null when it has no logic path. */
  timing?: PathReport | null;
}

export interface SynthReport {
  tool: string;
  generator: string;
  config: string;
  hwHash: string;
  target: Target;
  yosys: { version: string; command: string };
  method: string;
  columns: Record<Column, string> & { other: string };
  notes: string[];
  top: string;
  modules: ModuleRow[];
  /** Σ instances × own cells over all rows. */
  total: { area: Area; cells: Record<string, number> };
  /** Modules whose synthesis timed out (their rows count as zero, so the total is a lower bound). */
  incomplete?: string[];
  /** The whole design flattened and synthesised in one run (with --flat). */
  flat?: { area: Area; cells: Record<string, number> };
  /** With timing: how paths are counted, and the longest path of the flattened design. */
  timing?: { method: string; flat: PathReport | null };
  pnr?: PnrReport;
  /** Run information: not written to the JSON file (it is not deterministic). */
  run: { seconds: Record<string, number>; cachedModules: string[]; workDir: string; outDir: string; jsonPath?: string };
}

const METHOD =
  'hierarchical: the design is elaborated once ' +
  '(hierarchy -top <top>; each parameterisation of a module is its own row), ' +
  'then each module is synthesised separately with every other module as a blackbox, ' +
  'and `stat` counts its own cells. ' +
  'Rows are one instance, sub-modules excluded; total = sum over rows of instances x own cells. ' +
  'Module boundaries block cross-module optimisation (constant or unused ports), ' +
  'so the total tends to exceed a flattened synthesis, ' +
  'mostly in FFs; ABC heuristics can move single columns either way by a few percent (see "flat" when present).';

function hashOf(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 20);
}

/** The Yosys script that synthesises one module with everything else blackboxed (and writes its netlist). */
function moduleScript(design: RtlilDesign, name: string, synthCmd: string, statFile: string, json?: string): string {
  const others = design.modules.map((m) => m.name).filter((n) => n !== name);
  return [
    'read_rtlil elab.il',
    ...(others.length ? [`blackbox ${others.join(' ')}`] : []),
    `hierarchy -top ${name}`,
    `${synthCmd} -top ${name}`,
    `tee -q -o ${statFile} stat`,
    ...(json ? [`write_json ${json}`] : []),
    '',
  ].join('\n');
}

const TIMING_METHOD =
  'levels = LUTs (+ LUT-RAM reads) on the longest register-to-register path of the mapped netlist; ' +
  'carries, wide muxes and DSPs on that path are counted beside it. Start/end points: flip-flops, block RAMs, ' +
  'DSP internal registers (AREG/BREG/MREG/PREG), module ports and, per module, its black-boxed sub-modules; ' +
  'DSP depth = most DSPs on one path. Per module: its own logic with sub-modules as black boxes (a path that ' +
  'ends at a port or sub-module pin continues outside, so it is a lower bound); whole design: flattened.';

/** Analyse a written netlist and cache the result next to the stat file. */
function analyseNetlist(
  jsonFile: string,
  top: string,
  target: Target,
  submodules: Set<string>,
  cacheFile: string | undefined,
  byInstance = false,
): PathReport | null {
  const netlist = JSON.parse(readFileSync(jsonFile, 'utf8')) as JsonNetlist;
  const path = longestPath(netlist, top, target, submodules, 'levels', byInstance) ?? null;
  if (cacheFile) writeFileAtomic(cacheFile, JSON.stringify(path));
  return path;
}

/** Everything the result of one module's synthesis depends on. */
function moduleKey(version: string, synthCmd: string, design: RtlilDesign, m: RtlilModule): string {
  const byName = new Map(design.modules.map((x) => [x.name, x]));
  const ifaces = Object.keys(m.children)
    .sort()
    .map((c) => `${c}:${JSON.stringify(byName.get(c)!.ports)}`);
  return hashOf('module-v1', version, synthCmd, m.text, ...ifaces);
}

export async function synthesize(D: DesignSpec, target: Target, opts: SynthOptions = {}): Promise<SynthReport> {
  const spec = TARGET_SPECS[target];
  if (!spec) throw new UserError(`unknown target ${target} (targets: ${Object.keys(TARGET_SPECS).join(', ')})`);
  if (opts.pnr && target !== 'ice40')
    throw new UserError(
      `--pnr is only available for ice40: there is no ECP5 or Xilinx place-and-route in Debian or on npm`,
    );
  const progress: Progress =
    opts.progress === false ? () => {} : (opts.progress ?? stderrProgress(`synth ${D.cfg.name}/${target}`));
  if (typeof opts.pnr === 'object') checkDevice(opts.pnr.device);
  const top = opts.top ?? TOP;
  if (!MODULES.some((m) => m.name === top))
    throw new UserError(`unknown top module ${top} (modules: ${MODULES.map((m) => m.name).join(', ')})`);
  const topName = moduleName(D, top); // the Verilog name (with the config's prefix)
  const tAll = performance.now();
  const secs: Record<string, number> = {};
  const version = await yosysVersion();
  const outDir = opts.outDir ?? join('build', 'synth', D.cfg.name);
  const workDir = join(outDir, 'work', target);
  const cacheDir = join(opts.cacheDir ?? join(REPO_ROOT, 'build', 'synth-cache'), target);
  const useCache = opts.cache !== false;
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(join(workDir, 'rtl'), { recursive: true });
  mkdirSync(join(workDir, 'jobs'), { recursive: true });
  if (useCache) mkdirSync(cacheDir, { recursive: true });
  const timing = opts.timing === true;

  // 1. Elaborate.
  let t0 = performance.now();
  const vfiles = renderRtl(D).filter((f) => f.path.endsWith('.v'));
  for (const f of vfiles) writeFileSync(join(workDir, 'rtl', f.path), f.content);
  writeFileSync(
    join(workDir, 'elab.ys'),
    [
      `read_verilog ${withDeps(top)
        .map((n) => `rtl/${moduleFile(D, n)}`)
        .join(' ')}`,
      `hierarchy -check -top ${topName}`,
      'write_rtlil elab_raw.il',
      '',
    ].join('\n'),
  );
  await runYosys(workDir, 'elab.ys', 'elab.log');
  const design = parseRtlil(readFileSync(join(workDir, 'elab_raw.il'), 'utf8'));
  writeFileSync(join(workDir, 'elab.il'), design.text);
  const byName = new Map(design.modules.map((m) => [m.name, m]));
  const names = [...descendants(design.modules, topName)];
  secs.elaborate = seconds(t0);
  progress(`elaborated ${names.length} modules in ${secs.elaborate} s (${version})`);

  // 2. One Yosys run per module, biggest first (RTLIL size as the proxy), at most `jobs` at a time.
  t0 = performance.now();
  const jobs = Math.max(1, opts.jobs ?? availableParallelism());
  ensureToolSlots(jobs);
  const order = [...names].sort((a, b) => byName.get(b)!.text.length - byName.get(a)!.text.length);
  const cached: string[] = [];
  let done = 0;
  const results = new Map<string, Record<string, number>>();
  const paths = new Map<string, PathReport | null>();
  const designModules = new Set(design.modules.map((m) => m.name));
  const timedOut = new Set<string>();
  // Heartbeat for long module runs: every 60 s, which modules are still in Yosys and for how long.
  const running = new Map<string, number>();
  const beat = setInterval(() => {
    if (running.size)
      progress(`running: ${[...running].map(([n, t]) => `${n} ${Math.round(seconds(t))} s`).join(', ')}`);
  }, 60_000);
  beat.unref();
  const runOne = async (name: string): Promise<void> => {
    const m = byName.get(name)!;
    const key = moduleKey(version, spec.synth, design, m);
    const cacheFile = join(cacheDir, `${key}.stat`);
    const timingCache = join(cacheDir, `${key}.${TIMING_VERSION}.json`);
    let statText: string;
    let ran = 0;
    if (useCache && existsSync(cacheFile) && (!timing || existsSync(timingCache))) {
      statText = readFileSync(cacheFile, 'utf8');
      if (timing) paths.set(name, JSON.parse(readFileSync(timingCache, 'utf8')) as PathReport | null);
      cached.push(name);
    } else {
      const statFile = `jobs/${name}.stat`;
      const jsonFile = timing ? `jobs/${name}.json` : undefined;
      writeFileSync(join(workDir, `jobs/${name}.ys`), moduleScript(design, name, spec.synth, statFile, jsonFile));
      try {
        ran = await runYosys(workDir, `jobs/${name}.ys`, `jobs/${name}.log`, {
          onStart: () => running.set(name, performance.now()),
          timeoutSec: opts.moduleTimeoutSec,
        });
      } catch (e) {
        if (!(e instanceof ToolTimeout)) throw e;
        running.delete(name);
        timedOut.add(name);
        results.set(name, {});
        done++;
        secs[`module:${name}`] = e.afterSec;
        progress(
          `${String(done).padStart(String(order.length).length)}/${order.length} ${name}: ` +
            `TIMED OUT after ${e.afterSec} s (row counted as 0)`,
        );
        return;
      }
      running.delete(name);
      statText = readFileSync(join(workDir, statFile), 'utf8');
      if (useCache) writeFileAtomic(cacheFile, statText);
      if (jsonFile)
        paths.set(
          name,
          analyseNetlist(join(workDir, jsonFile), name, target, designModules, useCache ? timingCache : undefined),
        );
    }
    const st = parseStat(statText).modules.find((x) => x.name === name);
    if (!st) throw new Error(`yosys stat for ${name} has no section "=== ${name} ===" (work folder ${workDir})`);
    results.set(name, st.cells);
    done++;
    secs[`module:${name}`] = ran;
    progress(
      `${String(done).padStart(String(order.length).length)}/${order.length} ${name}: ` +
        `${ran} s${cached.includes(name) ? ' (cached)' : ''}`,
    );
  };
  try {
    await pool(
      jobs,
      order.map((name) => () => runOne(name)),
    );
  } finally {
    clearInterval(beat);
  }
  secs.modules = seconds(t0);

  // 3. Rows, instance counts (from the synthesised netlists) and totals.
  const moduleNames = new Set(design.modules.map((m) => m.name));
  // Children from the synthesised netlist; for a timed-out module, from the elaborated design.
  const childrenOf = (n: string): Record<string, number> =>
    Object.fromEntries(
      Object.entries(timedOut.has(n) ? byName.get(n)!.children : results.get(n)!)
        .filter(([c]) => moduleNames.has(c))
        .sort(([a], [b]) => (a < b ? -1 : 1)),
    );
  const synthTree = design.modules.map((m) => ({ ...m, children: names.includes(m.name) ? childrenOf(m.name) : {} }));
  const inst = new Map<string, number>();
  const visit = (n: string, k: number) => {
    inst.set(n, (inst.get(n) ?? 0) + k);
    for (const [c, cnt] of Object.entries(childrenOf(n))) visit(c, k * cnt);
  };
  visit(topName, 1);
  const subtreeMemo = new Map<string, Area>();
  const subtree = (n: string): Area => {
    if (!subtreeMemo.has(n)) {
      const a = classifyCells(target, results.get(n)!, moduleNames);
      for (const [c, cnt] of Object.entries(childrenOf(n))) addArea(a, subtree(c), cnt);
      subtreeMemo.set(n, a);
    }
    return subtreeMemo.get(n)!;
  };
  const rows: ModuleRow[] = hierarchyOrder(synthTree, topName).map(({ name, depth }) => {
    const m = byName.get(name)!;
    const own = results.get(name)!;
    return {
      name,
      display: displayName(m),
      base: m.base,
      params: m.params,
      depth,
      instances: inst.get(name) ?? 0,
      own: classifyCells(target, own, moduleNames),
      cells: sortedCells(Object.fromEntries(Object.entries(own).filter(([c]) => !moduleNames.has(c)))),
      subtree: subtree(name),
      children: childrenOf(name),
      ...(timedOut.has(name) ? { timedOutSec: opts.moduleTimeoutSec } : {}),
      ...(timing && !timedOut.has(name) ? { timing: paths.get(name) ?? null } : {}),
    };
  });
  const totalArea = zeroArea();
  const totalCells: Record<string, number> = {};
  for (const r of rows) {
    addArea(totalArea, r.own, r.instances);
    addCells(totalCells, r.cells, r.instances);
  }

  const report: SynthReport = {
    tool: 'elsa-gen synth',
    generator: GENERATOR,
    config: D.cfg.name,
    hwHash: D.hwHash,
    target,
    yosys: { version, command: `${spec.synth} -top <module>` },
    method: METHOD,
    columns: { ...spec.columns, other: 'any other cell (listed under cells)' },
    notes: spec.notes,
    top,
    modules: rows,
    total: { area: totalArea, cells: sortedCells(totalCells) },
    ...(timedOut.size ? { incomplete: rows.filter((r) => timedOut.has(r.name)).map((r) => r.name) } : {}),
    run: { seconds: secs, cachedModules: cached.sort(), workDir, outDir },
  };

  // 4. Optional flat synthesis of the whole design (always with timing: the whole design's longest path).
  if (opts.flat || timing) {
    t0 = performance.now();
    const flatCmd = spec.synth; // synth_ice40 / synth_ecp5 flatten by default; the xilinx command has -flatten
    const key = hashOf('flat-v1', version, flatCmd, design.text);
    const cacheFile = join(cacheDir, `${key}.flat.stat`);
    const timingCache = join(cacheDir, `${key}.flat.${TIMING_VERSION}.json`);
    let statText: string;
    let flatPath: PathReport | null = null;
    if (useCache && existsSync(cacheFile) && (!timing || existsSync(timingCache))) {
      statText = readFileSync(cacheFile, 'utf8');
      if (timing) flatPath = JSON.parse(readFileSync(timingCache, 'utf8')) as PathReport | null;
      progress('flat synthesis: cached');
    } else {
      progress(`flat synthesis of the whole design (${flatCmd} -top ${topName}) …`);
      writeFileSync(
        join(workDir, 'flat.ys'),
        [
          'read_rtlil elab.il',
          `hierarchy -top ${topName}`,
          `${flatCmd} -top ${topName}`,
          'tee -q -o flat.stat stat',
          ...(timing ? ['write_json flat.json'] : []),
          '',
        ].join('\n'),
      );
      await runYosys(workDir, 'flat.ys', 'flat.log');
      statText = readFileSync(join(workDir, 'flat.stat'), 'utf8');
      if (useCache) writeFileAtomic(cacheFile, statText);
      if (timing)
        flatPath = analyseNetlist(
          join(workDir, 'flat.json'),
          topName,
          target,
          new Set(),
          useCache ? timingCache : undefined,
          true,
        );
    }
    const st = parseStat(statText).modules.find((x) => x.name === topName);
    if (!st) throw new Error(`flat stat has no ${topName} section`);
    report.flat = { area: classifyCells(target, st.cells), cells: sortedCells(st.cells) };
    if (timing) report.timing = { method: TIMING_METHOD, flat: flatPath };
    secs.flat = seconds(t0);
    progress(`flat synthesis: ${secs.flat} s`);
  }

  // 5. Optional place and route (iCE40).
  if (opts.pnr) {
    t0 = performance.now();
    const po: PnrOptions = typeof opts.pnr === 'object' ? opts.pnr : {};
    const modName = po.module ?? topName;
    const mod = byName.get(modName);
    if (!mod || !names.includes(modName)) {
      throw new UserError(
        `--pnr-module ${modName} is not a module of this design (modules: ${rows.map((r) => r.name).join(', ')})`,
      );
    }
    const sub = subtree(modName);
    report.pnr = await placeAndRoute(
      workDir,
      mod,
      { lut: sub.lut, ff: sub.ff, carry: sub.carry, bram: sub.bram },
      po,
      progress,
      secs,
    );
    secs.pnr = seconds(t0);
  }

  secs.total = seconds(tAll);
  progress(`done in ${secs.total} s`);
  if (opts.write !== false) {
    mkdirSync(outDir, { recursive: true });
    const jsonPath = join(outDir, `synth-${target}.json`);
    writeFileSync(jsonPath, reportJson(report));
    writeFileSync(join(outDir, `synth-${target}.txt`), formatReport(report));
    report.run.jsonPath = jsonPath;
  }
  return report;
}

/** The deterministic JSON file content (run information removed). */
export function reportJson(r: SynthReport): string {
  const { run: _run, ...rest } = r;
  return JSON.stringify(rest, null, 2) + '\n';
}

const HEAD: Record<Column | 'other', string> = {
  lut: 'LUT',
  ff: 'FF',
  carry: 'carry',
  dsp: 'DSP',
  bram: 'BRAM',
  lutram: 'LUTRAM',
  mux: 'MUX',
  other: 'other',
};

/** The text table: one row per module (one instance, own cells), the total and the legend. */
export function formatReport(r: SynthReport): string {
  const spec = TARGET_SPECS[r.target];
  const cols: (Column | 'other')[] = [...spec.shown];
  if (r.total.area.other > 0 || (r.flat?.area.other ?? 0) > 0) cols.push('other');
  const rowsTxt: string[][] = [];
  const numCells = (a: Area) => cols.map((c) => String(a[c]));
  for (const m of r.modules) {
    rowsTxt.push([
      `${'  '.repeat(m.depth)}${m.display}`,
      String(m.instances),
      ...(m.timedOutSec !== undefined ? cols.map(() => '?') : numCells(m.own)),
    ]);
  }
  const sep = ['', '', ...cols.map(() => '')];
  const totalRow = [
    r.incomplete ? 'total WITHOUT timed-out rows' : 'total = sum of inst x row',
    '',
    ...numCells(r.total.area),
  ];
  const flatRow = r.flat ? ['flattened, one run', '', ...numCells(r.flat.area)] : undefined;
  const header = ['module (own cells, 1 instance)', 'inst', ...cols.map((c) => HEAD[c])];
  const all = [header, ...rowsTxt, sep, totalRow, ...(flatRow ? [flatRow] : [])];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  const fmt = (row: string[]) =>
    row
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .replace(/\s+$/, '');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const L: string[] = [];
  L.push(
    `${r.tool}: config ${r.config} (hardware hash ${r.hwHash}), target ${r.target}, ` +
      `${r.yosys.version}, ${r.yosys.command}`,
  );
  L.push(fmt(header), rule, ...rowsTxt.map(fmt), rule, fmt(totalRow));
  if (flatRow) L.push(fmt(flatRow));
  if (r.incomplete) {
    const timedOut = r.modules.find((m) => m.timedOutSec !== undefined)?.timedOutSec;
    L.push(
      `INCOMPLETE: Yosys timed out after ${timedOut} s on ${r.incomplete.join(', ')} ` +
        "('?' rows count as 0, so the total is a lower bound)",
    );
  }
  L.push('');
  L.push(`columns: ${cols.map((c) => `${HEAD[c]} = ${r.columns[c]}`).join('; ')}`);
  for (const n of r.notes) L.push(`note: ${n}`);
  L.push(
    'method: each module synthesised separately (other modules blackboxed); rows exclude sub-modules; ' +
      'no cross-module optimisation (use --flat to compare).',
  );
  if (r.timing) L.push('', ...formatTiming(r));
  if (r.pnr) {
    const p = r.pnr;
    L.push('');
    if (p.fits && p.fmaxMHz !== undefined) {
      const u = p.utilisation ?? {};
      const uTxt = Object.entries(u)
        .filter(([, v]) => v.used > 0)
        .map(([k, v]) => `${k} ${v.used}/${v.available}`)
        .join(', ');
      L.push(
        `Fmax (${p.module} in the 3-pin wrapper, nextpnr ${p.nextpnr?.version ?? '?'}, seed ${p.seed}, ` +
          `target ${p.targetMHz} MHz): ${p.fmaxMHz} MHz on ${p.device} ${p.package}`,
      );
      if (uTxt) L.push(`  utilisation: ${uTxt}`);
      if (p.wrapper)
        L.push(
          `  wrapper flat synth: ${p.wrapper.area.lut} SB_LUT4, ` +
            `${p.wrapper.area.ff} SB_DFF* (${p.wrapper.wrapperFFs} of them wrapper registers), ` +
            `${p.wrapper.area.carry} SB_CARRY, ${p.wrapper.area.bram} SB_RAM40_4K`,
        );
      if (p.critical) {
        const c = p.critical;
        const split = c.logicNs !== undefined ? ` (${c.logicNs} ns logic, ${c.routingNs} ns routing)` : '';
        L.push(`  critical path ${c.totalNs} ns${split}, ${c.cells} logic cells: ${c.from} → ${c.to}`);
        L.push(`    nets: ${shortList(c.nets, 8).join(' → ')}`);
      }
    } else {
      L.push(`place and route: ${p.message}`);
    }
  }
  return L.join('\n') + '\n';
}

const shortList = (xs: string[], n: number) => (xs.length > n ? [...xs.slice(0, n / 2), '…', ...xs.slice(-n / 2)] : xs);

const END_TEXT: Record<PathReport['start']['kind'], string> = {
  ff: 'ff',
  bram: 'ram',
  dsp: 'dsp',
  submodule: 'sub',
  port: 'port',
};
const endsOf = (p: PathReport) =>
  `${p.start.kind === 'port' ? 'in' : END_TEXT[p.start.kind]}→${p.end.kind === 'port' ? 'out' : END_TEXT[p.end.kind]}`;

/** The timing table: per module (own logic) and the flattened design, then each critical path by its nets. */
function formatTiming(r: SynthReport): string[] {
  const rows: string[][] = [['module (own logic, sub-modules black boxes)', 'levels', 'DSP depth', 'ends', 'path']];
  const pathLines: string[] = [];
  const add = (label: string, name: string, p: PathReport | null | undefined) => {
    if (p === undefined) rows.push([label, '?', '?', '', 'timed out']);
    else if (p === null) rows.push([label, '0', '0', '', 'no logic between registers or ports']);
    else {
      rows.push([label, String(p.levels), String(p.dspDepth), endsOf(p), formatCells(p.cells)]);
      pathLines.push(`  ${name}: ${formatPath(p)}`);
      if (p.dspPath) pathLines.push(`  ${name}, ${p.dspDepth} DSPs: ${formatPath(p.dspPath)}`);
    }
  };
  for (const m of r.modules) add(`${'  '.repeat(m.depth)}${m.display}`, m.display, m.timing);
  if (r.timing) {
    add('whole design (flattened)', 'whole design', r.timing.flat);
    for (const [inst, p] of Object.entries(r.timing.flat?.byInstance ?? {}))
      add(`  ending in ${inst}`, `whole design, ending in ${inst}`, p);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((x) => x[i].length)));
  const fmt = (x: string[]) =>
    x
      .map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .replace(/\s+$/, '');
  return [
    `timing (${r.target}, after ${r.yosys.command.replace(' -top <module>', '')}): longest path in logic levels`,
    fmt(rows[0]),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(1).map(fmt),
    '',
    'critical paths (start, end, named nets on the way; ~ = nets Yosys named after this RTL net):',
    ...pathLines,
    `levels: ${r.timing?.method ?? TIMING_METHOD}`,
  ];
}

export interface TimingViolation {
  module: string;
  levels: number;
  dspDepth: number;
  path: string;
}

/** Paths over the limit: more than `maxLevels` LUT levels, or more than `maxDsp` DSPs on one path; the
 *  module rows first (hierarchy order), then the whole design. */
export function timingViolations(r: SynthReport, maxLevels: number, maxDsp = 1): TimingViolation[] {
  const out: TimingViolation[] = [];
  const check = (module: string, p: PathReport | null | undefined) => {
    if (p && (p.levels > maxLevels || p.dspDepth > maxDsp))
      out.push({
        module,
        levels: p.levels,
        dspDepth: p.dspDepth,
        // a DSP cascade alone: name the path through it
        path: formatPath(p.levels <= maxLevels && p.dspPath ? p.dspPath : p),
      });
  };
  for (const m of r.modules) check(m.display, m.timing);
  check('whole design', r.timing?.flat);
  return out;
}
