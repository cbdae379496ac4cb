// What the KWT-1 commands (calibrate, evaluate) share: the knob p option and the model file check.
import { existsSync } from 'node:fs';
import { UserError } from '../spec/errors.ts';
import { checkP } from '../eval/calibrate.ts';
import { defaultKwt1Path } from '../tflite/reader.ts';

/** --p: the paper's knob, a number from 0 to 1000. */
export function parseP(s: string): number {
  const p = Number(s);
  if (s.trim() === '' || !Number.isFinite(p) || p > 1000)
    throw new UserError(`--p must be a number from 0 to 1000, not "${s}"`);
  return checkP(p, '--p');
}

/** The KWT-1 model must be on disk before a long run starts. */
export function requireKwt1Model(): void {
  const path = defaultKwt1Path();
  if (!existsSync(path))
    throw new UserError(
      `KWT-1 model not found at ${path} ` +
        '(restore data/kwt1/kwt1_non_stream.tflite from the repository, or set KWT1_TFLITE to its path)',
    );
}
