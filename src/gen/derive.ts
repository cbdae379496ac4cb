// Every derived width, depth, table and schedule of a design, computed once from the config.
// Templates and the fixed-point model read these values; nothing is recomputed elsewhere.
import { createHash } from 'node:crypto';
import type { ElsaConfig } from './schema.ts';
import { ConfigError } from './errors.ts';
import { Rng } from '../model/rng.ts';
import { chooseFactors, kronMultiplies, randomKronFactors, rowFactors } from '../model/kron.ts';
import { estimateThetaBias } from '../model/theta.ts';

export const clog2 = (x: number): number => (x <= 1 ? 0 : Math.ceil(Math.log2(x)));
/** Bits to hold unsigned values 0..x. */
export const ubits = (x: number): number => Math.max(1, clog2(x + 1));
/** Largest width (bits) the TS model computes with plain Numbers exactly. */
export const MAX_NUMBER_BITS = 52;

/** One lane operation of the hash schedule: out[dst] = Σ coef[t]·in[src[t]]. */
export interface HashLaneOp { dst: number; src: number[]; coef: number[] }
/** One cycle of the hash unit: which buffer it reads (mode m) and what each lane computes. */
export interface HashStep { block: number; mode: number; last: boolean; lanes: HashLaneOp[] }

export interface HashPlan {
  factors: number[];          // f_m: factorisation of d
  rows: number[];             // g_m: rows of each factor (∏ g_m = kb)
  blocks: number;             // k / kb stacked independent Kronecker blocks
  kb: number;                 // hash bits per block
  coefW: number;              // signed width of a quantised coefficient
  coef: number[][][][];       // [block][mode][row][col] quantised integers
  real: number[][][][];       // the same factors before quantisation (float model)
  modeLen: number[];          // elements in buffer m (m = 0..L)
  bufWidths: number[];        // exact signed width of buffer m (m = 0..L): each mode adds coefW + clog2(f_m)
  bufW: number;               // signed width of every hash buffer element (no overflow at any mode)
  stepW: number;              // step counter width
  lanes: number;              // lanes per cycle (max over modes)
  fMax: number;               // operands per lane
  steps: HashStep[];          // the full schedule of one vector
  multiplies: number;         // total multiplies per vector (3·d^(4/3) for d = k = 64)
}

export interface Derived {
  cfg: ElsaConfig;
  hwHash: string;             // 12 hex digits over the hardware fields (stamped into every output)
  qW: number; qF: number;     // Q/K/V element width and fraction bits
  outW: number; outF: number;
  nB: number;                 // keys per bank (nMax / pA), keys interleaved: key y -> bank y % pA
  bankIdW: number;            // local key index width
  rows: number;               // candidate-selection rows per bank: ceil(nB / pC)
  rowW: number;               // row address width
  rowCountW: number;          // row counters 0..rows
  keyCountW: number;          // per-bank key counters 0..nB
  slotW: number;              // selection slot / queue index (also the arbiter's grant), at least 1 bit
  lastSlotW: number;          // keys in the last row, 1..pC
  normTagW: number;           // norm pipeline tag: slot and row of the key norm memory
  queuePtrW: number;          // candidate queue pointers
  bankSelW: number;           // bank index of a key (y mod pA), at least 1 bit
  nW: number;                 // runtime n width (0..nMax)
  qIdxW: number;              // queue occupancy width
  queuedW: number;            // entries in all queues of a bank: 0..pC·queueDepth
  overlapTail: boolean;       // the next query may start while two old entries are still queued (queueDepth ≥ 3)
  hash: HashPlan;
  hashCycles: number;         // S: step cycles per vector
  hashOverlap: boolean;       // the last step does not read buffer 0, so the next start is taken in it
  hashPeriod: number;         // cycles per vector back to back: S with overlap, else S + 1
  thetaBias: number;
  simF: number; cosW: number; cosTable: number[];  // (k+1) entries, signed, value = cos·2^simF
  tW: number;                 // threshold t: signed, simF fraction bits, range [-2, 2)
  hamW: number;
  prodW: number; scoreW: number;        // q·k products and score (2·qF fraction bits)
  normSqW: number; normW: number;       // Σk² (unsigned) and floor(sqrt) in units of 2^-qF
  thrW: number;               // t·max‖k‖ (signed)
  simW: number;               // ‖k‖·cos (signed)
  scoreScale: number;
  expC: number; expCW: number; expYF: number; expYW: number;  // y = score·expC, expYF fraction bits
  expEW: number; expEmax: number; expMF: number; expTable: number[];
  mantW: number;              // M = 2^mF + table: unsigned
  accG: number; accSW: number; accOW: number; accShW: number;  // bank accumulators
  totSW: number; totOW: number;         // after reduction of the P_a partials
  recipIdxBits: number; recipF: number; recipW: number; recipTable: number[];
  divCycles: number;          // d / m_o
  divChunkW: number;          // output-division chunk counter (0: no counter when d / m_o = 1)
  divRshW: number;            // its rounding-shift amount p + recipF + qF - outF - 1, p ≤ totSW - 1
  sqrtLatency: number;
}

const hwFields = (c: ElsaConfig) => {
  // thresholds and name are runtime / naming data, not hardware
  const { thresholds: _t, name: _n, ...hw } = c;
  return hw;
};

/** Canonical JSON (sorted keys) so the hash is independent of key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

function hashPlan(c: ElsaConfig, qW: number): HashPlan {
  const f = chooseFactors(c.d);
  if (!f) throw new ConfigError('d', `must factor into Kronecker factors of 2..8 (prime factors 2, 3, 5, 7), not ${c.d}`, 'choose e.g. 16, 32, 48, 64, 96, 128');
  const kb = Math.min(c.k, c.d);
  if (c.k % c.d !== 0 && c.d % c.k !== 0) throw new ConfigError('k', `must divide d or be a multiple of d (d = ${c.d}), not ${c.k}`, `use k = ${c.d / 2}, ${c.d} or ${2 * c.d}`);
  const g = rowFactors(f, kb);
  if (!g) throw new ConfigError('k', `k = ${c.k} does not split over the factors [${f.join(', ')}] of d`, `use a k that divides ${c.d}`);
  const blocks = c.k / kb;
  const F = c.formats.hashCoefFrac;
  const maxCoef = 2 ** F - 1;
  const rng = new Rng(c.hashSeed);
  const real: number[][][][] = [];
  const coef: number[][][][] = [];
  for (let b = 0; b < blocks; b++) {
    const fac = randomKronFactors(f, g, rng);
    real.push(fac);
    // Scale each factor so its largest entry uses the full range: sign(A·x) is unchanged by it.
    coef.push(fac.map((a) => {
      const mx = Math.max(...a.flat().map(Math.abs));
      return a.map((row) => row.map((x) => Math.round((x * maxCoef) / mx)));
    }));
  }
  const coefW = F + 1;
  const L = f.length;
  const modeLen: number[] = [c.d];
  const bufWidths: number[] = [qW];
  const dims = [...f];
  for (let m = 0; m < L; m++) {
    dims[m] = g[m];
    modeLen.push(dims.reduce((a, b) => a * b, 1));
    bufWidths.push(bufWidths[m] + coefW + clog2(f[m]));
  }
  const bufW = bufWidths[L];
  if (c.mH < Math.max(...f)) throw new ConfigError('mH', `must be at least the largest Kronecker factor ${Math.max(...f)} of d, not ${c.mH}`, `set mH ≥ ${Math.max(...f)}`);
  // Schedule: mode m of block b; each cycle, floor(mH / f_m) lanes each produce one output element.
  const steps: HashStep[] = [];
  let lanesMax = 0;
  for (let b = 0; b < blocks; b++) {
    const cur = [...f];
    for (let m = 0; m < L; m++) {
      const inner = cur.slice(m + 1).reduce((p, q) => p * q, 1);
      const outDims = [...cur];
      outDims[m] = g[m];
      const nOut = outDims.reduce((p, q) => p * q, 1);
      const lanes = Math.min(nOut, Math.floor(c.mH / f[m]));
      lanesMax = Math.max(lanesMax, lanes);
      const ops: HashLaneOp[] = [];
      for (let o = 0; o < nOut; o++) {
        const in_ = o % inner;
        const j = Math.floor(o / inner) % g[m];
        const outer = Math.floor(o / inner / g[m]);
        const src: number[] = [];
        const cf: number[] = [];
        for (let i = 0; i < f[m]; i++) {
          src.push((outer * cur[m] + i) * inner + in_);
          cf.push(coef[b][m][j][i]);
        }
        ops.push({ dst: o, src, coef: cf });
      }
      for (let s = 0; s < ops.length; s += lanes)
        steps.push({ block: b, mode: m, last: false, lanes: ops.slice(s, s + lanes) });
      cur[m] = g[m];
    }
  }
  steps[steps.length - 1].last = true;
  return {
    factors: f, rows: g, blocks, kb, coefW, coef, real, modeLen, bufWidths, bufW, stepW: Math.max(1, clog2(steps.length)), lanes: lanesMax,
    fMax: Math.max(...f), steps, multiplies: blocks * kronMultiplies(f, g),
  };
}

function tableExp(mF: number): number[] {
  return Array.from({ length: 2 ** mF }, (_, i) => Math.min(2 ** mF - 1, Math.round(2 ** mF * (2 ** (i / 2 ** mF) - 1))));
}

export function derive(c: ElsaConfig): Derived {
  const fm = c.formats;
  const qW = 1 + fm.qkv.int + fm.qkv.frac;
  const qF = fm.qkv.frac;
  const out = fm.out ?? fm.qkv;
  const outW = 1 + out.int + out.frac;
  const outF = out.frac;
  if (c.nMax % c.pA !== 0) throw new ConfigError('pA', `must divide nMax = ${c.nMax}, not ${c.pA}`, `choose pA from {${divisors(c.nMax).filter((x) => x <= 16).join(', ')}}`);
  if (c.d % c.mO !== 0) throw new ConfigError('mO', `must divide d = ${c.d}, not ${c.mO}`, `choose mO from {${divisors(c.d).join(', ')}}`);
  const nB = c.nMax / c.pA;
  if (c.pC > nB) throw new ConfigError('pC', `must be at most the bank size nMax/pA = ${nB}, not ${c.pC}`, `set pC ≤ ${nB}`);
  const hash = hashPlan(c, qW);
  const thetaBias = c.thetaBias ?? estimateThetaBias(c.d, c.k);
  const simF = fm.simFrac;
  const cosTable = Array.from({ length: c.k + 1 }, (_, h) => Math.round(Math.cos(Math.max(0, (Math.PI * h) / c.k - thetaBias)) * 2 ** simF));
  const cosW = simF + 2;
  const tW = simF + 2;
  const prodW = 2 * qW;
  const scoreW = prodW + clog2(c.d);
  const normSqW = scoreW - 1;
  const normW = Math.ceil(normSqW / 2);
  const scoreScale = c.scoreScale === 'inv_sqrt_d' ? 1 / Math.sqrt(c.d) : c.scoreScale;
  const expC = Math.round(scoreScale * Math.LOG2E * 2 ** fm.expConstFrac);
  if (expC < 1) throw new ConfigError('formats.expConstFrac', `too few bits for scoreScale·log2(e) = ${scoreScale * Math.LOG2E}`, 'raise expConstFrac');
  const expCW = ubits(expC);
  const expYF = 2 * qF + fm.expConstFrac;
  const expYW = scoreW + expCW + 1;
  const expMF = fm.expFracBits;
  if (expYF < expMF) throw new ConfigError('formats.expConstFrac', `2·qkv.frac + expConstFrac must be ≥ expFracBits = ${expMF}`, 'raise expConstFrac');
  const expEW = fm.expExpBits;
  const expEmax = 2 ** (expEW - 1) - 1;
  const mantW = expMF + 1;
  const accG = fm.accGuard;
  const accSW = mantW + accG + ubits(nB);
  const accOW = qW + mantW + 1 + accG + ubits(nB);
  const accShW = expEW + 1;
  const totSW = mantW + accG + ubits(c.nMax);
  const totOW = qW + mantW + 1 + accG + ubits(c.nMax);
  const recipIdxBits = fm.recipIndexBits;
  const recipF = fm.recipFrac;
  const recipTable = Array.from({ length: 2 ** recipIdxBits }, (_, i) => Math.round(2 ** recipF / (1 + i / 2 ** recipIdxBits)));
  const recipW = recipF + 1;
  if (recipF + expMF + accG + qF - outF < 1) throw new ConfigError('formats.out', `output fraction bits ${outF} too many for recipFrac + expFracBits + accGuard + qkv.frac`, 'lower formats.out.frac or raise formats.recipFrac');
  for (const [field, w] of [['formats.accGuard', accOW], ['formats.qkv', hash.bufW + hash.coefW], ['formats.expConstFrac', expYW]] as const)
    if (w > MAX_NUMBER_BITS) throw new ConfigError(field, `a derived width of ${w} bits exceeds the ${MAX_NUMBER_BITS}-bit limit`, 'use fewer bits');
  const hwHash = createHash('sha256').update(canonicalJson(hwFields(c))).digest('hex').slice(0, 12);
  const rows = Math.ceil(nB / c.pC);
  return {
    cfg: c, hwHash, qW, qF, outW, outF, nB, bankIdW: Math.max(1, clog2(nB)), rows, rowW: Math.max(1, clog2(rows)),
    rowCountW: ubits(rows), keyCountW: ubits(nB), slotW: Math.max(1, clog2(c.pC)), lastSlotW: ubits(c.pC),
    normTagW: Math.max(1, clog2(c.pC)) + Math.max(1, clog2(rows)),
    queuePtrW: Math.max(1, clog2(c.queueDepth)), bankSelW: Math.max(1, clog2(c.pA)),
    nW: ubits(c.nMax), qIdxW: ubits(c.queueDepth), queuedW: ubits(c.pC * c.queueDepth), overlapTail: c.queueDepth >= 3,
    hash, hashCycles: hash.steps.length, hashOverlap: hashOverlaps(hash), hashPeriod: hash.steps.length + (hashOverlaps(hash) ? 0 : 1), thetaBias,
    simF, cosW, cosTable, tW, hamW: ubits(c.k),
    prodW, scoreW, normSqW, normW,
    thrW: tW + normW + 1, simW: cosW + normW + 1,
    scoreScale, expC, expCW, expYF, expYW, expEW, expEmax, expMF, expTable: tableExp(expMF), mantW,
    accG, accSW, accOW, accShW, totSW, totOW,
    recipIdxBits, recipF, recipW, recipTable,
    divCycles: c.d / c.mO, divChunkW: clog2(c.d / c.mO), divRshW: ubits(Math.max(0, totSW - 1 + recipF + qF - outF - 1)),
    sqrtLatency: normW,
  };
}

/** The next vector can be sampled into buffer 0 during the last step only if that step reads another buffer. */
const hashOverlaps = (h: HashPlan): boolean => h.steps[h.steps.length - 1].mode !== 0;

function divisors(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1).filter((x) => n % x === 0);
}
