// The key norm unit's Verilog module (contract: ./README.md).
import type { ModuleDef } from '../module.ts';

export const isqrtModule: ModuleDef = {
  name: 'elsa_isqrt', template: 'elsa_isqrt.v.ejs', deps: [],
  doc: 'pipelined square root for key norms',
};
