// Integer arithmetic of the fixed-point models, as the RTL computes it (values held exactly in Numbers).
/** floor(x / 2^s) for integers held exactly in a Number (|x| < 2^53): arithmetic shift right. */
export const sra = (x: number, s: number): number => Math.floor(x / 2 ** s);
export const saturate = (x: number, w: number): number => Math.max(-(2 ** (w - 1)), Math.min(2 ** (w - 1) - 1, x));
