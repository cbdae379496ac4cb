import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { loadClip, loudestSecond, loudestWindowStart, parseWav, readWav, resample } from './audio.ts';

function wav16(samples: number[][], rate: number): Uint8Array {
  const ch = samples.length;
  const n = samples[0]!.length;
  const buf = new Uint8Array(44 + n * ch * 2);
  const dv = new DataView(buf.buffer);
  const w = (p: number, s: string) => {
    for (let i = 0; i < 4; i++) buf[p + i] = s.charCodeAt(i);
  };
  w(0, 'RIFF');
  dv.setUint32(4, 36 + n * ch * 2, true);
  w(8, 'WAVE');
  w(12, 'fmt ');
  dv.setUint32(16, 16, true);
  dv.setUint16(20, 1, true);
  dv.setUint16(22, ch, true);
  dv.setUint32(24, rate, true);
  dv.setUint32(28, rate * ch * 2, true);
  dv.setUint16(32, ch * 2, true);
  dv.setUint16(34, 16, true);
  w(36, 'data');
  dv.setUint32(40, n * ch * 2, true);
  for (let i = 0; i < n; i++) for (let c = 0; c < ch; c++) dv.setInt16(44 + (i * ch + c) * 2, samples[c]![i]!, true);
  return buf;
}

function tone(freq: number, rate: number, n: number, amp = 0.5): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / rate));
}

function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / (to - from));
}

describe('WAV parsing', () => {
  it('reads PCM16 stereo and averages to mono', () => {
    const w = parseWav(
      wav16(
        [
          [16384, -32768, 0],
          [0, -32768, 100],
        ],
        22050,
      ),
    );
    expect(w.sampleRate).toBe(22050);
    expect(w.channels).toBe(2);
    expect(Array.from(w.samples)).toEqual([0.25, -1, 100 / 65536].map((x) => Math.fround(x)));
  });
  it('rejects non-WAV input', () => {
    expect(() => parseWav(new Uint8Array(100))).toThrow(/RIFF/);
  });
  it('reads the alsa-utils recording (48 kHz)', () => {
    const p = '/usr/share/sounds/alsa/Front_Left.wav';
    expect(existsSync(p), 'apt-get install alsa-utils').toBe(true);
    const w = readWav(p);
    expect(w.sampleRate).toBe(48000);
    expect(w.samples.length).toBeGreaterThan(48000);
    expect(rms(w.samples)).toBeGreaterThan(0.01);
  });
});

describe('resampling', () => {
  it('preserves an in-band tone (1 kHz, 48 kHz -> 16 kHz)', () => {
    const y = resample(tone(1000, 48000, 48000), 48000, 16000);
    expect(y.length).toBe(16000);
    // compare against the ideal 16 kHz tone away from the edges
    const ref = tone(1000, 16000, 16000);
    let err = 0;
    for (let i = 200; i < 15800; i++) err = Math.max(err, Math.abs(y[i]! - ref[i]!));
    expect(err).toBeLessThan(0.01);
  });
  it('suppresses an out-of-band tone (12 kHz would alias to 4 kHz)', () => {
    const y = resample(tone(12000, 48000, 48000), 48000, 16000);
    expect(rms(y, 200, 15800)).toBeLessThan(0.005); // input rms is 0.35
  });
  it('upsamples 22.05 kHz to 16 kHz length-correctly', () => {
    const y = resample(tone(440, 22050, 22050), 22050, 16000);
    expect(y.length).toBe(16000);
    expect(rms(y, 200, 15800)).toBeCloseTo(0.5 / Math.SQRT2, 2);
  });
});

describe('loudest second', () => {
  it('centres a short burst inside a long silent clip', () => {
    const x = new Float32Array(48000);
    for (let i = 30000; i < 34000; i++) x[i] = Math.sin(i);
    const s = loudestWindowStart(x, 16000);
    const mid = s + 8000;
    expect(Math.abs(mid - 32000)).toBeLessThan(50);
    const y = loudestSecond(x);
    expect(y.length).toBe(16000);
    expect(rms(y)).toBeCloseTo(rms(x.subarray(30000, 34000)) * Math.sqrt(4000 / 16000), 4);
  });
  it('pads short clips to 16000 samples, centred', () => {
    const y = loudestSecond(Float32Array.from({ length: 8000 }, () => 1));
    expect(y.length).toBe(16000);
    expect(y[3999]).toBe(0);
    expect(y[4000]).toBe(1);
    expect(y[11999]).toBe(1);
    expect(y[12000]).toBe(0);
  });
  it('loadClip returns 16000 samples of speech from the alsa recording', () => {
    const y = loadClip('/usr/share/sounds/alsa/Front_Right.wav');
    expect(y.length).toBe(16000);
    expect(rms(y)).toBeGreaterThan(0.02);
  });
});
