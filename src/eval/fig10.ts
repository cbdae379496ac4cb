// Fig. 10 of the paper on KWT-1: fraction of keys ELSA selects and the model's accuracy versus the
// knob p, with thresholds learned on the calib split and measured on the eval split; once with the
// float ELSA model and once with the bit-exact fixed-point model substituted in every layer.
import { join } from 'node:path';
import { resolveConfig } from '../gen/config.ts';
import type { DesignSpec } from '../units/design.ts';
import { UserError } from '../spec/errors.ts';
import { KwtModel } from '../tflite/interpreter.ts';
import { EvalPool, defaultJobs, type ClipRuns, type RunStats, type Variant } from './variants.ts';
import {
  CURVE_PS,
  FALLBACK_PS,
  curveCsv,
  curveJson,
  curveMarkdown,
  curveResult,
  curveSpecs,
  curveSvg,
  pointOf,
  tallyRuns,
  type CurveResult,
} from './curve.ts';
import {
  KWT_TOKENS,
  checkKwtConfig,
  checkP,
  calibrationSet,
  layerKey,
  thresholdsForAll,
  type Thresholds,
} from './calibrate.ts';
import { loadManifest, splitClips, type ClipItem } from './clips.ts';
import { Progress, roundTo, stableJson } from './io.ts';
import { writeFileAtomic } from '../files.ts';
import { renderSvg } from './svg.ts';
import type { Fig10Result, VariantMetrics } from './types.ts';

export const FIG10_PS = [0, 0.5, 1, 2, 4];
/** Accuracy-loss budgets (percentage points) of the paper's named settings (docs/spec.md §1.3). */
export const SETTINGS = [
  { name: 'conservative', loss: 1 },
  { name: 'moderate', loss: 2.5 },
  { name: 'aggressive', loss: 5 },
] as const;

// ------------------------------------------------------------------ one clip
export interface ClipResult {
  exact: string;
  /** per p, same order as the ps */
  float: RunStats[];
  fixed: RunStats[];
  /** tokens n of this clip (pairs per layer = n²) */
  n: number;
}

/** The paper's rule in every layer with that layer's threshold for one p. */
export const thresholdVariant = (model: Variant['model'], th: Thresholds, layers: number): Variant => ({
  model,
  layers: Array.from({ length: layers }, (_, l) => {
    const t = th[layerKey(l)];
    if (t === undefined) throw new UserError(`no threshold for ${layerKey(l)}`);
    return { kind: 'threshold', t };
  }),
});

/** Fig. 10's runs per clip: float ELSA at every p, then fixed-point ELSA at every p. */
export const fig10Variants = (thresholds: Thresholds[], layers: number): Variant[] =>
  (['float', 'fixed'] as const).flatMap((m) => thresholds.map((th) => thresholdVariant(m, th, layers)));

export function fig10Clip(r: ClipRuns, nPs: number): ClipResult {
  return { exact: r.exact, float: r.runs.slice(0, nPs), fixed: r.runs.slice(nPs, 2 * nPs), n: r.n };
}

// ------------------------------------------------------------------ aggregation

function metrics(
  model: VariantMetrics['model'],
  p: number | null,
  runs: RunStats[],
  clips: ClipItem[],
  res: ClipResult[],
  layers: number,
): VariantMetrics {
  const { selected: sel, pairs, queries, empty, correct, agreeing } = tallyRuns(runs, clips, res, layers);
  const N = runs.length;
  return {
    model,
    p,
    selectedPerLayer: sel.map((s) => roundTo(s / pairs)),
    selected: roundTo(sel.reduce((a, b) => a + b, 0) / (pairs * layers)),
    emptyQueries: roundTo(empty / queries),
    correct,
    agreeing,
    top1: roundTo(correct / N),
    agree: roundTo(agreeing / N),
  };
}

export function aggregate(
  D: DesignSpec,
  dir: string,
  calibN: number,
  ps: number[],
  thresholds: Thresholds[],
  clips: ClipItem[],
  res: ClipResult[],
  layers: number,
): Fig10Result {
  const exactRuns: RunStats[] = res.map((r) => ({
    label: r.exact,
    selected: new Array(layers).fill(r.n * r.n),
    empty: 0,
  }));
  const exact = metrics('exact', null, exactRuns, clips, res, layers);
  const sweep = (m: 'float' | 'fixed') =>
    ps.map((p, j) =>
      metrics(
        m,
        p,
        res.map((r) => r[m][j]),
        clips,
        res,
        layers,
      ),
    );
  const float = sweep('float');
  const fixed = sweep('fixed');
  const settingsOf = (vs: VariantMetrics[]) =>
    Object.fromEntries(
      SETTINGS.map(({ name, loss }) => {
        const ok = vs.filter((v) => 100 * (exact.top1 - v.top1) <= loss + 1e-9).map((v) => v.p!);
        return [name, ok.length ? Math.max(...ok) : null];
      }),
    );
  return {
    config: {
      name: D.cfg.name,
      hwHash: D.hwHash,
      qkv: `1.${D.cfg.formats.qkv.int}.${D.cfg.formats.qkv.frac}`,
      k: D.cfg.k,
      thetaBias: roundTo(D.candSel.thetaBias),
    },
    clips: { calib: calibN, eval: clips.length, dir },
    ps,
    thresholds: Object.fromEntries(ps.map((p, j) => [String(p), thresholds[j]])),
    exact,
    float,
    fixed,
    settings: { float: settingsOf(float), fixed: settingsOf(fixed) },
    perClip: clips.map((c, i) => ({
      file: c.file,
      label: c.label,
      exact: res[i].exact,
      float: res[i].float.map((r) => r.label),
      fixed: res[i].fixed.map((r) => r.label),
    })),
  };
}

// ------------------------------------------------------------------ reports
const pct = (x: number, digits = 1): string => (100 * x).toFixed(digits);

export function renderTable(r: Fig10Result): string {
  const L: string[] = [];
  const layers = r.exact.selectedPerLayer.length;
  const meanT = (p: number) => {
    const th = r.thresholds[String(p)];
    const v = Object.values(th);
    return v.reduce((a, b) => a + b, 0) / v.length;
  };
  L.push('# ELSA on KWT-1: keys selected and accuracy versus p (paper Fig. 10)', '');
  L.push(
    `Config \`${r.config.name}\` (hardware hash ${r.config.hwHash}): Q/K/V ${r.config.qkv} fixed point, ` +
      `k = ${r.config.k} hash bits, θ_bias = ${r.config.thetaBias.toFixed(4)} rad.`,
  );
  L.push(
    `Thresholds learned per layer on the calib split (${r.clips.calib} clips, exact model); ` +
      `everything below measured on the eval split (${r.clips.eval} clips; ` +
      `one clip = ${(100 / r.clips.eval).toFixed(2)} points).`,
  );
  L.push(
    'ELSA is substituted in all 12 attention layers at once. ' +
      '*keys* = fraction of (query, key) pairs selected as candidates; ' +
      '*top-1* = accuracy against the spoken label; *agree* = same prediction as the exact model.',
    '',
  );
  L.push('| p | mean t | keys, float | keys, fixed | top-1, float | top-1, fixed | agree, float | agree, fixed |');
  L.push('|---:|---:|---:|---:|---:|---:|---:|---:|');
  r.ps.forEach((p, j) => {
    const f = r.float[j];
    const x = r.fixed[j];
    L.push(
      `| ${p} | ${meanT(p).toFixed(3)} | ${pct(f.selected)}% | ${pct(x.selected)}% | ` +
        `${pct(f.top1)}% | ${pct(x.top1)}% | ${pct(f.agree)}% | ${pct(x.agree)}% |`,
    );
  });
  L.push('');
  L.push('Reference rows:', '');
  L.push('| model | keys | top-1 | agree with exact |');
  L.push('|---|---:|---:|---:|');
  L.push(
    `| exact KWT-1 (float32 graph) | 100.0% | ${pct(r.exact.top1)}% (${r.exact.correct}/${r.clips.eval}) | 100.0% |`,
  );
  const j0 = r.ps.indexOf(0);
  if (j0 >= 0) {
    const f0 = r.float[j0];
    const x0 = r.fixed[j0];
    L.push(
      `| float ELSA, p = 0 (exact attention in float64) | ${pct(f0.selected)}% | ` +
        `${pct(f0.top1)}% (${f0.correct}/${r.clips.eval}) | ${pct(f0.agree)}% (${f0.agreeing}/${r.clips.eval}) |`,
    );
    L.push(
      `| fixed-point ELSA, p = 0 (quantisation only) | ${pct(x0.selected)}% | ` +
        `${pct(x0.top1)}% (${x0.correct}/${r.clips.eval}) | ${pct(x0.agree)}% (${x0.agreeing}/${r.clips.eval}) |`,
    );
  }
  L.push('');
  L.push(
    'Named settings (largest p of the grid whose top-1 loss against the exact model is within 1 / 2.5 / 5 points; ' +
      'small eval set, so coarse):',
    '',
  );
  L.push('| model | conservative (≤ 1) | moderate (≤ 2.5) | aggressive (≤ 5) |');
  L.push('|---|---:|---:|---:|');
  for (const m of ['float', 'fixed'] as const) {
    const s = r.settings[m];
    const cell = (name: string) => {
      const p = s[name];
      if (p === null) return '–';
      const v = r[m][r.ps.indexOf(p)];
      return `p = ${p} (keys ${pct(v.selected)}%)`;
    };
    L.push(`| ${m} | ${cell('conservative')} | ${cell('moderate')} | ${cell('aggressive')} |`);
  }
  L.push('');
  L.push('Queries with no candidate (ELSA outputs zero for them), fraction of all queries:', '');
  L.push(`| model | ${r.ps.map((p) => `p = ${p}`).join(' | ')} |`);
  L.push(`|---|${r.ps.map(() => '---:').join('|')}|`);
  for (const m of ['float', 'fixed'] as const)
    L.push(`| ${m} | ${r[m].map((v) => `${pct(v.emptyQueries, 2)}%`).join(' | ')} |`);
  L.push('');
  L.push('Per layer: threshold t, and keys selected (float / fixed):', '');
  L.push(
    `| layer | ${r.ps.map((p) => `t, p = ${p}`).join(' | ')} | ${r.ps.map((p) => `keys, p = ${p}`).join(' | ')} |`,
  );
  L.push(`|---:|${r.ps.map(() => '---:').join('|')}|${r.ps.map(() => '---:').join('|')}|`);
  for (let l = 0; l < layers; l++) {
    const ts = r.ps.map((p) => r.thresholds[String(p)][layerKey(l)].toFixed(3));
    const ks = r.ps.map((_, j) => `${pct(r.float[j].selectedPerLayer[l])} / ${pct(r.fixed[j].selectedPerLayer[l])}`);
    L.push(`| ${l} | ${ts.join(' | ')} | ${ks.join(' | ')} |`);
  }
  L.push('');
  L.push(
    'Paper (ISCA 2021, section V): under 40% of keys at p = 1 for sub-1% loss on most workloads; ' +
      'about 26% at p = 2 for sub-2% loss.',
  );
  return L.join('\n') + '\n';
}

export function resultsJson(r: Fig10Result): string {
  return stableJson(r);
}

// ------------------------------------------------------------------ the whole experiment
export interface Fig10Options {
  clipsDir: string;
  outDir: string;
  cfg: unknown;
  ps?: number[];
  jobs?: number;
  progress?: boolean;
  /** also measure the keys-versus-top-1 curve of every selection rule (curve.*; default true) */
  curve?: boolean;
}

export interface Fig10Run {
  result: Fig10Result;
  curve?: CurveResult;
  files: string[];
  seconds: { calibrate: number; evaluate: number };
}

export async function runFig10(o: Fig10Options): Promise<Fig10Run> {
  const D = resolveConfig(o.cfg);
  checkKwtConfig(D);
  const ps = o.ps ?? FIG10_PS;
  ps.forEach((p) => checkP(p, 'each p'));
  if (new Set(ps).size !== ps.length) throw new UserError(`the p values must be distinct (got ${ps.join(', ')})`);
  const all = loadManifest(o.clipsDir);
  const calib = splitClips(all, 'calib', o.clipsDir);
  const evalClips = splitClips(all, 'eval', o.clipsDir);

  const t0 = performance.now();
  const jobs = o.jobs ?? defaultJobs();
  // the pool's processes start (load the model) while this one calibrates
  const pool = new EvalPool(D.cfg, Math.min(jobs, evalClips.length));
  try {
    return await calibrateAndRun(o, D, ps, calib, evalClips, pool, t0);
  } finally {
    pool.close();
  }
}

async function calibrateAndRun(
  o: Fig10Options,
  D: DesignSpec,
  ps: number[],
  calib: ClipItem[],
  evalClips: ClipItem[],
  pool: EvalPool,
  t0: number,
): Promise<Fig10Run> {
  const progress = o.progress ?? true;
  const jobs = pool.jobs;
  const kwt = KwtModel.load();
  const cbar = new Progress('calibrate: exact model on calib clips', calib.length, progress);
  // the calibration's exact runs on the pool too
  const set = calibrationSet(await pool.collect(calib, () => cbar.tick()));
  cbar.finish();
  const withCurve = o.curve ?? true;
  const allPs = [...new Set([...ps, ...(withCurve ? [...CURVE_PS, ...FALLBACK_PS] : [])])];
  const all = thresholdsForAll(set, allPs);
  const byP = new Map(allPs.map((p, j) => [p, all[j]!]));
  const thresholds = ps.map((p) => byP.get(p)!);
  set.layers.length = 0; // release the calibration tensors before the evaluation
  const t1 = performance.now();

  const layers = kwt.sites.length;
  const specs = withCurve ? curveSpecs((p) => byP.get(p)!, layers, KWT_TOKENS) : [];
  // one pass over the eval clips for both experiments; a variant in both (the paper rule in float at a
  // shared p) runs once
  const variants: Variant[] = [];
  const slot = new Map<string, number>();
  const indexOf = (v: Variant) => {
    const key = JSON.stringify(v);
    if (!slot.has(key)) slot.set(key, variants.push(v) - 1);
    return slot.get(key)!;
  };
  const figIdx = fig10Variants(thresholds, layers).map(indexOf);
  const curveIdx = specs.map((c) => indexOf(c.variant));
  const bar = new Progress(
    `evaluate: ${variants.length + 1} runs per eval clip, ${jobs} job${jobs > 1 ? 's' : ''}`,
    evalClips.length,
    progress,
  );
  const runs: ClipRuns[] = await pool.run(evalClips, variants, () => bar.tick());
  pool.close();
  bar.finish();
  const res = runs.map((r) => fig10Clip({ ...r, runs: figIdx.map((j) => r.runs[j]) }, ps.length));
  const curve = withCurve
    ? curveResult(
        calib.length,
        evalClips,
        runs,
        specs.map((c, i) =>
          pointOf(
            c,
            runs.map((r) => r.runs[curveIdx[i]]),
            evalClips,
            runs,
          ),
        ),
      )
    : undefined;
  const t2 = performance.now();

  const result = aggregate(D, o.clipsDir, calib.length, ps, thresholds, evalClips, res, kwt.sites.length);
  const files = [
    { name: 'table.md', text: renderTable(result) },
    { name: 'results.json', text: resultsJson(result) },
    { name: 'fig10.svg', text: await renderSvg(result) },
    ...(curve
      ? [
          { name: 'curve.md', text: curveMarkdown(curve) },
          { name: 'curve.csv', text: curveCsv(curve) },
          { name: 'curve.json', text: curveJson(curve) },
          { name: 'curve.svg', text: await curveSvg(curve) },
        ]
      : []),
  ];
  for (const f of files) writeFileAtomic(join(o.outDir, f.name), f.text);
  return {
    result,
    curve,
    files: files.map((f) => join(o.outDir, f.name)),
    seconds: { calibrate: (t1 - t0) / 1000, evaluate: (t2 - t1) / 1000 },
  };
}
