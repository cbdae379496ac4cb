// One copy of the bank's code for all its instances in a Verilator model. Verilator schedules every instance
// of a module in its own functions, and merges functions whose bodies come out identical. The banks' bodies
// differ only where Verilator substituted a bank's input with the per-instance expression elsa_top connects
// to it (`.ld_valid(kv_fire && ld_bank == 2'd1)`) and in the names of lookup-table indices. Marking those
// inputs public (read-only: public_flat_rd) in a configuration file (.vlt: simulation only, not a lint waiver,
// no change to the Verilog) keeps them as the bank's own variables, and -fno-table (SHARE_FLAGS) turns the
// tables into plain logic: the four banks of `paper` then run one function (57 KB) instead of four.
// (-fno-table alone is slower; plain `public` adds an input-settling pass to every evaluation.)
import type { DesignSpec } from '../units/design.ts';
import { moduleByName, moduleName } from '../gen/modules.ts';

/** Verilator flags that go with the configuration file of bankShareConfig. */
export const SHARE_FLAGS = ['-fno-table'];

/** The `.port(expression)` connections of every instance of `mod` in a module's Verilog text. */
export function instanceConnections(text: string, mod: string): Map<string, string>[] {
  const out: Map<string, string>[] = [];
  const head = new RegExp(`^\\s*${mod}\\s+\\w+\\s*\\(`, 'gm');
  for (const m of text.matchAll(head)) {
    const conns = new Map<string, string>();
    let at = m.index + m[0].length;
    for (;;) {
      const pin = /^\s*,?\s*\.(\w+)\s*\(/.exec(text.slice(at));
      if (!pin) break;
      at += pin[0].length;
      // the expression up to the matching parenthesis
      let depth = 1,
        end = at;
      for (; depth > 0; end++) depth += text[end] === '(' ? 1 : text[end] === ')' ? -1 : 0;
      conns.set(pin[1], text.slice(at, end - 1).trim());
      at = end;
    }
    out.push(conns);
  }
  return out;
}

/** The Verilator configuration file that makes the banks share their code: every input of the bank that
 *  elsa_top connects to a different expression in different instances is public. `topText` is the
 *  rendered elsa_top. Empty (no rule) with fewer than two banks. */
export function bankShareConfig(D: DesignSpec, topText: string): string {
  const bank = moduleName(D, 'elsa_bank');
  const insts = instanceConnections(topText, bank);
  const inputs = (moduleByName('elsa_bank').ports?.(D) ?? []).filter((p) => p.dir === 'input' && p.name !== 'clk');
  const differ = inputs.filter((p) => new Set(insts.map((c) => c.get(p.name))).size > 1).map((p) => p.name);
  const rules = insts.length < 2 ? [] : differ.map((v) => `public_flat_rd -module "${bank}" -var "${v}"`);
  return ['`verilator_config', "// the banks' per-instance inputs (src/sim/share.ts)", ...rules, ''].join('\n');
}
