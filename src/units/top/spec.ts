// Spec slice of the top level (templates/elsa_top.v.ejs): runtime n and the bank of a key.
// Contract: src/units/top/README.md.
import type { ElsaConfig } from '../../spec/schema.ts';
import { width, type Width } from '../../spec/width.ts';

export interface TopSpec {
  /** Runtime n, 0..nMax. */
  n: Width;
  /** Bank of a key, y mod pA. */
  bankSelect: Width;
}

export const topSpec = (c: ElsaConfig): TopSpec => ({
  n: width.forMax('N_W', c.nMax, 'runtime n, 0..nMax'),
  bankSelect: width.index('BANK_SEL_W', c.pA, 'bank of a key, y mod pA'),
});
