// Spec slice of the hash unit (templates/elsa_hash.v.ejs): the Kronecker factors, their quantised
// coefficients, the buffer widths and the step schedule with at most m_h multipliers per cycle.
// Contract: src/units/hash/README.md.
import type { ElsaConfig } from '../../spec/schema.ts';
import { ConfigError } from '../../spec/errors.ts';
import { Rng } from '../../spec/rng.ts';
import { chooseFactors, kronMultiplies, randomKronFactors, rowFactors } from '../../spec/kron.ts';
import { clog2, width, type Width } from '../../spec/width.ts';

/** One lane operation of the hash schedule: out[dst] = Σ coef[t]·in[src[t]]. */
export interface HashLaneOp {
  dst: number;
  src: number[];
  coef: number[];
}
/** One cycle of the hash unit: which buffer it reads (mode m) and what each lane computes. */
export interface HashStep {
  block: number;
  mode: number;
  last: boolean;
  lanes: HashLaneOp[];
}

export interface HashSpec {
  factors: number[]; // f_m: factorisation of d
  rows: number[]; // g_m: rows of each factor (∏ g_m = kb)
  blocks: number; // k / kb stacked independent Kronecker blocks
  kb: number; // hash bits per block
  coef: Width; // a quantised coefficient: 1 sign + hashCoefFrac
  code: Width; // the hash: k sign bits
  coefs: number[][][][]; // [block][mode][row][col] quantised integers
  real: number[][][][]; // the same factors before quantisation (float model)
  modeLen: number[]; // elements in buffer m (m = 0..L)
  /** Exact signed width of the stored buffers m = 0..L-1 (buffer 0 = x): each mode adds coef + clog2(f_m). */
  buffers: Width[];
  buffer: Width; // lane sums and buffer L, the projections (no overflow at any mode)
  operand: Width; // multiplier operand: buffer L-1, the widest buffer a step reads
  product: Width; // multiplier product: exact for operand × coef
  step: Width; // step counter
  /** Multipliers the schedule uses: in a mode with factor f, lane l takes multipliers l·f .. l·f+f-1. */
  multipliers: number;
  lanes: number; // lanes per cycle (max over modes)
  fMax: number; // operands per lane
  steps: HashStep[]; // the full schedule of one vector
  multiplies: number; // total multiplies per vector (3·d^(4/3) for d = k = 64)
  cycles: number; // S: step cycles per vector
  /** The last step does not read buffer 0, so the next vector is sampled during it. */
  overlap: boolean;
  /** Register stages between the step mux and the buffer writes (HASH_STAGES[pipeline.hash]): each delays every
   *  write by a cycle. */
  stages: number;
  /** Each product is two registered partial products, of the coefficient's high and low part, added back into a
   *  registered product. */
  split: boolean;
  /** The lane sums are registered (the last stage only compares and writes). */
  sumReg: boolean;
  /** What the stages are, for the generated header. */
  stagesDoc: string;
  /** Issue slots of one vector, the step issued in each (null: idle slot). A step reading an element of buffer m
   *  waits for the step that writes it: stages + 1 slots later. Without stages, slot i is step i. */
  slots: (number | null)[];
  /** Cycles from the accepted start to done (S + 1 without stages; the final step's slot + stages + 2). */
  latency: number;
  /** Cycles from the last accepted start until no hash is still to come after the next cycle: the period
   *  (busy, or with stages `pending`, falls then), plus the stages. */
  drain: number;
  /** Cycles per vector back to back: without stages S with overlap, else S + 1; with stages the slots (the next
   *  start is taken in the last slot), padded so that at most two vectors are in flight (latency ≤ 2·period). */
  period: number;
}

/** The step issue slots of one vector with `stages` register stages between a buffer read and its write: a step
 *  issues once the steps that write the elements it reads have written them (in step order). */
function issueSlots(steps: HashStep[], stages: number): (number | null)[] {
  const written = new Map<string, number>(); // buffer:element -> slot of the step that writes it
  const at: number[] = [];
  steps.forEach((s, i) => {
    let slot = i ? at[i - 1] + 1 : 0;
    for (const op of s.lanes)
      for (const e of op.src) slot = Math.max(slot, (written.get(`${s.mode}:${e}`) ?? -Infinity) + stages + 1);
    at.push(slot);
    for (const op of s.lanes) written.set(`${s.mode + 1}:${op.dst}`, slot);
  });
  const slots: (number | null)[] = new Array<number | null>(at[at.length - 1] + 1).fill(null);
  at.forEach((slot, i) => (slots[slot] = i));
  // at most two vectors in flight (the top's queues of hashes in flight): latency ≤ 2·period
  const latency = slots.length + stages + 1;
  while (2 * slots.length < latency) slots.push(null);
  return slots;
}

/** The register stages of each pipeline.hash. 1 registers the products, right after the step mux: the coefficients
 *  stay constants of the step there, which a LUT mapper folds into the partial products (registering the operands
 *  instead costs the full multiplier array: 9 058 LUT4 on small/iCE40, the first RTL 6 968) and a DSP takes as its
 *  output register. 2 computes each product as two registered partial products of half the depth (coefficient high
 *  and low part) and adds them back into registered products; 3 also registers the lane sums. */
const HASH_STAGES = [
  { stages: 0, split: false, sumReg: false, doc: 'none' },
  { stages: 1, split: false, sumReg: false, doc: 'products registered' },
  { stages: 2, split: true, sumReg: false, doc: 'two registered partial products per product, products registered' },
  {
    stages: 3,
    split: true,
    sumReg: true,
    doc: 'two registered partial products per product, products and lane sums registered',
  },
];

export function hashSpec(c: ElsaConfig, qkv: Width): HashSpec {
  const f = chooseFactors(c.d);
  if (!f)
    throw new ConfigError(
      'd',
      `must factor into Kronecker factors of 2..8 (prime factors 2, 3, 5, 7), not ${c.d}`,
      'choose e.g. 16, 32, 48, 64, 96, 128',
    );
  const kb = Math.min(c.k, c.d);
  if (c.k % c.d !== 0 && c.d % c.k !== 0)
    throw new ConfigError(
      'k',
      `must divide d or be a multiple of d (d = ${c.d}), not ${c.k}`,
      `use k = ${c.d / 2}, ${c.d} or ${2 * c.d}`,
    );
  const g = rowFactors(f, kb);
  if (!g)
    throw new ConfigError(
      'k',
      `k = ${c.k} does not split over the factors [${f.join(', ')}] of d`,
      `use a k that divides ${c.d}`,
    );
  const blocks = c.k / kb;
  const F = c.formats.hashCoefFrac;
  const maxCoef = 2 ** F - 1;
  const rng = new Rng(c.hashSeed);
  const real: number[][][][] = [];
  const coefs: number[][][][] = [];
  for (let b = 0; b < blocks; b++) {
    const fac = randomKronFactors(f, g, rng);
    real.push(fac);
    // Scale each factor so its largest entry uses the full range: sign(A·x) is unchanged by it.
    coefs.push(
      fac.map((a) => {
        const mx = Math.max(...a.flat().map(Math.abs));
        return a.map((row) => row.map((x) => Math.round((x * maxCoef) / mx)));
      }),
    );
  }
  const coef = width.fixed('HASH_COEF_W', 0, F, 'hash coefficient: 1 sign + hashCoefFrac');
  const L = f.length;
  const modeLen: number[] = [c.d];
  const bufWidths: number[] = [qkv.bits];
  const dims = [...f];
  for (let m = 0; m < L; m++) {
    dims[m] = g[m];
    modeLen.push(dims.reduce((a, b) => a * b, 1));
    bufWidths.push(bufWidths[m] + coef.bits + clog2(f[m]));
  }
  const buffers = bufWidths
    .slice(0, L)
    .map((w, m) =>
      m === 0 ? qkv : width.signed(`HASH_BUF${m}_W`, w, `hash buffer ${m}: exact result of Kronecker mode ${m - 1}`),
    );
  const operand = width.signed(
    'HASH_MUL_A_W',
    bufWidths[L - 1],
    'hash multiplier operand: the widest buffer a step reads',
  );
  if (c.mH < Math.max(...f))
    throw new ConfigError(
      'mH',
      `must be at least the largest Kronecker factor ${Math.max(...f)} of d, not ${c.mH}`,
      `set mH ≥ ${Math.max(...f)}`,
    );
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
          cf.push(coefs[b][m][j][i]);
        }
        ops.push({ dst: o, src, coef: cf });
      }
      for (let s = 0; s < ops.length; s += lanes)
        steps.push({ block: b, mode: m, last: false, lanes: ops.slice(s, s + lanes) });
      cur[m] = g[m];
    }
  }
  steps[steps.length - 1].last = true;
  const overlap = steps[steps.length - 1].mode !== 0;
  const multipliers = Math.max(...steps.map((s) => s.lanes.length * f[s.mode]));
  if (multipliers > c.mH)
    throw new ConfigError(
      'mH',
      `the hash schedule needs ${multipliers} multipliers, more than mH = ${c.mH}`,
      `set mH ≥ ${multipliers}`,
    );
  const pipe = HASH_STAGES[c.pipeline.hash];
  const stages = pipe.stages;
  const slots = stages ? issueSlots(steps, stages) : steps.map((_, i) => i);
  const T = slots.indexOf(steps.length - 1) + 1;
  const period = stages ? slots.length : steps.length + (overlap ? 0 : 1);
  return {
    factors: f,
    rows: g,
    blocks,
    kb,
    coef,
    coefs,
    real,
    modeLen,
    buffers,
    operand,
    multipliers,
    code: width.unsigned('HASH_W', c.k, 'hash code: k sign bits, bit j = (projection j >= 0)'),
    buffer: width.signed('HASH_SUM_W', bufWidths[L], 'hash lane sum and projection: exact sums of every mode'),
    product: width.signed(
      'HASH_MUL_P_W',
      operand.bits + coef.bits,
      'hash multiplier product: exact for operand x coef',
    ),
    step: width.index('HASH_STEP_W', slots.length, 'hash step counter'),
    lanes: lanesMax,
    fMax: Math.max(...f),
    steps,
    multiplies: blocks * kronMultiplies(f, g),
    cycles: steps.length,
    overlap,
    stages,
    split: pipe.split,
    sumReg: pipe.sumReg,
    stagesDoc: pipe.doc,
    slots,
    latency: T + stages + 1,
    drain: period + stages,
    period,
  };
}
