// Seeded configuration fuzzing: generators of valid (small) configs and of invalid ones with the
// field their error message must name.
import { Rng } from '../spec/rng.ts';
import { chooseFactors, rowFactors } from '../spec/kron.ts';
import type { ElsaConfigInput } from '../spec/schema.ts';

const pick = <T>(rng: Rng, xs: T[]): T => xs[Math.floor(rng.next() * xs.length)];
const divisors = (n: number) => Array.from({ length: n }, (_, i) => i + 1).filter((x) => n % x === 0);

/** A valid config small enough to generate, lint and simulate in seconds. */
export function randomValidConfig(seed: number): ElsaConfigInput {
  const rng = new Rng(seed);
  const d = pick(rng, [4, 6, 8, 12, 16, 24, 32]);
  const f = chooseFactors(d)!;
  const ks = [d / 2, d, 2 * d].filter((k) => Number.isInteger(k) && k >= 2 && (k >= d || rowFactors(f, k)));
  const k = pick(rng, ks);
  const pA = rng.int(1, 4);
  const nMax = pA * rng.int(2, 9);
  const nB = nMax / pA;
  const qInt = rng.int(3, 6),
    qFrac = rng.int(2, 4);
  return {
    name: `fuzz_${seed}`,
    nMax,
    d,
    k,
    pA,
    pC: rng.int(1, Math.min(8, nB)),
    mH: rng.int(Math.max(...f), 4 * d),
    mO: pick(rng, divisors(d)),
    queueDepth: rng.int(2, 6),
    hashSeed: rng.int(0, 1000),
    formats: {
      qkv: { int: qInt, frac: qFrac },
      out: rng.next() < 0.5 ? null : { int: qInt, frac: rng.int(1, 6) },
      simFrac: rng.int(5, 9),
      accGuard: rng.int(4, 14),
      recipFrac: rng.int(8, 14),
    },
    // drawn last, so the other fields of a seed stay what they were before top-m existed
    ...(rng.next() < 0.5 ? { selection: 'topm' as const, topmBinBits: rng.int(2, 6), topmZoom: rng.int(0, 4) } : {}),
    // drawn after top-m for the same reason, the later fields after the earlier ones
    pipeline: {
      candSel: rng.int(0, 3),
      hash: rng.int(0, 3),
      acc: rng.int(0, 3),
      queryRoom: rng.int(0, 1),
    },
    memBypass: rng.next() < 0.5,
  };
}

export interface InvalidCase {
  raw: unknown;
  field: string;
  why: string;
}

/** Invalid configs, each breaking one rule of an otherwise valid config; `field` must appear in the error. */
export function invalidConfigs(seed: number): InvalidCase[] {
  const base = randomValidConfig(seed) as Record<string, unknown> & { d: number; nMax: number; pA: number };
  const rng = new Rng(seed ^ 0xbad);
  const nB = base.nMax / base.pA;
  const badPa = [2, 3, 4, 5, 6, 7].find((x) => base.nMax % x !== 0 && x <= 16) ?? 7;
  const { d: _d, ...withoutD } = base;
  return [
    { raw: { ...base, d: pick(rng, [11, 13, 22, 26]), k: 22, mO: 1 }, field: 'd', why: 'no small Kronecker factors' },
    { raw: { ...base, k: Math.round(base.d * 1.5) + 1 }, field: 'k', why: 'k neither divides nor is a multiple of d' },
    { raw: { ...base, nMax: base.nMax * badPa, pA: badPa, pC: 1 }, field: 'pA', why: 'probe: pA divides, must pass' },
    { raw: { ...base, pA: badPa, pC: 1 }, field: 'pA', why: 'P_a does not divide n_max' },
    { raw: { ...base, mO: base.d + 1 }, field: 'mO', why: 'm_o does not divide d' },
    { raw: { ...base, mH: 1 }, field: 'mH', why: 'fewer hash multipliers than a factor' },
    { raw: { ...base, pC: nB + 1 }, field: 'pC', why: 'more selection modules than keys per bank' },
    { raw: { ...base, turbo: true }, field: 'turbo', why: 'unknown field' },
    { raw: { ...base, nMax: String(base.nMax) }, field: 'nMax', why: 'wrong type' },
    { raw: { ...base, nMax: -4 }, field: 'nMax', why: 'negative' },
    { raw: withoutD, field: 'd', why: 'missing field' },
    { raw: { ...base, name: 'Bad Name' }, field: 'name', why: 'not lower_snake_case' },
    { raw: { ...base, thetaBias: 5 }, field: 'thetaBias', why: 'out of range' },
    { raw: { ...base, queueDepth: 1 }, field: 'queueDepth', why: 'queue too shallow' },
    { raw: { ...base, selection: 'topk' }, field: 'selection', why: 'unknown selection rule' },
    { raw: { ...base, topmBinBits: 7 }, field: 'topmBinBits', why: 'too many histogram bins' },
    { raw: { ...base, formats: { qkv: { int: 5, frac: 99 } } }, field: 'formats.qkv.frac', why: 'too many bits' },
    { raw: { ...base, formats: { simFrac: 7.5 } }, field: 'formats.simFrac', why: 'not an integer' },
    { raw: { ...base, thresholds: { layer0: 3 } }, field: 'thresholds.layer0', why: 't outside [-2, 2]' },
  ].filter((c) => !c.why.startsWith('probe'));
}
