// Clip folders made by scripts/make-clips.sh: manifest.json with one entry per WAV and its split.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '../spec/errors.ts';
import { KWT_LABELS } from '../tflite/interpreter.ts';

export type Split = 'calib' | 'eval';
export interface ClipItem {
  /** As written in the manifest (relative to the manifest's folder, or absolute). */
  file: string;
  /** Absolute path of the WAV file. */
  path: string;
  label: string;
  split: Split;
}

/** Read and check `<dir>/manifest.json`; clips keep the manifest's order (the order of every result). */
export function loadManifest(dir: string): ClipItem[] {
  const mf = resolve(dir, 'manifest.json');
  if (!existsSync(mf))
    throw new UserError(`no clip manifest at ${mf} (make the clips first: scripts/make-clips.sh ${dir})`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(mf, 'utf8'));
  } catch (e) {
    throw new UserError(`clip manifest ${mf} is not valid JSON: ${(e as Error).message}`);
  }
  const clips = (raw as { clips?: unknown }).clips;
  if (!Array.isArray(clips)) throw new UserError(`clip manifest ${mf} has no "clips" array`);
  return clips.map((c: Record<string, unknown>, i) => {
    const where = `clip manifest ${mf}: clips[${i}]`;
    if (typeof c.file !== 'string') throw new UserError(`${where}.file must be a string`);
    if (typeof c.label !== 'string' || !(KWT_LABELS as readonly string[]).includes(c.label))
      throw new UserError(`${where}.label must be one of ${KWT_LABELS.join(', ')}`);
    if (c.split !== 'calib' && c.split !== 'eval') throw new UserError(`${where}.split must be "calib" or "eval"`);
    const path = resolve(dir, c.file);
    if (!existsSync(path))
      throw new UserError(`${where}: ${path} does not exist (remake the clips: scripts/make-clips.sh ${dir})`);
    return { file: c.file, path, label: c.label, split: c.split };
  });
}

/** The clips of one split; an empty split is an error (nothing to calibrate or evaluate on). */
export function splitClips(clips: ClipItem[], split: Split, dir: string): ClipItem[] {
  const out = clips.filter((c) => c.split === split);
  if (out.length === 0) throw new UserError(`clip folder ${dir} has no "${split}" clips`);
  return out;
}
