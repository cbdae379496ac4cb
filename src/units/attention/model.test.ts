// The exp unit's model against exp() (contract: ./README.md).
import { describe, expect, it } from 'vitest';
import { PRESETS, resolveConfig } from '../../gen/config.ts';
import { expUnit, pairStep } from './model.ts';

const small = resolveConfig(PRESETS.small);

describe('exp unit model', () => {
  it('exp unit: relative error within the table resolution', () => {
    for (let s = -3000; s <= 3000; s += 7) {
      const x = expUnit(small, s);
      const got = (2 ** small.attention.exp.mantissaFrac + x.m) * 2 ** (x.e - small.attention.exp.mantissaFrac);
      const want = Math.exp((s * small.attention.scoreScale) / 2 ** (2 * small.qkv.frac));
      expect(Math.abs(got / want - 1)).toBeLessThan(2 ** -small.attention.exp.mantissaFrac * 1.1);
    }
  });
});

describe('two steps at once (pipeline.acc = 3)', () => {
  // Every A, t1, t2 of a W-bit lane and every pair of shifts up to W + 2 whose two single steps stay in range:
  // pairStep with the shifts clamped as the RTL clamps them equals the two floor steps of accumulate().
  const cases = (W: number, signed: boolean) => {
    const lo = signed ? -(2 ** (W - 1)) : 0;
    const hi = signed ? 2 ** (W - 1) - 1 : 2 ** W - 1;
    const out: { A: bigint; t1: bigint; t2: bigint; a1: number; a2: number; want: bigint }[] = [];
    for (let A = lo; A <= hi; A++)
      for (let t1 = lo; t1 <= hi; t1++)
        for (let t2 = lo; t2 <= hi; t2++)
          for (let a1 = 0; a1 <= W + 2; a1++)
            for (let a2 = 0; a2 <= W + 2; a2++) {
              const A1 = (BigInt(A) >> BigInt(a1)) + BigInt(t1);
              const A2 = (A1 >> BigInt(a2)) + BigInt(t2);
              if (A1 >= lo && A1 <= hi && A2 >= lo && A2 <= hi)
                out.push({ A: BigInt(A), t1: BigInt(t1), t2: BigInt(t2), a1, a2, want: A2 });
            }
    return out;
  };
  it.each([
    [4, true],
    [4, false],
  ] as const)('W = %i, signed %s: exact with the clamped shifts; the lost carry and the clamp matter', (W, signed) => {
    const max = signed ? W - 1 : W;
    let wrong = 0,
      carry = 0,
      unclamped = 0;
    for (const x of cases(W, signed)) {
      if (pairStep(x.A, x.t1, x.t2, Math.min(x.a1, max), Math.min(x.a2, max), W, signed) !== x.want) wrong++;
      // without the carry of the low halves: the two shifts and both terms alone
      if ((x.A >> BigInt(x.a1 + x.a2)) + (x.t1 >> BigInt(x.a2)) + x.t2 !== x.want) carry++;
      if (x.a2 > max && pairStep(x.A, x.t1, x.t2, x.a1, x.a2, W, signed) !== x.want) unclamped++;
    }
    expect(wrong).toBe(0);
    expect(carry).toBeGreaterThan(100);
    // a signed lane's frame breaks for a2 > W - 1 (an unsigned one only loses bits of a term that floors to 0)
    if (signed) expect(unclamped).toBeGreaterThan(10);
  });
});
