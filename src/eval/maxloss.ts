// Calibration toward an accuracy target (`elsa-gen calibrate --max-loss <points>`): per-layer settings
// (threshold t of the paper's rule, or m of per-query top-m) that keep the fewest keys while the
// calibration split loses at most the target in top-1 against the exact model; then one run on the eval
// split reports what the chosen settings really cost there.
//
// Search (greedy per layer over a grid, most tolerant layer first):
//  1. The exact model on the calib clips (labels, every layer's Q and K).
//  2. Tolerance of layer l: the mean softmax weight (exact scores) that the grid's most aggressive setting
//     keeps in layer l over all calib queries; layers are visited from the highest to the lowest (ties:
//     lower layer first).
//  3. Every layer starts at the setting that keeps every key. For each layer in that order, the grid's
//     settings are tried from fewest to most keys, with every layer at its current setting; the first whose
//     calib top-1 is at least exact − target is kept (float ELSA model in all layers at once). The all-keys
//     setting is the fall-back without a test. One test = one run per calib clip.
import type { DesignSpec } from '../units/design.ts';
import { UserError } from '../spec/errors.ts';
import { elsaFloatSelecting, type Matrix, type Selection } from '../model/float.ts';
import {
  KWT_SCORE_SCALE,
  KWT_TOKENS,
  layerKey,
  thresholdsForAll,
  type CalibrationSet,
  type Thresholds,
} from './calibrate.ts';
import type { ClipItem } from './clips.ts';
import { mOf } from './curve.ts';
import { Progress, roundTo } from './io.ts';
import type { ClipRuns, EvalPool, Variant } from './variants.ts';

export type MaxLossRule = 'threshold' | 'top-m';
/** Grids from the most aggressive setting to all keys: p of the paper's rule, or the kept fraction m/n. */
export const MAXLOSS_PS = [4, 2, 1, 0.5, 0.25, 0.1, 0];
export const MAXLOSS_FRACTIONS = [0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1];

export interface LayerSetting {
  layer: number;
  /** p (threshold rule) or m/n (top-m) */
  knob: number;
  /** t (threshold rule) or m (top-m) */
  value: number;
  /** mean softmax weight the most aggressive setting keeps in this layer (the visiting order) */
  tolerance: number;
}

export interface SplitCost {
  clips: number;
  exactTop1: number;
  top1: number;
  /** exact − ELSA, in points */
  loss: number;
  /** fraction of (query, key) pairs kept */
  keys: number;
}

export interface MaxLossResult {
  rule: MaxLossRule;
  target: number;
  settings: LayerSetting[];
  calib: SplitCost;
  eval: SplitCost;
  /** calib passes the search made (one run per calib clip each) */
  tests: number;
}

function softmaxWeights(q: Float32Array | number[], K: (Float32Array | number[])[]): number[] {
  const s = K.map((k) => {
    let d = 0;
    for (let i = 0; i < k.length; i++) d += q[i]! * k[i]!;
    return KWT_SCORE_SCALE * d;
  });
  const mx = Math.max(...s);
  const e = s.map((x) => Math.exp(x - mx));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}

const toMatrix = (rows: Float32Array[]): Matrix => rows.map((r) => Array.from(r));

function cost(res: ClipRuns[], clips: ClipItem[]): SplitCost {
  let pairs = 0;
  let sel = 0;
  let correct = 0;
  let exact = 0;
  res.forEach((r, i) => {
    const run = r.runs[0];
    pairs += r.n * r.n * run.selected.length;
    sel += run.selected.reduce((a, b) => a + b, 0);
    if (run.label === clips[i].label) correct++;
    if (r.exact === clips[i].label) exact++;
  });
  const N = clips.length;
  return {
    clips: N,
    exactTop1: roundTo(exact / N),
    top1: roundTo(correct / N),
    loss: roundTo((100 * (exact - correct)) / N, 3),
    keys: roundTo(sel / pairs),
  };
}

export async function searchMaxLoss(o: {
  D: DesignSpec;
  rule: MaxLossRule;
  target: number;
  set: CalibrationSet;
  calib: ClipItem[];
  evalClips: ClipItem[];
  pool: EvalPool;
  progress?: boolean;
}): Promise<MaxLossResult> {
  const { rule, target, set, calib, pool } = o;
  if (!Number.isFinite(target) || target < 0) throw new UserError(`--max-loss must be ≥ 0 points, not ${target}`);
  const layers = set.layers.length;
  const grid = rule === 'threshold' ? MAXLOSS_PS : MAXLOSS_FRACTIONS;
  const thresholds = new Map<number, Thresholds>(
    rule === 'threshold' ? thresholdsForAll(set, grid).map((t, j) => [grid[j], t]) : [],
  );
  const selOf = (l: number, knob: number): Selection =>
    rule === 'threshold'
      ? { kind: 'threshold', t: thresholds.get(knob)![layerKey(l)]! }
      : { kind: 'top-m', m: mOf(knob, KWT_TOKENS) };

  // 2. tolerance: softmax weight kept by the most aggressive setting, per layer
  const model = elsaFloatSelecting(o.D);
  const tolerance = set.layers.map((perClip, l) => {
    let kept = 0;
    let queries = 0;
    for (const { Q, K } of perClip) {
      const cand = model.select(toMatrix(Q), toMatrix(K), selOf(l, grid[0]));
      Q.forEach((q, x) => {
        const w = softmaxWeights(q, K);
        kept += w.reduce((s, wy, y) => s + (cand[x][y] ? wy : 0), 0);
        queries++;
      });
    }
    return queries ? kept / queries : 1;
  });
  const order = tolerance.map((t, l) => ({ t, l })).sort((a, b) => b.t - a.t || a.l - b.l);

  // 3. greedy
  const all = grid[grid.length - 1];
  const knobs = new Array<number>(layers).fill(all);
  const variantOf = (ks: number[]): Variant => ({ model: 'float', layers: ks.map((k, l) => selOf(l, k)) });
  const exactCorrect = (await pool.run(calib, [])).filter((r, i) => r.exact === calib[i].label).length;
  const floor = exactCorrect - (target / 100) * calib.length - 1e-9;
  let tests = 0;
  const bar = new Progress(`calibrate --max-loss: greedy over ${layers} layers`, layers, o.progress ?? true);
  for (const { l } of order) {
    for (const k of grid.slice(0, -1)) {
      const trial = knobs.map((x, j) => (j === l ? k : x));
      const res = await pool.run(calib, [variantOf(trial)]);
      tests++;
      const correct = res.filter((r, i) => r.runs[0].label === calib[i].label).length;
      if (correct >= floor) {
        knobs[l] = k;
        break;
      }
    }
    bar.tick();
  }
  bar.finish();
  const final = variantOf(knobs);
  const calibCost = cost(await pool.run(calib, [final]), calib);
  const evalCost = cost(await pool.run(o.evalClips, [final]), o.evalClips);
  return {
    rule,
    target,
    settings: knobs.map((k, l) => {
      const s = selOf(l, k);
      return {
        layer: l,
        knob: k,
        value: s.kind === 'threshold' ? s.t : s.m,
        tolerance: roundTo(tolerance[l]),
      };
    }),
    calib: calibCost,
    eval: evalCost,
    tests,
  };
}
