// The attention module's Verilog modules: what each template needs besides the design spec
// (contract: ./README.md).
import type { ModuleDef } from '../module.ts';

export const dotModule: ModuleDef = {
  name: 'elsa_dot', template: 'elsa_dot.v.ejs', deps: [],
  doc: 'd-multiplier dot product with adder tree (attention q·k and norm k·k)',
};

export const expModule: ModuleDef = {
  name: 'elsa_exp', template: 'elsa_exp.v.ejs', deps: [],
  doc: 'exp unit: score·C, 2^frac table, exponent saturation',
};

export const attentionModule: ModuleDef = {
  name: 'elsa_attention', template: 'elsa_attention.v.ejs', deps: ['elsa_dot', 'elsa_exp'],
  doc: 'attention computation: q·k, exp, block-exponent Σe and Σe·v, partial outputs',
};
