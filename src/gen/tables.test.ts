// Every table the design spec builds (src/units/*/spec.ts; read by both the RTL templates and the fixed-point
// model, so no other test can catch a wrong entry) against its formula, computed here a second, independent way: exact
// integer arithmetic for the reciprocal, sin for cos, exp(x·ln 2) for 2^x, round half up by floor(x + 1/2).
import { describe, expect, it } from 'vitest';
import { PRESETS, resolveConfig } from './config.ts';
import { MATRIX } from './matrix.ts';
import type { ElsaConfigInput } from '../spec/schema.ts';

const roundHalfUp = (x: number) => Math.floor(x + 0.5);
const small = PRESETS.small;
const configs: ElsaConfigInput[] = [
  ...Object.values(PRESETS),
  ...MATRIX,
  { ...small, name: 'f1', formats: { simFrac: 5, recipIndexBits: 3, recipFrac: 8, expFracBits: 3 } },
  { ...small, name: 'f2', formats: { simFrac: 12, recipIndexBits: 8, recipFrac: 16, expFracBits: 8 } },
  { ...small, name: 'f3', thetaBias: 0, k: 32, formats: { expFracBits: 2, recipIndexBits: 2, recipFrac: 4 } },
];

/** The formulas of README "Fixed-point choices", independently. */
function expected(c: ElsaConfigInput) {
  const D = resolveConfig(c);
  const k = D.cfg.k,
    th = D.candSel.thetaBias,
    sF = D.cfg.formats.simFrac;
  const cos = Array.from({ length: k + 1 }, (_, h) =>
    roundHalfUp(Math.sin(Math.PI / 2 - Math.max(0, (Math.PI * h) / k - th)) * 2 ** sF),
  );
  const mF = D.cfg.formats.expFracBits,
    M = 2 ** mF;
  const exp = Array.from({ length: M }, (_, i) => Math.min(M - 1, roundHalfUp(M * (Math.exp((i / M) * Math.LN2) - 1))));
  const I = D.cfg.formats.recipIndexBits,
    F = D.cfg.formats.recipFrac;
  // round(2^F / (1 + i/2^I)) = floor((2·2^(F+I) + (2^I + i)) / (2·(2^I + i))), exactly
  const recip = Array.from({ length: 2 ** I }, (_, i) => {
    const num = 1n << BigInt(F + I),
      den = (1n << BigInt(I)) + BigInt(i);
    return Number((2n * num + den) / (2n * den));
  });
  // floor instead of round: what a broken table would hold (to show the comparison can fail)
  const floors = {
    cos: cos.map((_, h) => Math.floor(Math.sin(Math.PI / 2 - Math.max(0, (Math.PI * h) / k - th)) * 2 ** sF)),
    recip: recip.map((_, i) => Math.floor(2 ** F / (1 + i / 2 ** I))),
    exp: exp.map((_, i) => Math.min(M - 1, Math.floor(M * (2 ** (i / M) - 1)))),
  };
  return { D, cos, exp, recip, floors };
}

describe.each(configs.map((c) => [c.name, c] as const))('derived tables, config %s', (_n, c) => {
  const { D, cos, exp, recip } = expected(c);
  it('cos table: round(cos(max(0, π·h/k − θ_bias))·2^simFrac), k + 1 entries', () =>
    expect(D.candSel.cosTable).toEqual(cos));
  it('exp table: min(2^m − 1, round(2^m·(2^(i/2^m) − 1))), 2^m entries', () =>
    expect(D.attention.exp.table).toEqual(exp));
  it('reciprocal table: round(2^recipFrac / (1 + i/2^recipIndexBits)), 2^recipIndexBits entries', () =>
    expect(D.outputDiv.recipTable).toEqual(recip));
  it('exp constant: round(scoreScale·log2(e)·2^expConstFrac)', () => {
    const s = typeof c.scoreScale === 'number' ? c.scoreScale : 1 / Math.sqrt(D.cfg.d);
    expect(D.attention.exp.constant).toBe(roundHalfUp((s / Math.LN2) * 2 ** D.cfg.formats.expConstFrac));
  });
});

describe('the table checks can fail', () => {
  it('floor instead of round differs from the expected tables in every kind of table', () => {
    const all = configs.map(expected);
    for (const t of ['cos', 'exp', 'recip'] as const)
      expect(
        all.some((e) => e.floors[t].join() !== e[t].join()),
        t,
      ).toBe(true);
  });
});
