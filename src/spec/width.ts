// A bit width that knows what it holds: its Verilog localparam name, signedness, fraction bits and the
// range of values it must represent. Every width of a design is built here from what it must hold (a
// largest value, an index count, a fixed-point format), never written as a bare number in a template.

export const clog2 = (x: number): number => (x <= 1 ? 0 : Math.ceil(Math.log2(x)));
/** Bits to hold unsigned values 0..x. */
export const ubits = (x: number): number => Math.max(1, clog2(x + 1));

export interface Width {
  /** Verilog localparam name, e.g. QKV_W. */
  readonly name: string;
  readonly bits: number;
  readonly signed: boolean;
  /** Fraction bits of a fixed-point value (0 for integers and indices). */
  readonly frac: number;
  /** Smallest and largest value the width represents. */
  readonly min: number;
  readonly max: number;
  /** One line: what the width holds (the comment of its localparam). */
  readonly doc: string;
}

function make(name: string, bits: number, signed: boolean, frac: number, doc: string): Width {
  if (!Number.isInteger(bits) || bits < 1) throw new Error(`width ${name}: ${bits} bits`);
  const min = signed ? -(2 ** (bits - 1)) : 0;
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return Object.freeze({ name, bits, signed, frac, min, max, doc });
}

export const width = {
  /** Unsigned values 0..max. */
  forMax: (name: string, max: number, doc: string): Width => make(name, ubits(max), false, 0, doc),
  /** An index 0..count-1 (at least 1 bit, so a one-entry index is still a port). */
  index: (name: string, count: number, doc: string): Width => make(name, Math.max(1, clog2(count)), false, 0, doc),
  /** Unsigned, given bits (a concatenation or a table entry whose width is set by the format). */
  unsigned: (name: string, bits: number, doc: string, frac = 0): Width => make(name, bits, false, frac, doc),
  /** Two's complement, given bits. */
  signed: (name: string, bits: number, doc: string, frac = 0): Width => make(name, bits, true, frac, doc),
  /** Signed fixed point: 1 sign + int + frac bits. */
  fixed: (name: string, int: number, frac: number, doc: string): Width => make(name, 1 + int + frac, true, frac, doc),
};
