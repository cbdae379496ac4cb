// The hash unit's Verilog module (contract: ./README.md).
import type { ModuleDef } from '../module.ts';

export const hashModule: ModuleDef = {
  name: 'elsa_hash', template: 'elsa_hash.v.ejs', deps: [],
  doc: 'Kronecker-structured hash computation with m_h multipliers',
};
