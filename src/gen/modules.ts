// The module registry: every hardware module of the design, one template and one generated file each,
// gathered from the units (src/units/<unit>/rtl.ts). Order is dependency order (leaves first), which is
// also the file-list order.
import type { ModuleDef } from '../units/module.ts';
import type { DesignSpec } from '../units/design.ts';
import { arbiterModule, bankModule, queueModule, ramModule } from '../units/bank/rtl.ts';
import { candSelModule, cosTableModule } from '../units/cand_sel/rtl.ts';
import { attentionModule, dotModule, expModule } from '../units/attention/rtl.ts';
import { isqrtModule } from '../units/norm/rtl.ts';
import { hashModule } from '../units/hash/rtl.ts';
import { outputDivModule } from '../units/output_div/rtl.ts';
import { topModule } from '../units/top/rtl.ts';
import { axiModule } from '../units/axi/rtl.ts';

export const MODULES: ModuleDef[] = [
  ramModule,
  cosTableModule,
  candSelModule,
  queueModule,
  arbiterModule,
  dotModule,
  isqrtModule,
  expModule,
  attentionModule,
  bankModule,
  hashModule,
  outputDivModule,
  topModule,
  axiModule,
];

export const moduleByName = (name: string): ModuleDef => {
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

/** The Verilog name of a module in a config: the config's prefix (if any) and the unit's module name. */
export const moduleName = (D: DesignSpec, name: string): string => `${D.cfg.prefix ?? ''}${name}`;
/** The generated file of a module in a config. */
export const moduleFile = (D: DesignSpec, name: string): string => `${moduleName(D, name)}.v`;
/** Every module's Verilog name in a config, by unit module name (templates instantiate through it). */
export const moduleNames = (D: DesignSpec): Record<string, string> =>
  Object.fromEntries(MODULES.map((m) => [m.name, moduleName(D, m.name)]));
