/**
 * WAV loading for the KWT-1 front end: parse RIFF/WAVE (PCM 8/16/24/32-bit integer or 32/64-bit
 * float, any channel count -> mono by averaging), resample to 16 kHz, pick the loudest second.
 *
 * Resampling: band-limited windowed-sinc interpolation (Blackman-windowed sinc, 24 zero crossings
 * each side of the kernel at the cutoff). Cutoff = 0.95 * min(srcRate, dstRate) / 2, so that
 * downsampling (e.g. 48 kHz alsa-utils recordings -> 16 kHz) is anti-aliased and upsampling
 * (e.g. espeak-ng's 22.05 kHz) is a clean interpolation. Computed directly (one kernel
 * evaluation per tap); fast enough for clips of a few seconds.
 *
 * Loudest second: the 16000-sample window with maximum energy (sum of squares). Because a short
 * word inside silence gives many windows with (almost) the same energy, all windows within 0.1%
 * of the maximum are treated as tied and the middle one is taken, which centres the word.
 * Clips shorter than one second are zero-padded symmetrically (centred).
 */
import { readFileSync } from 'node:fs';

export const KWT_SAMPLE_RATE = 16000;

export interface WavData {
  sampleRate: number;
  channels: number;
  /** mono samples as floats in [-1, 1] */
  samples: Float32Array;
}

/** Parse a RIFF/WAVE buffer into mono float samples. */
export function parseWav(bytes: Uint8Array): WavData {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (p: number): string => String.fromCharCode(bytes[p]!, bytes[p + 1]!, bytes[p + 2]!, bytes[p + 3]!);
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not a RIFF/WAVE file');
  let p = 12;
  let fmt: { format: number; channels: number; rate: number; bits: number; align: number } | undefined;
  let data: Uint8Array | undefined;
  while (p + 8 <= bytes.length) {
    const id = tag(p);
    let len = dv.getUint32(p + 4, true);
    const body = p + 8;
    if (id === 'data' && (len === 0xffffffff || body + len > bytes.length)) len = bytes.length - body; // streamed
    if (id === 'fmt ') {
      let format = dv.getUint16(body, true);
      const channels = dv.getUint16(body + 2, true);
      const rate = dv.getUint32(body + 4, true);
      const align = dv.getUint16(body + 12, true);
      const bits = dv.getUint16(body + 14, true);
      if (format === 0xfffe && len >= 26) format = dv.getUint16(body + 24, true); // WAVE_FORMAT_EXTENSIBLE
      fmt = { format, channels, rate, bits, align };
    } else if (id === 'data') {
      data = bytes.subarray(body, body + len);
    }
    p = body + len + (len & 1);
  }
  if (!fmt) throw new Error('WAV: no fmt chunk');
  if (!data) throw new Error('WAV: no data chunk');
  const { format, channels, rate, bits } = fmt;
  const bps = bits / 8;
  const align = fmt.align || channels * bps;
  const frames = Math.floor(data.length / align);
  const ddv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let read: (off: number) => number;
  if (format === 1) {
    if (bits === 16) read = (o) => ddv.getInt16(o, true) / 32768;
    else if (bits === 8) read = (o) => (ddv.getUint8(o) - 128) / 128;
    else if (bits === 24)
      read = (o) => (ddv.getUint8(o) | (ddv.getUint8(o + 1) << 8) | (ddv.getInt8(o + 2) << 16)) / 8388608;
    else if (bits === 32) read = (o) => ddv.getInt32(o, true) / 2147483648;
    else throw new Error(`WAV: unsupported PCM bit depth ${bits}`);
  } else if (format === 3) {
    if (bits === 32) read = (o) => ddv.getFloat32(o, true);
    else if (bits === 64) read = (o) => ddv.getFloat64(o, true);
    else throw new Error(`WAV: unsupported float bit depth ${bits}`);
  } else {
    throw new Error(`WAV: unsupported format tag ${format}`);
  }
  const samples = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += read(i * align + c * bps);
    samples[i] = s / channels;
  }
  return { sampleRate: rate, channels, samples };
}

export function readWav(path: string): WavData {
  return parseWav(new Uint8Array(readFileSync(path)));
}

/** Band-limited (Blackman-windowed sinc) resampling from srcRate to dstRate. */
export function resample(x: Float32Array, srcRate: number, dstRate: number, zeroCrossings = 24): Float32Array {
  if (srcRate === dstRate) return Float32Array.from(x);
  const ratio = dstRate / srcRate;
  const outLen = Math.floor(x.length * ratio);
  const out = new Float32Array(outLen);
  // cutoff as a fraction of the source Nyquist-normalised sample rate (cycles/sample * 2)
  const fc = 0.95 * Math.min(1, ratio);
  const half = zeroCrossings / fc; // kernel half-width in source samples
  const n = x.length;
  for (let i = 0; i < outLen; i++) {
    const t = i / ratio; // position in source samples
    const j0 = Math.max(0, Math.ceil(t - half));
    const j1 = Math.min(n - 1, Math.floor(t + half));
    let acc = 0;
    for (let j = j0; j <= j1; j++) {
      const u = t - j;
      const a = Math.PI * fc * u;
      const sinc = u === 0 ? 1 : Math.sin(a) / a;
      const w = 0.42 + 0.5 * Math.cos((Math.PI * u) / half) + 0.08 * Math.cos((2 * Math.PI * u) / half);
      acc += x[j]! * fc * sinc * w;
    }
    out[i] = acc;
  }
  return out;
}

/** Start index of the loudest `len`-sample window (ties within `tol` resolved to the middle one). */
export function loudestWindowStart(x: Float32Array, len: number, tol = 1e-3): number {
  if (x.length <= len) return 0;
  const cum = new Float64Array(x.length + 1);
  for (let i = 0; i < x.length; i++) cum[i + 1] = cum[i]! + x[i]! * x[i]!;
  const last = x.length - len;
  let best = 0;
  for (let s = 0; s <= last; s++) if (cum[s + len]! - cum[s]! > best) best = cum[s + len]! - cum[s]!;
  const thr = best * (1 - tol);
  // middle of the longest run of near-maximal windows
  let runStart = -1;
  let bestRun: [number, number] = [0, 0];
  for (let s = 0; s <= last + 1; s++) {
    const ok = s <= last && cum[s + len]! - cum[s]! >= thr;
    if (ok && runStart < 0) runStart = s;
    if (!ok && runStart >= 0) {
      if (s - runStart > bestRun[1] - bestRun[0]) bestRun = [runStart, s];
      runStart = -1;
    }
  }
  return Math.floor((bestRun[0] + bestRun[1] - 1) / 2);
}

/** Exactly `len` samples: the loudest window of x, or x zero-padded (centred) if shorter. */
export function loudestSecond(x: Float32Array, len = KWT_SAMPLE_RATE): Float32Array {
  const out = new Float32Array(len);
  if (x.length <= len) {
    out.set(x, Math.floor((len - x.length) / 2));
    return out;
  }
  const s = loudestWindowStart(x, len);
  out.set(x.subarray(s, s + len));
  return out;
}

/** Read a WAV file and return the loudest second at 16 kHz as Float32Array(16000). */
export function loadClip(path: string): Float32Array {
  const w = readWav(path);
  const x = resample(w.samples, w.sampleRate, KWT_SAMPLE_RATE);
  return loudestSecond(x);
}
