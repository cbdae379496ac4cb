// The key norm unit's Verilog module (contract: ./README.md).
import type { ModuleDef } from '../module.ts';
import { clockPort, input, output, resetPort } from '../module.ts';

export const isqrtModule: ModuleDef = {
  name: 'elsa_isqrt',
  template: 'elsa_isqrt.v.ejs',
  deps: [],
  doc: 'pipelined square root for key norms',
  ports: (D) => [
    clockPort(),
    resetPort(),
    input('in_valid', 1, 'in_x and in_tag hold a key'),
    input('in_x', D.norm.sumSquares, 'Σ k_i² of the key'),
    input('in_tag', D.bank.normTag, '{slot, row} of the key, returned with its norm'),
    output('out_valid', 1, 'out_root and out_tag hold a key, NORM_W cycles after its in_valid'),
    output('out_root', D.norm.norm, 'floor(sqrt(in_x))'),
    output('out_tag', D.bank.normTag, 'in_tag of that key'),
  ],
  localparams: (D) => [D.norm.norm, D.norm.sqrtOperand, D.norm.sqrtRemainder, D.bank.normTag],
  view: (D) => {
    const n = D.norm.sqrtLatency;
    return {
      // stage s + 1 registers result bit n − 1 − s (MSB first)
      stages: Array.from({ length: n }, (_, s) => ({ index: s, next: s + 1, bit: n - 1 - s })),
      registers: Array.from({ length: n + 1 }, (_, s) => s),
      last: n,
      // an odd-width Σ k_i² gets one zero bit on top: the operand is consumed two bits per stage
      padOperand: D.norm.sqrtOperand.bits > D.norm.sumSquares.bits,
      dataEnables: D.cfg.dataEnables,
    };
  },
};
