// The top level's Verilog module (contract: ./README.md).
import type { ModuleDef } from '../module.ts';

export const topModule: ModuleDef = {
  name: 'elsa_top', template: 'elsa_top.v.ejs', deps: ['elsa_hash', 'elsa_bank', 'elsa_output_div'],
  doc: 'top level: controller, host streams, shared hash unit, P_a banks, output division',
};
