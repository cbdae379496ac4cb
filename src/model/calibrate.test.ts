// The threshold-learning rule (docs/spec.md §1.3, paper III-E) on hand-made examples whose answers are
// derived by hand in the comments, plus two properties of the rule on random inputs.
import { describe, expect, it } from 'vitest';
import { learnThreshold, queryThresholdSample } from './calibrate.ts';
import { Rng } from '../spec/rng.ts';

const { log, sqrt } = Math;

describe('queryThresholdSample: one query', () => {
  // q = (3, 4), ‖q‖ = 5; keys e1, e2, 0: raw scores 3, 4, 0; max‖k‖ = 1.
  // softmax (scale 1): e^3, e^4, 1 = 20.09, 54.60, 1 over 75.68 → s' = 0.2654, 0.7214, 0.0132; n = 3.
  const q = [3, 4];
  const K = [
    [1, 0],
    [0, 1],
    [0, 0],
  ];
  it('keeps s′ > p/n and takes the kept key with the smallest s′, divided by ‖q‖·max‖k‖', () => {
    // p = 0.5: p/n = 0.1667 keeps keys 0 and 1; the smaller s′ is key 0, raw 3 → 3 / (5·1)
    expect(queryThresholdSample(q, K, 1, 0.5)).toBeCloseTo(0.6, 12);
    // p = 1: p/n = 0.3333 keeps key 1 only → 4 / 5
    expect(queryThresholdSample(q, K, 1, 1)).toBeCloseTo(0.8, 12);
    // p = 0.01: p/n = 0.0033 keeps all three; the smallest s′ is the zero key, raw 0 → 0
    expect(queryThresholdSample(q, K, 1, 0.01)).toBe(0);
  });
  it('falls back to the key with the largest score when no key exceeds p/n', () => {
    // p = 2.5: p/n = 0.8333 > 0.7214 keeps nothing → largest score, key 1: 4 / 5
    expect(queryThresholdSample(q, K, 1, 2.5)).toBeCloseTo(0.8, 12);
    // p = 30: p/n = 10, impossible for a probability → still key 1
    expect(queryThresholdSample(q, K, 1, 30)).toBeCloseTo(0.8, 12);
  });
  it('divides by the largest key norm even when that key is not the one picked', () => {
    // q = (1, 0), keys (2, 0) and (0, 10): raw 2, 0; max‖k‖ = 10; s′ = e²/(e²+1) = 0.881, 0.119; n = 2
    const K2 = [
      [2, 0],
      [0, 10],
    ];
    // p = 0.5: p/n = 0.25 keeps key 0 → 2 / (1·10)
    expect(queryThresholdSample([1, 0], K2, 1, 0.5)).toBeCloseTo(0.2, 12);
    // p = 0.1: p/n = 0.05 keeps both; smaller s′ is key 1, raw 0 → 0
    expect(queryThresholdSample([1, 0], K2, 1, 0.1)).toBe(0);
  });
  it('selects by the scaled softmax but returns the raw score', () => {
    // q = (1, 0), keys (ln 6, 0), (ln 3, 0), 0: raw ln 6, ln 3, 0; ‖q‖ = 1, max‖k‖ = ln 6; n = 3
    const K3 = [
      [log(6), 0],
      [log(3), 0],
      [0, 0],
    ];
    // scale 1: s′ = 6/10, 3/10, 1/10. p = 0.5 (1/6) keeps 0.6, 0.3 → key 1 → ln 3 / ln 6
    expect(queryThresholdSample([1, 0], K3, 1, 0.5)).toBeCloseTo(log(3) / log(6), 12);
    // p = 0.95 (0.3167) keeps 0.6 only → key 0 → 1
    expect(queryThresholdSample([1, 0], K3, 1, 0.95)).toBeCloseTo(1, 12);
    // scale 1/2: weights √6, √3, 1 → s′ = 0.4727, 0.3343, 0.1930; p = 0.95 (0.3167) keeps keys 0, 1
    // → key 1 again: ln 3 / ln 6 (the raw score, not the scaled one)
    expect(queryThresholdSample([1, 0], K3, 0.5, 0.95)).toBeCloseTo(log(3) / log(6), 12);
    expect(sqrt(3) / (sqrt(6) + sqrt(3) + 1)).toBeGreaterThan(0.95 / 3); // the hand derivation's margin
  });
  it('a negative raw score gives a negative sample', () => {
    // q = (1, 0), keys (-1, 0), (2, 0): raw -1, 2; s′ = e^-1/(e^-1+e^2) = 0.0474, 0.9526; n = 2, max‖k‖ = 2
    // p = 0.05: p/n = 0.025 keeps both → key 0 → -1 / (1·2)
    expect(
      queryThresholdSample(
        [1, 0],
        [
          [-1, 0],
          [2, 0],
        ],
        1,
        0.05,
      ),
    ).toBeCloseTo(-0.5, 12);
  });
  it('a zero query (no direction) gives 0', () => {
    expect(queryThresholdSample([0, 0], K, 1, 1)).toBe(0);
  });
});

describe('learnThreshold: the layer average', () => {
  // input A: q = (3, 4) on the keys above → 0.6 at p = 0.5.
  // input B: keys (2, 0), (0, 10): q = (1, 0) → 0.2 (above); q = (0, 1): raw 0, 10, s′ ≈ 0, 1 keeps key 1 → 10/10 = 1.
  const A = {
    Q: [[3, 4]],
    K: [
      [1, 0],
      [0, 1],
      [0, 0],
    ],
  };
  const B = {
    Q: [
      [1, 0],
      [0, 1],
      [1, 0],
    ],
    K: [
      [2, 0],
      [0, 10],
    ],
  };
  it('averages over every query of every input (not input by input)', () => {
    // per query: (0.6 + 0.2 + 1 + 0.2) / 4 = 0.5   (input by input would give (0.6 + 1.4/3) / 2 = 0.5333)
    expect(learnThreshold([A, B], 1, 0.5)).toBeCloseTo(0.5, 12);
    expect(learnThreshold([B], 1, 0.5)).toBeCloseTo(1.4 / 3, 12);
  });
  it('p = 0 means exact attention: t = -2 (select every key), whatever the inputs', () => {
    expect(learnThreshold([A, B], 1, 0)).toBe(-2);
    expect(learnThreshold([], 1, 0)).toBe(-2);
  });
  it('no calibration queries: t = -2 (nothing learned, nothing skipped)', () => {
    expect(learnThreshold([], 1, 1)).toBe(-2);
  });
});

describe('properties on random inputs', () => {
  const rng = new Rng(7);
  const randM = (n: number, d: number) =>
    Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));
  it('every sample lies in [-1, 1] (Cauchy–Schwarz) and never decreases as p grows', () => {
    const ps = [0.01, 0.25, 0.5, 1, 2, 4, 8, 64];
    for (let trial = 0; trial < 40; trial++) {
      const n = 2 + (trial % 9);
      const K = randM(n, 8);
      const q = randM(1, 8)[0];
      const s = ps.map((p) => queryThresholdSample(q, K, 0.7, p));
      for (const x of s) expect(Math.abs(x)).toBeLessThanOrEqual(1 + 1e-12);
      for (let i = 1; i < s.length; i++) expect(s[i]).toBeGreaterThanOrEqual(s[i - 1] - 1e-12);
      // large p: nothing passes p/n, so the sample is the largest score's
      const raw = K.map((k) => k.reduce((a, x, i) => a + x * q[i], 0));
      const nq = Math.hypot(...q);
      const mk = Math.max(...K.map((k) => Math.hypot(...k)));
      expect(s[s.length - 1]).toBeCloseTo(Math.max(...raw) / (nq * mk), 12);
    }
  });
  it('the layer threshold therefore never decreases with p', () => {
    const inputs = Array.from({ length: 3 }, () => ({ Q: randM(5, 8), K: randM(6, 8) }));
    const ts = [0, 0.5, 1, 2, 4].map((p) => learnThreshold(inputs, 0.35, p));
    expect(ts[0]).toBe(-2);
    for (let i = 1; i < ts.length; i++) expect(ts[i]).toBeGreaterThanOrEqual(ts[i - 1]);
  });
});
