// What a unit declares about each Verilog module it owns: the template, the ports (once, as data), the
// localparams its body uses and the view values its template reads. The generator renders the module
// header and localparam block from this; the generated README, the unit traces and the unit testbench
// connections read the same port list.
import type { DesignSpec } from './design.ts';
import type { Width } from '../spec/width.ts';

export interface PortSpec {
  name: string;
  dir: 'input' | 'output';
  bits: number;
  signed: boolean;
  /** `reg` for outputs assigned in an always block. */
  reg: boolean;
  /** One line: what the port carries. */
  doc: string;
  /** Heading of the group the port opens (rendered as a comment line in the header). */
  group?: string;
}

/** A named constant of a module body: a width (`localparam NAME = bits`) or a sized value. */
export type LocalParam = Width | { name: string; value: number; of?: Width; doc: string };

export interface ModuleDef {
  /** Verilog module name = file name (without .v), before the config's prefix. */
  name: string;
  /** Template under templates/. */
  template: string;
  /** Modules it instantiates (for linting a module with its dependencies). */
  deps: string[];
  /** What the module is, for the generated README and the report. */
  doc: string;
  /** The ports, in header order; absent for a module whose template writes a parameterised header. */
  ports?: (D: DesignSpec) => PortSpec[];
  /** Widths and constants of the body, declared as localparams after the header. */
  localparams?: (D: DesignSpec) => LocalParam[];
  /** Further view values computed in TS for the template. */
  view?: (D: DesignSpec) => Record<string, unknown>;
}

type PortOpts = { signed?: boolean; reg?: boolean; group?: string };
/** Width of a port: a Width, a bit count, or `count` elements of a Width packed into one bus. */
type PortWidth = Width | number | { count: number; of: Width };
const bitsOf = (w: PortWidth): number => (typeof w === 'number' ? w : 'count' in w ? w.count * w.of.bits : w.bits);
const signedOf = (w: PortWidth): boolean => typeof w !== 'number' && !('count' in w) && w.signed;

const port = (dir: PortSpec['dir'], name: string, w: PortWidth, doc: string, o: PortOpts = {}): PortSpec => ({
  name,
  dir,
  bits: bitsOf(w),
  signed: o.signed ?? signedOf(w),
  reg: o.reg ?? false,
  doc,
  group: o.group,
});
export const input = (name: string, w: PortWidth, doc: string, o?: PortOpts) => port('input', name, w, doc, o);
export const output = (name: string, w: PortWidth, doc: string, o?: PortOpts) => port('output', name, w, doc, o);
export const clockPort = (o?: PortOpts) => input('clk', 1, 'clock', o);
export const resetPort = () => input('rst', 1, 'synchronous reset, active high');

/** The ports a unit trace drives and checks: every input but the clock, every output, in header order. */
export function tracePorts(ports: PortSpec[]) {
  const io = (d: PortSpec['dir']) =>
    ports.filter((p) => p.dir === d && p.name !== 'clk').map((p) => ({ name: p.name, width: p.bits }));
  return { inputs: io('input'), outputs: io('output'), clocked: ports.some((p) => p.name === 'clk') };
}

/** A sized Verilog literal of a value held in `w` (e.g. 3'd5, -8'sd3): for view data, not templates. */
export const verilogLiteral = (w: Width, value: number): string =>
  w.signed ? (value < 0 ? `-${w.bits}'sd${-value}` : `${w.bits}'sd${value}`) : `${w.bits}'d${value}`;

/** Signed `name` of width `from` widened to `to`, in localparam names (no zero-count replication). */
export const signExtend = (name: string, from: Width, to: Width): string =>
  from.bits === to.bits
    ? name
    : to.bits - from.bits === 1
      ? `{${name}[${from.name}-1], ${name}}`
      : `{{${to.name}-${from.name}{${name}[${from.name}-1]}}, ${name}}`;
/** Unsigned `name` of width `from` zero-extended to `to`, in localparam names. */
export const zeroExtend = (name: string, from: Width, to: Width): string =>
  from.bits === to.bits ? name : `{{${to.name}-${from.name}{1'b0}}, ${name}}`;

/** A term of a doubled sum: `value` (a name or an expression), with an optional sign extension written before it
 *  and `shift` (a localparam name) zero bits below it. */
export interface DoubledTerm {
  value: string;
  extend?: string;
  shift?: string;
}

/** A sum of registered DSP products formed at twice its value, so that no term is bit-aligned with a multiplier's
 *  output and Yosys 0.23 keeps the add in fabric (docs/toolchain.md P20): each term gets a zero bit below it, the
 *  sum `name` is one bit wider than `w`, and the value is its top bits. `decl` declares it (the type padded to
 *  `typeW` and the name to `nameW` characters, to align with the declarations around it; `wrap`: one term a line),
 *  `unused` marks bit 0 (always 0) as read, `top` reads the value at `w`. */
export function doubledSum(
  name: string,
  w: Width,
  terms: DoubledTerm[],
  layout: { typeW?: number; nameW?: number; wrap?: boolean } = {},
): { decl: string; unused: string; top: string } {
  const zero = (t: DoubledTerm) => (t.shift ? `{(${t.shift}+1){1'b0}}` : "1'b0");
  const term = (t: DoubledTerm) => `{${t.extend ? `${t.extend}, ` : ''}${t.value}, ${zero(t)}}`;
  const type = `wire [${w.name}:0]`.padEnd(layout.typeW ?? 0);
  return {
    decl: `${type} ${name.padEnd(layout.nameW ?? 0)} = ${terms.map(term).join(layout.wrap ? ' +\n        ' : ' + ')};`,
    unused: `wire unused_${name} = ${name}[0];`,
    top: `${name}[${w.name}:1]`,
  };
}

/** A balanced tree over leaves whose pairs are joined level by level, an odd one out moving up unchanged: the inner
 *  nodes in evaluation order, each named name(level, j) (level 1 joins leaves), and the root. ceil(log2 n) levels
 *  where a chain takes n − 1 (the bank's arbiter, candidate selection's popcount wires). */
export function pairTree(leaves: string[], name: (level: number, j: number) => string) {
  let level = leaves;
  const nodes: { name: string; a: string; b: string }[] = [];
  for (let l = 1; level.length > 1; l++) {
    const next: string[] = [];
    for (let j = 0; j + 1 < level.length; j += 2) {
      nodes.push({ name: name(l, j / 2), a: level[j], b: level[j + 1] });
      next.push(name(l, j / 2));
    }
    if (level.length % 2) next.push(level[level.length - 1]);
    level = next;
  }
  return { nodes, root: level[0] };
}

/** Terms of a Verilog expression written one a line: ` op` after each but the last, `;` after the last. */
export const termLines = (terms: string[], op: string) =>
  terms.map((term, i) => ({ term, end: i < terms.length - 1 ? ` ${op}` : ';' }));
