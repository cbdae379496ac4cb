// The module registry: one entry per hardware module, one template and one generated file each.
// Order is dependency order (leaves first), which is also the file-list order.
import type { DesignSpec } from '../units/design.ts';
import { axiView } from './flow.ts';

export interface ModuleSpec {
  /** Verilog module name = file name (without .v). */
  name: string;
  /** Template under templates/. */
  template: string;
  /** Modules it instantiates (for linting a module with its dependencies). */
  deps: string[];
  /** Extra view values computed in TS for the template. */
  view?: (D: DesignSpec) => Record<string, unknown>;
  /** What the module is, for the generated README and `elsa-gen modules`. */
  doc: string;
}

export const MODULES: ModuleSpec[] = [
  { name: 'elsa_ram', template: 'elsa_ram.v.ejs', deps: [], doc: 'simple dual-port RAM with registered read (K, V, key hash and key norm memories)' },
  { name: 'elsa_cos_table', template: 'elsa_cos_table.v.ejs', deps: [], doc: '(k+1)-entry cos table indexed by the Hamming distance' },
  { name: 'elsa_cand_sel', template: 'elsa_cand_sel.v.ejs', deps: ['elsa_cos_table'], doc: 'one candidate selection module: XOR, popcount, cos table, × key norm, compare' },
  { name: 'elsa_queue', template: 'elsa_queue.v.ejs', deps: [], doc: 'candidate queue (FIFO of local key indices)' },
  { name: 'elsa_arbiter', template: 'elsa_arbiter.v.ejs', deps: [], doc: 'longest-queue-first arbiter' },
  { name: 'elsa_dot', template: 'elsa_dot.v.ejs', deps: [], doc: 'd-multiplier dot product with adder tree (attention q·k and norm k·k)' },
  { name: 'elsa_isqrt', template: 'elsa_isqrt.v.ejs', deps: [], doc: 'pipelined square root for key norms' },
  { name: 'elsa_exp', template: 'elsa_exp.v.ejs', deps: [], doc: 'exp unit: score·C, 2^frac table, exponent saturation' },
  { name: 'elsa_attention', template: 'elsa_attention.v.ejs', deps: ['elsa_dot', 'elsa_exp'], doc: 'attention computation: q·k, exp, block-exponent Σe and Σe·v, partial outputs' },
  { name: 'elsa_bank', template: 'elsa_bank.v.ejs', deps: ['elsa_ram', 'elsa_cand_sel', 'elsa_queue', 'elsa_arbiter', 'elsa_attention', 'elsa_isqrt'], doc: 'one bank: K/V/hash/norm memories, P_c candidate selection modules and queues, arbiter, attention module, norm unit' },
  { name: 'elsa_hash', template: 'elsa_hash.v.ejs', deps: [], doc: 'Kronecker-structured hash computation with m_h multipliers' },
  { name: 'elsa_output_div', template: 'elsa_output_div.v.ejs', deps: [], doc: 'output division: reduce the P_a partials, reciprocal table, m_o multipliers' },
  { name: 'elsa_top', template: 'elsa_top.v.ejs', deps: ['elsa_hash', 'elsa_bank', 'elsa_output_div'], doc: 'top level: controller, host streams, shared hash unit, P_a banks, output division' },
  { name: 'elsa_axi', template: 'elsa_axi.v.ejs', deps: ['elsa_top'], doc: 'AXI wrapper: AXI4-Stream kv/q/o rows, AXI4-Lite control/status registers (map in the file header)', view: axiView },
];


export const moduleByName = (name: string): ModuleSpec => {
  const m = MODULES.find((x) => x.name === name);
  if (!m) throw new Error(`no module ${name}`);
  return m;
};

/** A module and everything it instantiates, leaves first. */
export function withDeps(name: string): string[] {
  const out: string[] = [];
  const visit = (n: string) => {
    for (const d of moduleByName(n).deps) visit(d);
    if (!out.includes(n)) out.push(n);
  };
  visit(name);
  return out;
}
