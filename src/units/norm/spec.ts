// Spec slice of the key norm unit (templates/elsa_isqrt.v.ejs, the shared elsa_dot with k·k):
// ‖k‖ = floor(sqrt(Σ k_i²)) in units of 2^-qkv.frac. Contract: src/units/norm/README.md.
import type { ElsaConfig } from '../../spec/schema.ts';
import { clog2, width, type Width } from '../../spec/width.ts';

export interface NormSpec {
  /** Σ k_i², unsigned, 2·qkv.frac fraction bits. */
  sumSquares: Width;
  /** floor(sqrt(Σ k_i²)), unsigned, qkv.frac fraction bits. */
  norm: Width;
  /** Square-root operand register: Σ k_i² zero-extended to an even 2·norm bits, consumed 2 bits a stage. */
  sqrtOperand: Width;
  /** Square-root partial remainder: norm + 2 bits (its top two bits are shifted out unread). */
  sqrtRemainder: Width;
  /** Cycles of the square-root pipeline: one result bit per stage. */
  sqrtLatency: number;
  /** kvBuffers = 2: the top's serial Σk² unit squares `lanes` elements a cycle, `cycles` = d / lanes cycles a
   *  key, the largest divisor of d that fits in one hash period (keys come at most once a period). */
  serial: { lanes: number; cycles: number };
}

export function normSpec(c: ElsaConfig, qkv: Width, hashPeriod: number): NormSpec {
  // Σ of d squares of a signed qkv value: the dot product's width minus the sign bit.
  const sumSquaresBits = 2 * qkv.bits + clog2(c.d) - 1;
  const normBits = Math.ceil(sumSquaresBits / 2);
  return {
    sumSquares: width.unsigned('NORM_SQ_W', sumSquaresBits, 'Σ k_i² of a key (2·qkv.frac fraction bits)', 2 * qkv.frac),
    norm: width.unsigned('NORM_W', normBits, 'key norm floor(sqrt(Σ k_i²)) (qkv.frac fraction bits)', qkv.frac),
    sqrtOperand: width.unsigned('SQRT_X_W', 2 * normBits, 'square-root operand: Σ k_i² padded to 2·NORM_W bits'),
    sqrtRemainder: width.unsigned('SQRT_REM_W', normBits + 2, 'square-root partial remainder'),
    sqrtLatency: normBits,
    serial: serialSumSquares(c.d, hashPeriod),
  };
}

function serialSumSquares(d: number, hashPeriod: number): NormSpec['serial'] {
  let cycles = 1;
  for (let x = 1; x <= Math.min(d, hashPeriod); x++) if (d % x === 0) cycles = x;
  return { lanes: d / cycles, cycles };
}
