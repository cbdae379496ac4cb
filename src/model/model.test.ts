// The reference models: θ_bias reproduces the paper and the fixed-point model tracks the float models
// within stated bounds.
import { describe, expect, it } from 'vitest';
import { PRESETS, resolveConfig } from '../gen/config.ts';
import { Rng } from '../spec/rng.ts';
import { angleErrors, estimateThetaBias, percentile } from '../spec/theta.ts';
import { hashFixed } from '../units/hash/model.ts';
import { quantizeRows } from '../units/top/model.ts';
import { elsaFixedModel, elsaFloatModel, exactModel } from './models.ts';
import { dot, elsaFloatSelecting, hashFloat, norm2, softmaxAttend, topIndices } from './float.ts';

const paper = resolveConfig(PRESETS.paper);
const randM = (rng: Rng, n: number, d: number, s = 1.5) =>
  Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal() * s));
const maxAbs = (a: number[][], b: number[][]) =>
  Math.max(...a.flatMap((r, i) => r.map((x, j) => Math.abs(x - b[i][j]))));
const meanAbs = (a: number[][], b: number[][]) =>
  a.flatMap((r, i) => r.map((x, j) => Math.abs(x - b[i][j]))).reduce((s, x, _i, arr) => s + x / arr.length, 0);

describe('hash angle estimate (docs/spec.md §1.2)', () => {
  it('θ_bias for d = k = 64 reproduces the paper’s 0.127 rad', () => {
    expect(Math.abs(estimateThetaBias(64, 64) - 0.127)).toBeLessThan(0.006);
  });
  it('the raw estimate is nearly unbiased and its error shrinks with more hash bits', () => {
    const e64 = angleErrors(64, 64, 11, 8, 300);
    const e128 = angleErrors(64, 128, 11, 8, 300);
    expect(Math.abs(e64.reduce((s, x) => s + x, 0) / e64.length)).toBeLessThan(0.02);
    expect(percentile(e128, 0.8)).toBeLessThan(percentile(e64, 0.8));
  });
  it('the quantised hash matrix gives the same bits as the real one on most projections', () => {
    const rng = new Rng(4);
    let agree = 0,
      total = 0;
    for (const x of quantizeRows(randM(rng, 50, 64), paper)) {
      const hf = hashFloat(paper, x),
        hq = hashFixed(paper, x);
      agree += hf.filter((b, i) => b === hq[i]).length;
      total += hf.length;
    }
    expect(agree / total).toBeGreaterThan(0.97);
  });
});

describe('fixed-point model against the float models', () => {
  const rng = new Rng(21);
  const n = 64,
    d = 64;
  const D = resolveConfig({ ...PRESETS.paper, name: 'p64', nMax: 64 });
  const Q = randM(rng, n, d),
    K = randM(rng, n, d),
    V = randM(rng, n, d);
  const exact = exactModel(D).attend(Q, K, V, -2).out;
  it('p = 0 selects every key and matches exact attention within the quantisation bound', () => {
    const fx = elsaFixedModel(D).attend(Q, K, V, -2);
    expect(fx.candidates.flat().every(Boolean)).toBe(true);
    // inputs are rounded to 1/8 and outputs to 1/8: a few output LSBs at worst, about half an LSB on average
    expect(maxAbs(fx.out, exact)).toBeLessThan(0.35);
    expect(meanAbs(fx.out, exact)).toBeLessThan(0.06);
  });
  it('with the same candidates, fixed-point softmax tracks float softmax', () => {
    const fx = elsaFixedModel(D).attend(Q, K, V, 0.25);
    const fl = Q.map((q, x) => softmaxAttend(q, K, V, D.attention.scoreScale, fx.candidates[x]));
    expect(maxAbs(fx.out, fl)).toBeLessThan(0.4);
    expect(meanAbs(fx.out, fl)).toBeLessThan(0.07);
  });
  it('fixed and float ELSA select nearly the same keys', () => {
    for (const t of [0.1, 0.3]) {
      const a = elsaFixedModel(D).attend(Q, K, V, t).candidates.flat();
      const b = elsaFloatModel(D).attend(Q, K, V, t).candidates.flat();
      // keys near the threshold flip with input quantisation (1/8 steps) and 6-bit hash coefficients
      expect(a.filter((x, i) => x !== b[i]).length / a.length).toBeLessThan(0.12);
    }
  });
  it('the selected fraction falls as t rises', () => {
    const frac = (t: number) => elsaFixedModel(D).attend(Q, K, V, t).candidates.flat().filter(Boolean).length / (n * n);
    const f = [-2, 0, 0.2, 0.4, 1.5].map(frac);
    for (let i = 1; i < f.length; i++) expect(f[i]).toBeLessThanOrEqual(f[i - 1]);
    expect(f[0]).toBe(1);
    expect(f[4]).toBe(0);
  });
});

describe('float ELSA selection rules (per-query top-m, oracle, empty-set fallback)', () => {
  const rng = new Rng(33);
  const n = 40,
    d = 64;
  const D = resolveConfig({ ...PRESETS.paper, name: 'p40', nMax: 64 });
  const Q = randM(rng, n, d),
    K = randM(rng, n, d),
    V = randM(rng, n, d);
  const model = elsaFloatSelecting(D);
  /** ELSA's estimate for query q and key y, recomputed from the exported pieces */
  const estimate = (q: number[], y: number) => {
    const hq = hashFloat(D, q);
    const hk = hashFloat(D, K[y]);
    const ham = hq.reduce((s, b, i) => s + (b ^ hk[i]), 0);
    return norm2(K[y]) * Math.cos(Math.max(0, (Math.PI * ham) / D.cfg.k - D.candSel.thetaBias));
  };
  it('top indices: largest first, ties to the lower index', () => {
    expect(topIndices([1, 3, 3, 2, 3], 2)).toEqual([1, 2]);
    expect(topIndices([1, 3, 3, 2, 3], 9)).toEqual([1, 2, 4, 3, 0]);
    expect(topIndices([5], 0)).toEqual([]);
  });
  it('top-m on the estimate keeps exactly m keys per query, none with a lower estimate than a dropped one', () => {
    for (const m of [1, 7, 20, n]) {
      const c = model.select(Q, K, { kind: 'top-m', m });
      c.forEach((row, x) => {
        expect(row.filter(Boolean).length).toBe(m);
        const kept = row.flatMap((b, y) => (b ? [estimate(Q[x], y)] : []));
        const dropped = row.flatMap((b, y) => (b ? [] : [estimate(Q[x], y)]));
        if (dropped.length) expect(Math.min(...kept)).toBeGreaterThanOrEqual(Math.max(...dropped));
      });
    }
  });
  it('the oracle keeps the m largest exact scores q·k', () => {
    const c = model.select(Q, K, { kind: 'top-m', m: 10, oracle: true });
    c.forEach((row, x) => {
      const s = K.map((k) => dot(Q[x], k));
      const cut = [...s].sort((a, b) => b - a)[9];
      row.forEach((b, y) => expect(b).toBe(s[y] >= cut));
    });
  });
  it('threshold rule: the same keys as elsaFloatModel; with fallback an empty set keeps its best-estimate key', () => {
    expect(model.select(Q, K, { kind: 'threshold', t: 0.3 })).toEqual(
      elsaFloatModel(D).attend(Q, K, V, 0.3).candidates,
    );
    const none = model.select(Q, K, { kind: 'threshold', t: 1.99 });
    expect(none.flat().some(Boolean)).toBe(false);
    const fb = model.attend(Q, K, V, { kind: 'threshold', t: 1.99, fallback: true });
    fb.candidates.forEach((row, x) => {
      expect(row.filter(Boolean).length).toBe(1);
      const e = K.map((_, y) => estimate(Q[x], y));
      expect(row.indexOf(true)).toBe(e.indexOf(Math.max(...e)));
      // softmax over one key: that key's value row
      expect(fb.out[x]).toEqual(V[row.indexOf(true)]);
    });
    // where the rule selects something, the fallback changes nothing
    expect(model.select(Q, K, { kind: 'threshold', t: 0.3, fallback: true })).toEqual(
      model.select(Q, K, { kind: 'threshold', t: 0.3 }),
    );
  });
});
