// The exp unit's model against exp() (contract: ./README.md).
import { describe, expect, it } from 'vitest';
import { PRESETS, resolveConfig } from '../../gen/config.ts';
import { expUnit } from './model.ts';

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
