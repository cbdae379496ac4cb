// The AXI wrapper's Verilog module (contract: ./README.md).
import type { ModuleDef } from '../module.ts';
import { AXI_ADDR_W, axiRegisters } from './spec.ts';

export const axiModule: ModuleDef = {
  name: 'elsa_axi', template: 'elsa_axi.v.ejs', deps: ['elsa_top'],
  doc: 'AXI wrapper: AXI4-Stream kv/q/o rows, AXI4-Lite control/status registers (map in the file header)',
  view: (D) => ({ regs: axiRegisters(D), addrW: AXI_ADDR_W }),
};
