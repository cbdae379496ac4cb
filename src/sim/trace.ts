// Cycle traces: what a unit testbench drives and expects, cycle by cycle, packed into hex vector files.
export interface Port {
  name: string;
  width: number;
}
export interface Cycle {
  in: Record<string, bigint | number>;
  out?: Record<string, bigint | number | null>;
}
export interface Trace {
  module: string;
  inputs: Port[];
  outputs: Port[];
  cycles: Cycle[];
  clocked?: boolean;
}
export interface PackedTrace extends Trace {
  inW: number;
  outW: number;
}

const mask = (w: number) => (1n << BigInt(w)) - 1n;
/** Two's complement of a (possibly negative) integer in w bits. */
export const toBits = (x: bigint | number, w: number): bigint => BigInt(x) & mask(w);

/** Pack a trace into one hex word per cycle: {inputs, expected, mask} (null/missing = don't care). */
export function packTrace(t: Trace): { packed: PackedTrace; hex: string } {
  const inW = t.inputs.reduce((s, p) => s + p.width, 0);
  const outW = t.outputs.reduce((s, p) => s + p.width, 0);
  const lines = t.cycles.map((c) => {
    let word = 0n;
    for (const p of t.inputs) word = (word << BigInt(p.width)) | toBits(c.in[p.name] ?? 0, p.width);
    let exp = 0n;
    let msk = 0n;
    for (const p of t.outputs) {
      const v = c.out?.[p.name];
      exp = (exp << BigInt(p.width)) | (v === null || v === undefined ? 0n : toBits(v, p.width));
      msk = (msk << BigInt(p.width)) | (v === null || v === undefined ? 0n : mask(p.width));
    }
    word = (((word << BigInt(outW)) | exp) << BigInt(outW)) | msk;
    return word.toString(16);
  });
  return { packed: { ...t, inW, outW }, hex: lines.join('\n') + '\n' };
}

/** The meta file: hardware hash (48 bits) and vector count, one 64-bit hex word each. */
export const metaFile = (hwHash: string, count: number): string =>
  `${hwHash.padStart(16, '0')}\n${count.toString(16).padStart(16, '0')}\n`;

/** Flat bus of signed/unsigned elements, element 0 in the low bits (x[i*W +: W]). */
export function packBus(xs: (number | bigint)[], w: number): bigint {
  let v = 0n;
  for (let i = xs.length - 1; i >= 0; i--) v = (v << BigInt(w)) | toBits(xs[i], w);
  return v;
}
/** packBus(xs, w).toString(16) without BigInt, for elements of at most 32 bits (the stimulus's rows): the bits
 *  gathered four at a time from element 0 up, each hex digit written from the end of the word. */
export function packHex(xs: ArrayLike<number>, w: number): string {
  if (w > 32) return packBus(Array.from(xs), w).toString(16);
  const m = 2 ** w;
  const chars = Buffer.allocUnsafe(Math.max(1, Math.ceil((xs.length * w) / 4)));
  let at = chars.length;
  let acc = 0; // pending bits below 2^(nb): at most 3 left over plus one element, below 2^35
  let nb = 0;
  for (let i = 0; i < xs.length; i++) {
    // two's complement in w bits (x mod 2^w, as toBits), exact in doubles
    acc += (((xs[i]! % m) + m) % m) * 2 ** nb;
    for (nb += w; nb >= 4; nb -= 4) {
      chars[--at] = HEX[acc % 16]!;
      acc = Math.floor(acc / 16);
    }
  }
  if (at > 0) chars[--at] = HEX[acc]!;
  // no leading zeros, as BigInt's toString (a zero bus is "0")
  while (at < chars.length - 1 && chars[at] === HEX[0]) at++;
  return chars.toString('latin1', at);
}
const HEX = Buffer.from('0123456789abcdef', 'latin1');

export function unpackBus(v: bigint, n: number, w: number, signed: boolean): number[] {
  return Array.from({ length: n }, (_, i) => {
    const x = (v >> BigInt(i * w)) & mask(w);
    return Number(signed && x >> BigInt(w - 1) ? x - (1n << BigInt(w)) : x);
  });
}
