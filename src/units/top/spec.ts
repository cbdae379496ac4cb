// Spec slice of the top level (templates/elsa_top.v.ejs): runtime n, the bank of a key, the cycle
// counters and the design constants the top level's buses are sized by.
// Contract: src/units/top/README.md.
import type { ElsaConfig } from '../../spec/schema.ts';
import { width, type Width } from '../../spec/width.ts';

/** A design constant, declared as a localparam by the modules that size buses with it. */
export interface DesignConstant {
  name: string;
  value: number;
  doc: string;
}

export interface TopSpec {
  /** Runtime n, 0..nMax. */
  n: Width;
  /** Bank of a key, y mod pA. */
  bankSelect: Width;
  /** cycles_pre and cycles_exec. */
  cycleCount: Width;
  /** d: elements per Q/K/V and output row. */
  dim: DesignConstant;
  /** P_a: banks = attention modules. */
  banks: DesignConstant;
}

export const topSpec = (c: ElsaConfig): TopSpec => ({
  n: width.forMax('N_W', c.nMax, 'runtime n, 0..nMax'),
  bankSelect: width.index('BANK_SEL_W', c.pA, 'bank of a key, y mod pA'),
  cycleCount: width.unsigned('CYCLE_CNT_W', 32, 'cycle counter of an invocation (cycles_pre, cycles_exec)'),
  dim: { name: 'DIM', value: c.d, doc: 'd: elements per Q/K/V and output row' },
  banks: { name: 'BANKS', value: c.pA, doc: 'P_a: banks = attention modules' },
});
