// Bit-exact model of the key norm unit (contract: ./README.md).

/** Σ x_i² (the shared dot-product unit with both operands = k), unsigned normSqW bits, 2·qF frac. */
export const sumSquares = (x: number[]): number => x.reduce((s, v) => s + v * v, 0);
/** floor(sqrt(v)): the restoring square-root pipeline; normW bits, qF fraction bits. */
export function isqrt(v: number): number {
  let r = Math.floor(Math.sqrt(v));
  while (r * r > v) r--;
  while ((r + 1) * (r + 1) <= v) r++;
  return r;
}
export const keyNorm = (k: number[]): number => isqrt(sumSquares(k));
