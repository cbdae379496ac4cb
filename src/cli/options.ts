// Option parsing shared by every command: numbers checked for range and integer-ness in one place,
// reported by commander as one usage line (exit 2).
import { InvalidArgumentError } from 'commander';

export interface NumberRule {
  min: number;
  max: number;
  integer?: boolean;
}

/** Parse `s` as a number within [min, max] (an integer when `integer`); throws with a one-line reason. */
export function parseNumber(s: string, r: NumberRule): number {
  const kind = r.integer ? 'an integer' : 'a number';
  const x = /^\s*$/.test(s) ? NaN : Number(s);
  if (!Number.isFinite(x) || (r.integer && !Number.isInteger(x)) || x < r.min || x > r.max)
    throw new InvalidArgumentError(`Expected ${kind} from ${r.min} to ${r.max}.`);
  return x;
}

/** A commander argParser for a numeric option. */
export const num = (r: NumberRule) => (s: string) => parseNumber(s, r);

/** A commander argParser for a choice among fixed names. */
export const oneOf =
  <T extends string>(choices: readonly T[]) =>
  (s: string): T => {
    if (!(choices as readonly string[]).includes(s))
      throw new InvalidArgumentError(`Expected one of ${choices.join(', ')}.`);
    return s as T;
  };

export const SEED = { min: 0, max: 2 ** 31 - 1, integer: true } as const;
