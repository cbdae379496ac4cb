// The output division's Verilog module (contract: ./README.md).
import type { ModuleDef } from '../module.ts';

export const outputDivModule: ModuleDef = {
  name: 'elsa_output_div', template: 'elsa_output_div.v.ejs', deps: [],
  doc: 'output division: reduce the P_a partials, reciprocal table, m_o multipliers',
};
