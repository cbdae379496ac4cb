// packHex (the stimulus's hex words without BigInt) against packBus, the BigInt reference.
import { describe, expect, it } from 'vitest';
import { Rng } from '../spec/rng.ts';
import { packBus, packHex } from './trace.ts';

describe('packHex = packBus(...).toString(16)', () => {
  it('widths 1..40, signed and unsigned values, wrapped out-of-range values, empty and zero buses', () => {
    const rng = new Rng(11);
    for (let t = 0; t < 3000; t++) {
      const w = 1 + (t % 40);
      const n = t % 97 === 0 ? 0 : 1 + Math.floor(rng.next() * 80);
      const span = 2 ** Math.min(w + (t % 3 === 0 ? 2 : 0), 52);
      const xs = Array.from({ length: n }, () =>
        t % 7 === 0 ? 0 : Math.round((rng.next() * 2 - 1) * (t % 2 ? span / 2 : span)),
      );
      expect(packHex(xs, w), `w=${w} ${xs.join(',')}`).toBe(packBus(xs, w).toString(16));
    }
  });
});
