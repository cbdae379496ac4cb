// Keys kept versus top-1 on the eval split, for every selection rule (float ELSA model in all 12 layers):
// (a) the paper's rule, one calibrated threshold per layer, at several p; (a') the same with an empty
// candidate set falling back to the best-estimate key; (b) per query, the m keys with the largest hash
// estimate ‖k‖·cos(θ̂); (c) per query, the m keys with the largest exact score q·k (an oracle the hardware
// cannot build). Written as curve.json / curve.csv / curve.md / curve.svg beside the Fig. 10 files.
import type { Selection } from '../model/float.ts';
import { lineSpec, vegaLiteSvg, type LineSeries } from '../report/charts.ts';
import { layerKey, type Thresholds } from './calibrate.ts';
import type { ClipItem } from './clips.ts';
import { roundTo, stableJson } from './io.ts';
import type { ClipRuns, RunStats, Variant } from './variants.ts';

export type Rule = 'paper' | 'paper-fallback' | 'top-m-estimate' | 'top-m-oracle';
export const RULE_LABEL: Record<Rule, string> = {
  paper: 'paper rule (threshold per layer)',
  'paper-fallback': 'paper rule, empty set → best-estimate key',
  'top-m-estimate': 'per-query top-m on the hash estimate',
  'top-m-oracle': 'per-query top-m on the exact score (oracle)',
};
/** The grid: p for the threshold rules, the kept fraction m/n for the top-m rules. */
export const CURVE_PS = [0.05, 0.25, 0.5, 1, 2];
export const FALLBACK_PS = [0.5, 1, 2];
export const CURVE_FRACTIONS = [0.2, 0.4, 0.6, 0.8];

/** m for a kept fraction f of n keys: round(f·n), at least 1 and at most n. */
export const mOf = (f: number, n: number): number => Math.min(n, Math.max(1, Math.round(f * n)));

export interface CurvePoint {
  rule: Rule;
  /** p (threshold rules) or the fraction m/n (top-m rules) */
  knob: number;
  /** keys kept: selected (query, key) pairs / n² over all layers and clips */
  keys: number;
  top1: number;
  correct: number;
  agree: number;
  emptyQueries: number;
}

export interface CurveResult {
  clips: { calib: number; eval: number };
  exact: { top1: number; correct: number };
  points: CurvePoint[];
  goals: {
    /** top-1 of (b) and (c) at the grid fraction closest to 40% of the keys */
    at40: { fraction: number; estimate: number; oracle: number; gap: number };
    /** the point with the fewest keys whose top-1 is within 1 point of the exact model (null: none) */
    within1: CurvePoint | null;
  };
}

export interface CurveSpec {
  rule: Rule;
  knob: number;
  variant: Variant;
}

/** The curve's variants: threshold rules use the thresholds calibrated for their p (`thresholdsOf`). */
export function curveSpecs(thresholdsOf: (p: number) => Thresholds, layers: number, n: number): CurveSpec[] {
  const per = (sel: (l: number) => Selection): Variant => ({
    model: 'float',
    layers: Array.from({ length: layers }, (_, l) => sel(l)),
  });
  const thr = (p: number, fallback: boolean) =>
    per((l) => ({ kind: 'threshold', t: thresholdsOf(p)[layerKey(l)]!, ...(fallback ? { fallback } : {}) }));
  return [
    ...CURVE_PS.map((p) => ({ rule: 'paper' as const, knob: p, variant: thr(p, false) })),
    ...FALLBACK_PS.map((p) => ({ rule: 'paper-fallback' as const, knob: p, variant: thr(p, true) })),
    ...CURVE_FRACTIONS.map((f) => ({
      rule: 'top-m-estimate' as const,
      knob: f,
      variant: per(() => ({ kind: 'top-m', m: mOf(f, n) })),
    })),
    ...CURVE_FRACTIONS.map((f) => ({
      rule: 'top-m-oracle' as const,
      knob: f,
      variant: per(() => ({ kind: 'top-m', m: mOf(f, n), oracle: true })),
    })),
  ];
}

/** One variant's counts over the eval clips: keys selected per layer, query-key pairs per layer (Σ n²),
 *  queries, queries left without a candidate, top-1 hits and agreements with the exact model. */
export function tallyRuns(runs: RunStats[], clips: ClipItem[], res: { n: number; exact: string }[], layers: number) {
  const selected = new Array<number>(layers).fill(0);
  let pairs = 0;
  let queries = 0;
  let empty = 0;
  let correct = 0;
  let agreeing = 0;
  runs.forEach((r, i) => {
    r.selected.forEach((s, l) => (selected[l] += s));
    pairs += res[i].n * res[i].n;
    queries += res[i].n * layers;
    empty += r.empty;
    if (r.label === clips[i].label) correct++;
    if (r.label === res[i].exact) agreeing++;
  });
  return { selected, pairs, queries, empty, correct, agreeing };
}

/** Aggregate one variant's runs over the eval clips. */
export function pointOf(spec: CurveSpec, runs: RunStats[], clips: ClipItem[], res: ClipRuns[]): CurvePoint {
  const layers = runs[0]?.selected.length ?? 0;
  const t = tallyRuns(runs, clips, res, layers);
  const N = runs.length;
  return {
    rule: spec.rule,
    knob: spec.knob,
    keys: roundTo(t.selected.reduce((a, b) => a + b, 0) / (t.pairs * layers)),
    top1: roundTo(t.correct / N),
    correct: t.correct,
    agree: roundTo(t.agreeing / N),
    emptyQueries: roundTo(t.empty / t.queries),
  };
}

export function curveResult(calibN: number, clips: ClipItem[], res: ClipRuns[], points: CurvePoint[]): CurveResult {
  const correct = res.filter((r, i) => r.exact === clips[i].label).length;
  const exactTop1 = roundTo(correct / clips.length);
  const f40 = CURVE_FRACTIONS.reduce((a, b) => (Math.abs(b - 0.4) < Math.abs(a - 0.4) ? b : a));
  const at = (rule: Rule) => points.find((p) => p.rule === rule && p.knob === f40)?.top1 ?? 0;
  const ok = points.filter((p) => 100 * (exactTop1 - p.top1) <= 1 + 1e-9);
  const within1 = ok.length ? ok.reduce((a, b) => (b.keys < a.keys ? b : a)) : null;
  return {
    clips: { calib: calibN, eval: clips.length },
    exact: { top1: exactTop1, correct },
    points,
    goals: {
      at40: {
        fraction: f40,
        estimate: at('top-m-estimate'),
        oracle: at('top-m-oracle'),
        gap: roundTo(at('top-m-oracle') - at('top-m-estimate')),
      },
      within1,
    },
  };
}

const pct = (x: number, digits = 1): string => (100 * x).toFixed(digits);
const knobText = (p: CurvePoint) => (p.rule.startsWith('top-m') ? `m = ${pct(p.knob, 0)}% of n` : `p = ${p.knob}`);

export function curveMarkdown(c: CurveResult): string {
  const L = [
    '# ELSA on KWT-1: keys kept versus top-1 accuracy, by selection rule',
    '',
    `Float ELSA model in all 12 layers; eval split (${c.clips.eval} clips, one clip = ` +
      `${(100 / c.clips.eval).toFixed(2)} points); thresholds of the paper's rule calibrated on the calib split ` +
      `(${c.clips.calib} clips). Exact model: ${pct(c.exact.top1)}% top-1. Top-m: m = round(fraction · n) per ` +
      'query, ties to the lower key index.',
    '',
    '| rule | setting | keys kept | top-1 | loss (points) | agree with exact | queries with no key |',
    '|---|---|---:|---:|---:|---:|---:|',
    `| exact attention | – | 100.0% | ${pct(c.exact.top1)}% | 0.0 | 100.0% | 0.00% |`,
  ];
  for (const p of c.points)
    L.push(
      `| ${RULE_LABEL[p.rule]} | ${knobText(p)} | ${pct(p.keys)}% | ${pct(p.top1)}% | ` +
        `${(100 * (c.exact.top1 - p.top1)).toFixed(1)} | ${pct(p.agree)}% | ${pct(p.emptyQueries, 2)}% |`,
    );
  const g = c.goals;
  L.push(
    '',
    `At m = ${pct(g.at40.fraction, 0)}% of n: top-m on the hash estimate ${pct(g.at40.estimate)}%, ` +
      `exact top-m oracle ${pct(g.at40.oracle)}% (gap ${(100 * g.at40.gap).toFixed(1)} points).`,
    g.within1
      ? `Fewest keys within 1 point of the exact model: ${pct(g.within1.keys)}% kept ` +
          `(${RULE_LABEL[g.within1.rule]}, ${knobText(g.within1)}, top-1 ${pct(g.within1.top1)}%).`
      : 'No setting of the grid stays within 1 point of the exact model.',
  );
  return L.join('\n') + '\n';
}

export function curveCsv(c: CurveResult): string {
  const rows = ['rule,knob,keys,top1,correct,agree,empty_queries', `exact,,1,${c.exact.top1},${c.exact.correct},1,0`];
  for (const p of c.points) rows.push([p.rule, p.knob, p.keys, p.top1, p.correct, p.agree, p.emptyQueries].join(','));
  return rows.join('\n') + '\n';
}

export const curveJson = (c: CurveResult): string => stableJson(c);

const COLORS: Record<Rule, string> = {
  paper: '#d62728',
  'paper-fallback': '#ff7f0e',
  'top-m-estimate': '#1f77b4',
  'top-m-oracle': '#2ca02c',
};

export function curveSvg(c: CurveResult): Promise<string> {
  const pc = (x: number) => Number((100 * x).toFixed(2));
  const series: LineSeries[] = (Object.keys(RULE_LABEL) as Rule[]).map((rule) => {
    const pts = c.points.filter((p) => p.rule === rule).sort((a, b) => a.keys - b.keys);
    return {
      label: RULE_LABEL[rule],
      xs: pts.map((p) => pc(p.keys)),
      ys: pts.map((p) => pc(p.top1)),
      color: COLORS[rule],
      dashed: rule === 'top-m-oracle',
    };
  });
  series.push({
    label: `exact model (${pc(c.exact.top1).toFixed(1)}%)`,
    xs: [0, 100],
    ys: [pc(c.exact.top1), pc(c.exact.top1)],
    color: '#555555',
    dashed: true,
  });
  return vegaLiteSvg(
    lineSpec(
      `Keys kept vs top-1 on KWT-1 (${c.clips.eval} eval clips)`,
      'keys kept (%)',
      'top-1 (%)',
      series,
      [0, 100],
    ),
  );
}
