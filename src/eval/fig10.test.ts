// Calibration + Fig. 10 evaluation end to end on a handful of real recordings (alsa-utils): the
// structural properties that must hold on any data, determinism of the three output files across
// runs (in-process and with child processes), and the calibrated config file.
import { describe, expect, it, beforeAll } from 'vitest';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { PRESETS, loadConfig, resolveConfig } from '../gen/config.ts';
import { REPO_ROOT } from '../gen/render.ts';
import { calibrate, calibratedConfigJson, collectCalibration, layerKey } from './calibrate.ts';
import { MAXLOSS_FRACTIONS, searchMaxLoss } from './maxloss.ts';
import { EvalPool } from './variants.ts';
import { KwtModel } from '../tflite/interpreter.ts';
import { loadManifest, splitClips } from './clips.ts';
import { FIG10_PS, runFig10, type Fig10Run } from './fig10.ts';
import { mOf } from './curve.ts';

const ALSA = '/usr/share/sounds/alsa';
const TMP = join(REPO_ROOT, 'build', 'eval-test');
const CLIPS = join(TMP, 'clips');
const haveAlsa = ['Front_Center', 'Rear_Center', 'Front_Left', 'Front_Right'].every((f) =>
  existsSync(join(ALSA, `${f}.wav`)),
);
const FILES = ['table.md', 'results.json', 'fig10.svg', 'curve.md', 'curve.csv', 'curve.json', 'curve.svg'];
const read = (dir: string) => Object.fromEntries(FILES.map((f) => [f, readFileSync(join(dir, f), 'utf8')]));

describe.skipIf(!haveAlsa)('Fig. 10 evaluation on a few real clips', () => {
  let a: Fig10Run;
  let b: Fig10Run;
  beforeAll(async () => {
    rmSync(TMP, { recursive: true, force: true });
    mkdirSync(CLIPS, { recursive: true });
    // manifest entries may be absolute paths: calib on two words that are no KWT keyword, eval on "left" and "right"
    const clip = (f: string, label: string, split: string) => ({ file: join(ALSA, `${f}.wav`), label, split });
    writeFileSync(
      join(CLIPS, 'manifest.json'),
      JSON.stringify({
        clips: [
          clip('Front_Center', 'unknown', 'calib'),
          clip('Rear_Center', 'unknown', 'calib'),
          clip('Front_Left', 'left', 'eval'),
          clip('Front_Right', 'right', 'eval'),
        ],
      }),
    );
    const opts = { clipsDir: CLIPS, cfg: PRESETS.kwt1, progress: false };
    a = await runFig10({ ...opts, outDir: join(TMP, 'out-a'), jobs: 1 });
    b = await runFig10({ ...opts, outDir: join(TMP, 'out-b'), jobs: 2 });
  });

  it('selects every key at p = 0 and fewer keys at every larger p, in both models', () => {
    const r = a.result;
    expect(r.ps).toEqual(FIG10_PS);
    for (const m of ['float', 'fixed'] as const) {
      expect(r[m][0].selected).toBe(1);
      expect(r[m][0].selectedPerLayer).toEqual(new Array(12).fill(1));
      expect(r[m][0].emptyQueries).toBe(0);
      for (let j = 1; j < r.ps.length; j++) expect(r[m][j].selected).toBeLessThan(r[m][j - 1].selected);
      // layer 0 sees the same Q, K in every run, so its selection can only shrink as t grows
      for (let j = 1; j < r.ps.length; j++)
        expect(r[m][j].selectedPerLayer[0]).toBeLessThanOrEqual(r[m][j - 1].selectedPerLayer[0]);
    }
  });

  it('learns t = -2 at p = 0 and thresholds that never decrease with p', () => {
    const th = a.result.thresholds;
    for (let l = 0; l < 12; l++) {
      const ts = FIG10_PS.map((p) => th[String(p)][layerKey(l)]);
      expect(ts[0]).toBe(-2);
      for (let j = 1; j < ts.length; j++) {
        expect(ts[j]).toBeGreaterThanOrEqual(ts[j - 1]);
        expect(Math.abs(ts[j])).toBeLessThanOrEqual(1);
      }
    }
  });

  it('at p = 0 both ELSA models predict what the exact model predicts (fixed point: quantisation only)', () => {
    const r = a.result;
    expect(r.fixed[0].agree).toBe(1);
    expect(r.float[0].agree).toBe(1);
    expect(r.perClip.map((c) => c.fixed[0])).toEqual(r.perClip.map((c) => c.exact));
    expect(r.exact.selected).toBe(1);
    expect(r.perClip.map((c) => c.file)).toEqual([join(ALSA, 'Front_Left.wav'), join(ALSA, 'Front_Right.wav')]);
  });

  it('writes table.md, results.json, fig10.svg, identical across runs and across job counts', () => {
    const fa = read(join(TMP, 'out-a'));
    expect(fa).toEqual(read(join(TMP, 'out-b')));
    expect(b.result).toEqual(a.result);
    expect(fa['fig10.svg']).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    // Vega-Lite: one line mark per series (2 in the keys panel, 5 in the accuracy panel)
    expect(fa['fig10.svg'].match(/<g class="mark-line role-mark/g)?.length).toBe(7);
    expect(fa['fig10.svg'].trimEnd().endsWith('</svg>')).toBe(true);
    for (const p of FIG10_PS) expect(fa['table.md']).toMatch(new RegExp(`^\\| ${p} \\| `, 'm'));
    expect(JSON.parse(fa['results.json'])).toEqual(JSON.parse(JSON.stringify(a.result)));
    expect(readFileSync(join(TMP, 'out-a', 'results.json'), 'utf8')).not.toMatch(/\.tmp-/);
  });

  it('the curve: top-m keeps m/n of the keys and never an empty set; the fallback leaves no query empty', () => {
    const c = a.curve!;
    expect(b.curve).toEqual(c);
    const rules = new Set(c.points.map((p) => p.rule));
    expect([...rules]).toEqual(['paper', 'paper-fallback', 'top-m-estimate', 'top-m-oracle']);
    for (const p of c.points) {
      if (p.rule.startsWith('top-m')) expect(p.keys).toBeCloseTo(mOf(p.knob, 99) / 99, 6);
      if (p.rule !== 'paper') expect(p.emptyQueries).toBe(0);
    }
    // the curve's paper rule at a Fig. 10 p is the same run as Fig. 10's float model
    const j = a.result.ps.indexOf(1);
    const p1 = c.points.find((p) => p.rule === 'paper' && p.knob === 1)!;
    expect(p1.keys).toBe(a.result.float[j].selected);
    expect(p1.top1).toBe(a.result.float[j].top1);
    const fa = read(join(TMP, 'out-a'));
    expect(fa['curve.svg'].match(/<g class="mark-line role-mark/g)?.length).toBe(5);
    expect(fa['curve.csv'].split('\n')[0]).toBe('rule,knob,keys,top1,correct,agree,empty_queries');
    expect(fa['curve.md']).toMatch(/^At m = 40% of n: /m);
  });

  it('calibrate --max-loss: an unmissable target takes the most aggressive setting in every layer', async () => {
    const all = loadManifest(CLIPS);
    const calib = splitClips(all, 'calib', CLIPS);
    const D = resolveConfig(PRESETS.kwt1);
    const set = collectCalibration(KwtModel.load(), calib, { progress: false });
    const pool = new EvalPool(D.cfg, 1);
    try {
      const evalClips = splitClips(all, 'eval', CLIPS);
      const r = await searchMaxLoss({ D, rule: 'top-m', target: 100, set, calib, evalClips, pool, progress: false });
      expect(r.tests).toBe(12);
      expect(r.settings.map((s) => s.value)).toEqual(new Array(12).fill(mOf(MAXLOSS_FRACTIONS[0], 99)));
      expect(r.eval.keys).toBeCloseTo(mOf(MAXLOSS_FRACTIONS[0], 99) / 99, 6);
      expect(r.calib.loss).toBeLessThanOrEqual(100);
      // every layer visited once, most tolerant first
      const tol = r.settings.map((s) => s.tolerance);
      expect(tol.every((t) => t > 0 && t <= 1)).toBe(true);
    } finally {
      pool.close();
    }
  });

  it('calibrate gives the evaluation’s thresholds, and a config file that loads with them', () => {
    const clips = splitClips(loadManifest(CLIPS), 'calib', CLIPS);
    const t = calibrate(clips, 1, { progress: false });
    expect(t).toEqual(a.result.thresholds['1']);
    const D = resolveConfig(PRESETS.kwt1);
    const text = calibratedConfigJson(D, t);
    expect(text).toMatch(/^ {4}"layer0": -?\d\.\d{6},$/m);
    const keys = Object.keys(JSON.parse(text));
    expect(keys).toEqual([...keys].sort());
    const file = join(TMP, 'kwt1-p1.json');
    writeFileSync(file, text);
    const back = loadConfig(file);
    expect(back.cfg.thresholds).toEqual(t);
    expect(back.hwHash).toBe(D.hwHash);
  });
});

describe('calibrate / evaluate command errors', () => {
  const BIN = join(REPO_ROOT, 'bin', 'elsa-gen.js');
  const cli = (args: string[]) => execa(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, reject: false });
  it('one line and exit code 2 for a bad p, a missing clip folder, a non-KWT config', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['calibrate', '--p', 'abc'],
        /^elsa-gen: option '--p <p>' argument 'abc' is invalid\. Expected a number from 0 to 1000\. \(see --help\)$/,
      ],
      [
        ['calibrate', '--p', '-1'],
        /^elsa-gen: option '--p <p>' argument '-1' is invalid\. Expected a number from 0 to 1000\. \(see --help\)$/,
      ],
      [
        ['evaluate', '--clips', 'build/no-such-clips'],
        new RegExp(
          /^elsa-gen: no clip manifest at .*no-such-clips\/manifest\.json /.source +
            /\(make the clips first: scripts\/make-clips\.sh build\/no-such-clips\)$/.source,
        ),
      ],
      [
        ['calibrate', '--p', '1', '--max-loss', '1'],
        /^elsa-gen: calibrate needs exactly one of --p <p> and --max-loss <points>$/,
      ],
      [['calibrate'], /^elsa-gen: calibrate needs exactly one of --p <p> and --max-loss <points>$/],
      [
        ['calibrate', '--max-loss', '1', '--rule', 'best'],
        /^elsa-gen: --rule must be 'threshold' or 'top-m', not 'best'$/,
      ],
      [
        ['calibrate', '--max-loss', '-3'],
        new RegExp(
          /^elsa-gen: option '--max-loss <points>' argument '-3' is invalid\. /.source +
            /Expected a number from 0 to 100\. \(see --help\)$/.source,
        ),
      ],
      [
        ['calibrate', 'small', '--p', '1'],
        /^elsa-gen: config small: KWT-1 needs d = 64, not 16 \(use the kwt1 preset\)$/,
      ],
    ];
    const rs = await Promise.all(cases.map(([args]) => cli(args)));
    rs.forEach((r, i) => {
      expect(r.exitCode).toBe(2);
      expect(r.stderr.trim()).toMatch(cases[i][1]);
    });
  });
});
