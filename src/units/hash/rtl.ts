// The hash unit's Verilog module (contract: ./README.md): ports, localparams and the datapath the
// template walks: per step the multiplier routing, per lane the adder, per step the register writes.
import type { DesignSpec } from '../design.ts';
import type { HashStep } from './spec.ts';
import type { ModuleDef } from '../module.ts';
import { clockPort, doubledSum, input, output, resetPort, verilogLiteral } from '../module.ts';

const sumName = (g: number, l: number) => `sum${g}_${l}`;
const posName = (g: number, l: number) => `pos${g}_${l}`;
const bufName = (m: number, e: number) => `buf${m}_${e}`;
const count = (n: number) => Array.from({ length: n }, (_, i) => i);

/** What the template of elsa_hash walks, all computed from the step schedule D.hash.steps. */
function hashView(D: DesignSpec) {
  const H = D.hash;
  const f = H.factors;
  const L = f.length;
  const S = H.steps.length;
  const k = D.cfg.k;
  // Buffer L is never stored: the last mode's sums only feed the hash bits.
  const bufWidth = (m: number) => (m < L ? H.buffers[m] : H.buffer);
  // One adder set per distinct factor size g: lanesOf[g] lane sums of g products each; a lane sum is
  // written at most topOf[g][l] bits wide (an intermediate buffer, or the full sum for its sign).
  const sizes = [...new Set(f)].sort((a, b) => b - a);
  const lanesOf = new Map(sizes.map((g) => [g, 0]));
  const topOf = new Map(sizes.map((g) => [g, [] as number[]]));
  for (const s of H.steps) {
    const g = f[s.mode];
    lanesOf.set(g, Math.max(lanesOf.get(g)!, s.lanes.length));
    s.lanes.forEach((_, l) => (topOf.get(g)![l] = Math.max(topOf.get(g)![l] ?? 0, s.mode + 1)));
  }
  // Hash bits written by the final step go straight to `hash`; the others wait in hacc_* registers.
  const finalStep = H.steps[S - 1];
  const finalBits = new Map<number, string>();
  finalStep.lanes.forEach((op, l) => finalBits.set(finalStep.block * H.kb + op.dst, posName(f[finalStep.mode], l)));
  const accBits = count(k).filter((j) => !finalBits.has(j));
  const stepDesc = (s: HashStep) => {
    const a = s.lanes[0].dst;
    const b = s.lanes[s.lanes.length - 1].dst;
    const o = s.block * H.kb;
    const to = s.mode === L - 1 ? `hash bits ${o + a}..${o + b}` : `buffer ${s.mode + 1} [${a}..${b}]`;
    return `block ${s.block}, mode ${s.mode}: buffer ${s.mode} -> ${to}`;
  };
  const steps = H.steps.map((s, i) => {
    const g = f[s.mode];
    const src = H.buffers[s.mode];
    return {
      index: i,
      lit: verilogLiteral(H.step, H.slots.indexOf(i)),
      desc: stepDesc(s),
      // in a mode with factor g, lane l uses multipliers l*g .. l*g+g-1
      uses: s.lanes.flatMap((op, l) =>
        count(g).map((t) => ({
          mul: l * g + t,
          src: bufName(s.mode, op.src[t]),
          width: src.name,
          extend: src.bits < H.operand.bits,
          coef: verilogLiteral(H.coef, op.coef[t]),
        })),
      ),
      // each step stores its lane sums into the next buffer, or (last mode, not the final step) their signs
      buffers:
        s.mode < L - 1
          ? s.lanes.map((op, l) => ({
              dst: bufName(s.mode + 1, op.dst),
              sum: sumName(g, l),
              width: H.buffers[s.mode + 1].name,
            }))
          : [],
      bits:
        s.mode === L - 1 && i !== S - 1
          ? s.lanes.map((op, l) => ({ bit: s.block * H.kb + op.dst, pos: posName(g, l) }))
          : [],
    };
  });
  const lanes = sizes.flatMap((g) => count(lanesOf.get(g)!).map((l) => ({ g, l, top: topOf.get(g)![l] })));
  // pipeline.hash > 0: the step counter walks the issue slots; writes are decoded from the slot `stages` later
  const stageNo = count(H.stages).map((i) => i + 1);
  const terms = (g: number, l: number) => count(g).map((t) => `xp_${l * g + t}`);
  const piped = {
    stages: stageNo.map((i) => ({ i, prev: i - 1 })),
    pending: stageNo.slice(0, -1).map((i) => `wval_${i}`),
    last: H.stages,
    split: H.split,
    // the partial products added back into a·c: a·c_hi·2^HASH_COEF_SPLIT + a·c_lo (sign-extended)
    prodSums: (H.split ? count(H.multipliers) : []).map((p) => ({
      p,
      x2: doubledSum(
        `prod_x2_${p}`,
        H.product,
        [
          { value: `pp_hi_${p}`, shift: 'HASH_COEF_SPLIT' },
          { value: `pp_lo_${p}`, extend: `{(${H.product.name}-HASH_PP_LO_W){pp_lo_${p}[HASH_PP_LO_W-1]}}` },
        ],
        { wrap: true },
      ),
    })),
    sumReg: H.sumReg,
    // products straight from the multipliers' registers (no split): lane sums at twice their value
    sumsX2: !H.split,
    sums: lanes.map(({ g, l }) => ({
      name: sumName(g, l),
      terms: terms(g, l).map((name, i) => ({ name, plus: i ? '+ ' : '' })),
      x2: H.split
        ? null
        : doubledSum(
            `${sumName(g, l)}_x2`,
            H.buffer,
            terms(g, l).map((value) => ({ value })),
          ),
    })),
  };
  const hashBits = count(k)
    .map((i) => k - 1 - i)
    .map((j) => finalBits.get(j) ?? `hacc_${j}`);
  const rows = count(Math.ceil(k / 8)).map((r) => hashBits.slice(8 * r, 8 * r + 8).join(', '));
  const stored = count(L).slice(1);
  return {
    shape: `${H.blocks > 1 ? `${H.blocks} stacked blocks of ` : ''}${f
      .map((fm, m) => `${H.rows[m]}x${fm}`)
      .join(' ⊗ ')}`,
    lastMode: L - 1,
    piped: H.stages ? piped : null,
    // the buffer writes and the hash register: from the last stage's slot, or from the step itself
    write: H.stages
      ? { valid: `wval_${H.stages}`, step: `wstep_${H.stages}`, final: 'final_write' }
      : { valid: 'busy_r', step: 'step', final: 'busy_r && last_step' },
    nSlots: H.slots.length,
    idleSlots: H.slots.length - S,
    dataEnables: D.cfg.dataEnables, // operand isolation while idle
    storedWidths: stored.map((m) => H.buffers[m].name).join(', ') || 'none kept',
    buffers: count(L).map((m) => ({ width: H.buffers[m].name, regs: count(H.modeLen[m]).map((e) => bufName(m, e)) })),
    inputs: count(D.cfg.d).map((e) => ({ reg: bufName(0, e), index: e })),
    accBits,
    multipliers: count(H.multipliers),
    steps,
    sums: lanes.map(({ g, l }) => ({
      name: sumName(g, l),
      terms: count(g).map((t) => ({
        plus: t ? '+ ' : '',
        prod: `prod_${l * g + t}`,
        extend: H.product.bits < H.buffer.bits,
      })),
    })),
    signs: lanes.filter((x) => x.top === L).map(({ g, l }) => ({ pos: posName(g, l), sum: sumName(g, l) })),
    unusedSumBits: lanes
      .filter((x) => x.top < L)
      .map(({ g, l, top }, i) => ({ sep: i ? ', ' : '', sum: sumName(g, l), top: bufWidth(top).name })),
    sumZero: verilogLiteral(H.buffer, 0),
    writes: steps.filter((s) => s.buffers.length + s.bits.length > 0),
    hashRows: rows.map((bits, r) => ({ bits, sep: r < rows.length - 1 ? ',' : '' })),
  };
}

/** pipeline.hash ≥ 3: coefficient c = c_hi·2^HASH_COEF_SPLIT + c_lo (c_lo unsigned), split at half its bits. */
function hashSplitParams(D: DesignSpec) {
  const H = D.hash;
  const k = Math.floor(H.coef.bits / 2);
  return [
    { name: 'HASH_COEF_SPLIT', value: k, doc: 'c = c_hi·2^HASH_COEF_SPLIT + c_lo (c_lo unsigned)' },
    { name: 'HASH_PP_HI_W', value: H.operand.bits + H.coef.bits - k, doc: 'hash partial product a·c_hi' },
    { name: 'HASH_PP_LO_W', value: H.operand.bits + k + 1, doc: 'hash partial product a·c_lo' },
  ];
}

export const hashModule: ModuleDef = {
  name: 'elsa_hash',
  template: 'elsa_hash.v.ejs',
  deps: [],
  doc: 'Kronecker-structured hash computation with m_h multipliers',
  ports: (D) => [
    clockPort(),
    resetPort(),
    input('start', 1, 'hash x: taken when busy is low (x sampled then)'),
    input('x', { count: D.cfg.d, of: D.qkv }, 'input vector, element i at [i*QKV_W +: QKV_W]'),
    output('busy', 1, 'a start would be ignored'),
    output('done', 1, 'one-cycle pulse: hash holds the new value', { reg: true }),
    output('hash', D.hash.code, 'bit j = (projection j >= 0); holds until the next done', { reg: true }),
    ...(D.hash.stages ? [output('pending', 1, 'low: every accepted vector is done or is done in the next cycle')] : []),
  ],
  localparams: (D) => [
    ...D.hash.buffers,
    D.hash.operand,
    D.hash.coef,
    D.hash.product,
    D.hash.buffer,
    D.hash.step,
    D.hash.code,
    ...(D.hash.split ? hashSplitParams(D) : []),
    { name: 'HASH_LAST_STEP', value: D.hash.slots.length - 1, of: D.hash.step, doc: 'the last step of a vector' },
    ...(D.hash.stages
      ? [
          {
            name: 'HASH_FINAL_STEP',
            value: D.hash.slots.indexOf(D.hash.steps.length - 1),
            of: D.hash.step,
            doc: 'the slot of the final step',
          },
        ]
      : []),
  ],
  view: hashView,
};
