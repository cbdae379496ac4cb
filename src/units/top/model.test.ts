// elsaFixedOut (the evaluations' fast path) and elsaFixedRun (the stimulus's) against elsaFixed (the RTL's
// reference), bit for bit.
import { describe, expect, it } from 'vitest';
import { PRESETS, resolveConfig } from '../../gen/config.ts';
import { MATRIX } from '../../gen/matrix.ts';
import { Rng } from '../../spec/rng.ts';
import { elsaFixed, elsaFixedOut, elsaFixedRun, mulRoundShift, quantize, quantizer } from './model.ts';

const byName = (name: string) => MATRIX.find((c) => c.name === name)!;
const configs = [PRESETS.small, PRESETS.kwt1, byName('m_d48_k48'), byName('m_topm_d16'), byName('m_best_d16')].map(
  (c) => resolveConfig(c),
);

describe('elsaFixedOut = elsaFixedRun = elsaFixed', () => {
  it.each(configs.map((D) => [D.cfg.name, D] as const))('%s: outputs and candidate counts', (_n, D) => {
    const rng = new Rng(13);
    const lim = 2 ** (D.qkv.bits - 1);
    let partial = 0;
    const tW = D.candSel.threshold.bits;
    for (let trial = 0; trial < 14; trial++) {
      const n = 1 + Math.floor(rng.next() * D.cfg.nMax);
      // small values, full-range values (saturating exponents and products), and all-zero keys
      const scale = [0.05, 0.3, 1][trial % 3]!;
      const row = () =>
        Array.from({ length: D.cfg.d }, () =>
          trial % 5 === 4 ? 0 : Math.max(-lim, Math.min(lim - 1, Math.round((rng.next() * 2 - 1) * lim * scale))),
        );
      const K = Array.from({ length: n }, row);
      const V = Array.from({ length: n }, row);
      const Q = Array.from({ length: n }, row);
      // the last two: every key selected (t = -2) and a threshold above every estimate (uniform bank masks)
      const tRand = Math.round((rng.next() * 2 - 0.5) * 2 ** D.candSel.simFrac);
      const tQ = trial === 12 ? -(2 ** (tW - 1)) : trial === 13 ? 2 ** (tW - 1) - 1 : tRand;
      const m = 1 + Math.floor(rng.next() * n);
      const ref = elsaFixed(D, K, V, Q, tQ, m);
      const got = elsaFixedOut(D, K, V, Q, tQ, m);
      expect(got.out.map((r) => Array.from(r))).toEqual(ref.out);
      const counts = ref.queries.map((q) => q.candidates.filter(Boolean).length);
      expect(Array.from(got.selected)).toEqual(counts);
      // the stimulus's fields: outputs, max‖k‖, candidates and every bank's run (the cycle model's input)
      const run = elsaFixedRun(D, K, V, Q, tQ, m);
      expect(run.out).toEqual(ref.out);
      expect(run.maxNorm).toBe(ref.maxNorm);
      expect(run.queries).toEqual(
        ref.queries.map((q) => ({ candidates: q.candidates, banks: q.banks.map(({ partial: _p, ...b }) => b) })),
      );
      partial += counts.filter((c) => c > 0 && c < n).length;
    }
    expect(partial).toBeGreaterThan(0);
  });
});

describe('quantizer = quantize', () => {
  it.each(configs.map((D) => [D.cfg.name, D] as const))('%s: ties, saturation, signs', (_n, D) => {
    const q = quantizer(D);
    const rng = new Rng(7);
    const ulp = 2 ** -D.qkv.frac;
    const top = 2 ** (D.qkv.bits - 1 - D.qkv.frac);
    const xs = [0, -0, ulp / 2, -ulp / 2, 1.5 * ulp, -1.5 * ulp, 1e9, -1e9, top, -top, top - ulp / 2];
    for (let i = 0; i < 2000; i++) xs.push((rng.next() * 2 - 1) * 2 * top);
    for (const x of xs) expect(Object.is(q(x), quantize(x, D)), String(x)).toBe(true);
  });
});

describe('mulRoundShift = the BigInt rounding shift of outputDivision', () => {
  it('small, split and BigInt ranges, both signs', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 20000; i++) {
      const x = Math.round((rng.next() * 2 - 1) * 2 ** (10 + Math.floor(rng.next() * 42)));
      const r = Math.floor(rng.next() * 2 ** (1 + Math.floor(rng.next() * 24)));
      const s = 1 + Math.floor(rng.next() * 60);
      const ref = Number((BigInt(x) * BigInt(r) + (1n << BigInt(s - 1))) >> BigInt(s));
      expect(mulRoundShift(x, r, s), `${x} ${r} ${s}`).toBe(ref);
    }
  });
});
