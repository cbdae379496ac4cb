/**
 * Generate keyword speech clips with espeak-ng (+ sox for 16 kHz mono PCM16) and a manifest.
 *
 *   npx tsx scripts/make-clips.ts [outDir=build/clips]
 *
 * Deterministic: a fixed list of voices x (variant, speed, pitch) settings, no randomness.
 * Split by voice (calib and eval never share an espeak-ng voice). The alsa-utils recordings whose
 * word is a KWT label (Front_Left -> left, Front_Right -> right) are added as extra eval items.
 * Needs Debian packages espeak-ng, sox, alsa-utils.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';

export interface ClipEntry {
  file: string; // relative to the manifest's folder
  label: string;
  voice: string;
  variant: string | null;
  speed: number | null; // espeak-ng words per minute
  pitch: number | null; // espeak-ng pitch 0..99
  split: 'calib' | 'eval';
  source: 'espeak-ng' | 'alsa-utils';
}

export const KEYWORDS = ['yes', 'no', 'up', 'down', 'left', 'right', 'on', 'off', 'stop', 'go'] as const;

/** espeak-ng's own (non-mbrola) English voices, each assigned to one split. */
export const VOICES: { voice: string; split: 'calib' | 'eval' }[] = [
  { voice: 'en-us', split: 'calib' },
  { voice: 'en-gb', split: 'calib' },
  { voice: 'en-gb-scotland', split: 'calib' },
  { voice: 'en-gb-x-gbclan', split: 'calib' },
  { voice: 'en-gb-x-rp', split: 'eval' },
  { voice: 'en-gb-x-gbcwmd', split: 'eval' },
  { voice: 'en-029', split: 'eval' },
  { voice: 'en-us-nyc', split: 'eval' },
];

const VARIANTS = ['m1', 'f2', 'm3', 'f4', 'm5', 'f1', 'm7', 'f3'];
const SPEEDS = [130, 150, 175];
const PITCHES = [35, 50, 70];
export const SETTINGS_PER_VOICE = 4;

/** The fixed (variant, speed, pitch) settings for voice number vi. */
export function settingsFor(vi: number): { variant: string; speed: number; pitch: number }[] {
  const out = [];
  for (let ci = 0; ci < SETTINGS_PER_VOICE; ci++) {
    out.push({
      variant: VARIANTS[(vi + 2 * ci) % VARIANTS.length]!,
      speed: SPEEDS[(vi + ci) % SPEEDS.length]!,
      pitch: PITCHES[(2 * vi + ci) % PITCHES.length]!,
    });
  }
  return out;
}

export const ALSA_ITEMS: { file: string; label: string }[] = [
  { file: 'Front_Left.wav', label: 'left' },
  { file: 'Front_Right.wav', label: 'right' },
  // Front_Center, Rear_*, Side_*, Noise: no KWT label (skipped)
];

function main(): void {
  const outDir = resolve(process.argv[2] ?? 'build/clips');
  mkdirSync(outDir, { recursive: true });
  const tmp = join(tmpdir(), `make-clips-${process.pid}.wav`);
  const t0 = performance.now();
  const entries: ClipEntry[] = [];
  VOICES.forEach(({ voice, split }, vi) => {
    for (const { variant, speed, pitch } of settingsFor(vi)) {
      for (const word of KEYWORDS) {
        const file = `${voice}+${variant}_s${speed}_p${pitch}_${word}.wav`;
        execFileSync('espeak-ng', [
          '-v',
          `${voice}+${variant}`,
          '-s',
          String(speed),
          '-p',
          String(pitch),
          '-w',
          tmp,
          word,
        ]);
        // -D: no dither, so regenerated clips are byte-identical
        execFileSync('sox', [
          '-D',
          tmp,
          '-r',
          '16000',
          '-c',
          '1',
          '-b',
          '16',
          '-e',
          'signed-integer',
          join(outDir, file),
        ]);
        entries.push({ file, label: word, voice, variant, speed, pitch, split, source: 'espeak-ng' });
      }
    }
  });
  rmSync(tmp, { force: true });
  for (const { file, label } of ALSA_ITEMS) {
    const src = `/usr/share/sounds/alsa/${file}`;
    if (!existsSync(src)) {
      console.warn(`warning: ${src} missing (apt-get install alsa-utils); skipped`);
      continue;
    }
    const dst = `alsa_${file}`;
    execFileSync('sox', ['-D', src, '-r', '16000', '-c', '1', '-b', '16', '-e', 'signed-integer', join(outDir, dst)]);
    entries.push({
      file: dst,
      label,
      voice: 'alsa-utils-recording',
      variant: null,
      speed: null,
      pitch: null,
      split: 'eval',
      source: 'alsa-utils',
    });
  }
  writeFileSync(join(outDir, 'manifest.json'), JSON.stringify({ sampleRate: 16000, clips: entries }, null, 1) + '\n');
  const n = (s: string) => entries.filter((e) => e.split === s).length;
  console.log(
    `${entries.length} clips (calib ${n('calib')}, eval ${n('eval')}) in ${outDir}, ` +
      `${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('make-clips.ts')) main();
