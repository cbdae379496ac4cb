// Per-layer threshold learning on KWT-1 (docs/spec.md §1.3): run the exact model on the calibration clips,
// collect every layer's Q and K, and apply the paper's rule (src/model/calibrate.ts) per layer.
import type { DesignSpec } from '../units/design.ts';
import { resolveConfig } from '../gen/config.ts';
import { UserError } from '../spec/errors.ts';
import { learnThresholds } from '../model/calibrate.ts';
import type { Matrix } from '../model/float.ts';
import { loadClip } from '../tflite/audio.ts';
import { KwtModel } from '../tflite/interpreter.ts';
import type { ClipItem } from './clips.ts';
import { Progress, roundTo, stableJson } from './io.ts';

export const KWT_TOKENS = 99;
export const KWT_DIM = 64;
export const KWT_SCORE_SCALE = 0.125;

export const layerKey = (l: number): string => `layer${l}`;
export type Thresholds = Record<string, number>;

/** The config must describe KWT-1's attention: d = 64, n_max ≥ 99, score scale 1/8. */
export function checkKwtConfig(D: DesignSpec): void {
  const c = D.cfg;
  if (c.d !== KWT_DIM)
    throw new UserError(`config ${c.name}: KWT-1 needs d = ${KWT_DIM}, not ${c.d} (use the kwt1 preset)`);
  if (c.nMax < KWT_TOKENS)
    throw new UserError(
      `config ${c.name}: KWT-1 has ${KWT_TOKENS} tokens, more than nMax = ${c.nMax} (use the kwt1 preset)`,
    );
  if (Math.abs(D.attention.scoreScale - KWT_SCORE_SCALE) > 1e-12)
    throw new UserError(
      `config ${c.name}: KWT-1 scales scores by 1/8, the config by ${D.attention.scoreScale} ` +
        '(set scoreScale to "inv_sqrt_d")',
    );
}

export function checkP(p: number, what = 'p'): number {
  if (!Number.isFinite(p) || p < 0) throw new UserError(`${what} must be a number ≥ 0, not ${p}`);
  return p;
}

/** Q and K of every layer on every calibration clip, from the exact (unhooked) model. */
export interface CalibrationSet {
  clips: number;
  /** layers[l][c] = layer l's Q and K rows on clip c (float32, as the graph computed them). */
  layers: { Q: Float32Array[]; K: Float32Array[] }[][];
}

export function collectCalibration(
  model: KwtModel,
  clips: ClipItem[],
  opts: { progress?: boolean } = {},
): CalibrationSet {
  const layers: CalibrationSet['layers'] = Array.from({ length: model.sites.length }, () => []);
  const bar = new Progress('calibrate: exact model on calib clips', clips.length, opts.progress ?? true);
  for (const c of clips) {
    const r = model.run(loadClip(c.path));
    r.layers.forEach((tr, l) => layers[l].push({ Q: tr.q, K: tr.k }));
    bar.tick();
  }
  bar.finish();
  return { clips: clips.length, layers };
}

/** A CalibrationSet from flat per-clip Q and K (EvalPool.collect), rows as views. */
export function calibrationSet(
  perClip: { n: number; d: number; Q: Float32Array; K: Float32Array }[][],
): CalibrationSet {
  const rows = (a: Float32Array, n: number, d: number) =>
    Array.from({ length: n }, (_, i) => a.subarray(i * d, (i + 1) * d));
  const layers: CalibrationSet['layers'] = Array.from({ length: perClip[0]?.length ?? 0 }, () => []);
  for (const clip of perClip)
    clip.forEach((t, l) => layers[l]!.push({ Q: rows(t.Q, t.n, t.d), K: rows(t.K, t.n, t.d) }));
  return { clips: perClip.length, layers };
}

const toMatrix = (rows: Float32Array[]): Matrix => rows.map((r) => Array.from(r));

/** t per layer for knob p (learnThreshold over all queries of all calibration clips),
 *  rounded to 6 decimals: the value written to configs and used by the evaluation. */
export function thresholdsFor(set: CalibrationSet, p: number, scale = KWT_SCORE_SCALE): Thresholds {
  return thresholdsForAll(set, [p], scale)[0]!;
}

/** thresholdsFor every p of `ps` in one pass over the calibration queries (the same values). */
export function thresholdsForAll(set: CalibrationSet, ps: number[], scale = KWT_SCORE_SCALE): Thresholds[] {
  ps.forEach((p) => checkP(p));
  const out: Thresholds[] = ps.map(() => ({}));
  set.layers.forEach((perClip, l) => {
    const inputs = perClip.map(({ Q, K }) => ({ Q: toMatrix(Q), K: toMatrix(K) }));
    learnThresholds(inputs, scale, ps).forEach((t, j) => (out[j]![layerKey(l)] = roundTo(t)));
  });
  return out;
}

/** Calibrate one p on the given clips with a freshly loaded KWT-1 model. */
export function calibrate(
  clips: ClipItem[],
  p: number,
  opts: { progress?: boolean; model?: KwtModel } = {},
): Thresholds {
  checkP(p);
  const model = opts.model ?? KwtModel.load();
  return thresholdsFor(collectCalibration(model, clips, opts), p);
}

/** The full config JSON with `thresholds` replaced: sorted keys, thresholds with 6 fixed decimals.
 *  Validated by resolving it again, so the file is always loadable. */
/** The config with calibrated runtime data: thresholds t per layer, or (top-m) m per layer in `keep`. */
export function calibratedConfigJson(D: DesignSpec, thresholds: Thresholds, keep: Record<string, number> = {}): string {
  const cfg = { ...D.cfg, thresholds, keep };
  const text = stableJson(cfg, (x, path) =>
    path.length === 2 && path[0] === 'thresholds' ? x.toFixed(6) : JSON.stringify(x),
  );
  const back = resolveConfig(JSON.parse(text));
  if (back.hwHash !== D.hwHash) throw new Error('calibrated config changed the hardware hash (internal error)');
  return text;
}
