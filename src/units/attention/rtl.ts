// The attention module's Verilog modules: what each template needs besides the design spec
// (contract: ./README.md).
import type { DesignSpec } from '../design.ts';
import type { ModuleDef } from '../module.ts';
import type { Width } from '../../spec/width.ts';
import { clockPort, doubledSum, input, output, resetPort, verilogLiteral } from '../module.ts';

/** Element indices 0..d-1 of a Q/K/V bus. */
const lanes = (D: DesignSpec): number[] => Array.from({ length: D.cfg.d }, (_, i) => i);

/** pipeline.dot ≥ 2 splits each multiplier into two registered partial products of half the depth (the adder tree
 *  gets one more level, no more latency). */
const dotSplit = (D: DesignSpec): boolean => D.cfg.pipeline.dot >= 2 && D.qkv.bits >= 2;

/** Levels of elsa_dot's adder tree after which a register stage goes (pipeline.dot of them, spread evenly over
 *  the ⌈log2 d⌉ levels; more stages than levels register the root again). */
function treeCuts(d: number, stages: number): number[] {
  const levels = Math.max(1, Math.ceil(Math.log2(d)));
  return Array.from({ length: stages }, (_, i) => Math.min(levels, Math.ceil(((i + 1) * levels) / (stages + 1))));
}

type TreeNode = { name: string; a: string; b: string | null; reg: boolean; x2: ReturnType<typeof doubledSum> | null };

/** The adder tree of elsa_dot: level l+1 node j sums nodes 2j and 2j+1 of level l (an odd last passes); the
 *  nodes of a cut level are registers. Extra cuts at the root level become a chain of registers after it.
 *  `x2` (the sums' width, or null): the level-1 sums, whose terms are the multipliers' registered outputs, are formed
 *  at twice their value, so that no term is bit-aligned with a DSP output and Yosys keeps the add in fabric
 *  (doubledSum, docs/toolchain.md P20). */
function adderTree(terms: number, stages: number, x2: Width | null): { nodes: TreeNode[]; root: string } {
  const cuts = treeCuts(terms, stages);
  const d = terms;
  const nodes: TreeNode[] = [];
  let n = d;
  let lvl = 0;
  while (n > 1) {
    const m = Math.ceil(n / 2);
    const reg = cuts.includes(lvl + 1);
    for (let j = 0; j < m; j++) {
      const name = `sum${lvl + 1}_${j}`;
      const a = `sum${lvl}_${2 * j}`;
      const b = 2 * j + 1 < n ? `sum${lvl}_${2 * j + 1}` : null;
      const sumX2 = x2 && lvl === 0 && b !== null ? doubledSum(`${name}_x2`, x2, [{ value: a }, { value: b }]) : null;
      nodes.push({ name, a, b, reg, x2: sumX2 });
    }
    n = m;
    lvl++;
  }
  // cuts that fell on a level already cut: registers after the root
  const extra = cuts.length - new Set(cuts).size;
  let root = `sum${lvl}_0`;
  for (let i = 1; i <= extra; i++) {
    nodes.push({ name: `sum${lvl}_0_d${i}`, a: root, b: null, reg: true, x2: null });
    root = `sum${lvl}_0_d${i}`;
  }
  return { nodes, root };
}

export const dotModule: ModuleDef = {
  name: 'elsa_dot',
  template: 'elsa_dot.v.ejs',
  deps: [],
  doc: 'd-multiplier dot product with adder tree (attention q·k and norm k·k)',
  ports: (D) => [
    clockPort(),
    input('en', 1, 'advance both stages (low: hold them)'),
    input('a', { count: D.cfg.d, of: D.qkv }, 'vector a, element i at [i*QKV_W +: QKV_W]'),
    input('b', { count: D.cfg.d, of: D.qkv }, 'vector b, element i at [i*QKV_W +: QKV_W]'),
    output(
      'sum',
      D.attention.score,
      `a·b of the inputs ${D.cfg.pipeline.dot ? 2 + D.cfg.pipeline.dot : 'two'} enabled cycles earlier`,
      {
        reg: true,
      },
    ),
  ],
  localparams: (D) => {
    if (!dotSplit(D)) return [D.qkv, D.attention.product, D.attention.score];
    const k = Math.floor(D.qkv.bits / 2);
    return [
      D.qkv,
      D.attention.score,
      { name: 'QKV_SPLIT', value: k, doc: 'b = b_hi·2^QKV_SPLIT + b_lo (b_lo unsigned)' },
      { name: 'PP_HI_W', value: 2 * D.qkv.bits - k, doc: 'partial product a·b_hi' },
      { name: 'PP_LO_W', value: D.qkv.bits + k + 1, doc: 'partial product a·b_lo' },
    ];
  },
  view: (D) => ({
    lanes: lanes(D),
    split: dotSplit(D),
    // leaves of the split tree: a·b_hi·2^k at 2i, a·b_lo at 2i + 1 (level 1 adds them back into a·b)
    leaves: lanes(D).map((i) => ({ i, hi: 2 * i, lo: 2 * i + 1 })),
    // the first RTL (pipeline.dot 0) adds the products as they are
    sumsX2: D.cfg.pipeline.dot > 0,
    tree: adderTree(
      dotSplit(D) ? 2 * D.cfg.d : D.cfg.d,
      D.cfg.pipeline.dot,
      D.cfg.pipeline.dot > 0 ? D.attention.score : null,
    ),
    latency: 2 + D.cfg.pipeline.dot,
    freezes: D.cfg.pipeline.dot ? 'every stage' : 'both stages',
  }),
};

/** pipeline.exp = 2: C = C_hi·2^split + C_lo, split at half of C's bit length (two shorter constant multiplies). */
function expSplit(D: DesignSpec) {
  const x = D.attention.exp;
  const split = Math.ceil(Math.log2(x.constant + 1) / 2);
  return [
    { name: 'EXP_C_SPLIT', value: split, doc: `C = EXP_C_HI·2^EXP_C_SPLIT + EXP_C_LO = ${x.constant}` },
    { name: 'EXP_C_HI', value: Math.floor(x.constant / 2 ** split), of: x.y, doc: 'upper part of C' },
    { name: 'EXP_C_LO', value: x.constant % 2 ** split, of: x.y, doc: 'lower part of C' },
  ];
}

export const expModule: ModuleDef = {
  name: 'elsa_exp',
  template: 'elsa_exp.v.ejs',
  deps: [],
  doc: 'exp unit: score·C, 2^frac table, exponent saturation',
  ports: (D) => [
    ...(D.cfg.pipeline.exp > 0
      ? [clockPort(), input('en', 1, `advance the ${D.cfg.pipeline.exp} register stage(s) (low: hold them)`)]
      : []),
    input('score', D.attention.score, 'score q·k'),
    output('e', D.attention.exp.exponent, 'exponent: floor(score·C) saturated'),
    output('m', D.attention.exp.fraction, 'mantissa fraction: table[top fraction bits of score·C]', { reg: true }),
  ],
  localparams: (D) => {
    const x = D.attention.exp;
    return [
      D.attention.score,
      x.y,
      x.yInt,
      x.exponent,
      x.fraction,
      { name: 'EXP_Y_FRAC', value: x.y.frac, doc: 'fraction bits of y' },
      // pipeline.exp = 2 multiplies by the two parts of C only
      ...(D.cfg.pipeline.exp >= 2
        ? expSplit(D)
        : [{ name: 'EXP_C', value: x.constant, of: x.y, doc: 'C = scoreScale·log2(e)·2^expConstFrac' }]),
      { name: 'EXP_YI_MAX', value: x.exponentMax, of: x.yInt, doc: 'largest exponent, as an integer part of y' },
      { name: 'EXP_YI_MIN', value: -x.exponentMax, of: x.yInt, doc: 'smallest exponent, as an integer part of y' },
      { name: 'EXP_E_MAX', value: x.exponentMax, of: x.exponent, doc: 'largest exponent (saturation)' },
      { name: 'EXP_E_MIN', value: -x.exponentMax, of: x.exponent, doc: 'smallest exponent (saturation)' },
    ];
  },
  view: (D) => {
    const x = D.attention.exp;
    const stages = D.cfg.pipeline.exp;
    return {
      timingNote:
        stages === 0
          ? 'Combinational; the attention pipeline registers the result.'
          : `Latency ${stages}: ` +
            (stages > 1 ? 'two registered partial products, their registered sum' : 'registered product') +
            '; `en` low freezes it.',
      split: stages >= 2,
      // p_hi · 2^EXP_C_SPLIT + p_lo, aligned with the declarations around it
      yX2: doubledSum('y_x2', x.y, [{ value: 'p_hi <<< EXP_C_SPLIT' }, { value: 'p_lo' }], {
        typeW: `wire signed [${x.yInt.name}-1:0]`.length,
      }),
      yReg: stages >= 1,
      // the numbers of the explanatory comment
      f: {
        scale: D.attention.scoreScale.toPrecision(6),
        c: x.constant,
        cFrac: D.cfg.formats.expConstFrac,
        mF: x.mantissaFrac,
        eMax: x.exponentMax,
        eBits: x.exponent.bits,
        size: x.table.length,
      },
      // y bits below the table's resolution exist only when y has more fraction bits than m
      lowBits: x.y.frac > x.mantissaFrac,
      table: x.table.map((t, i) => ({ index: verilogLiteral(x.fraction, i), entry: verilogLiteral(x.fraction, t) })),
    };
  },
};

/** The partial result of a query, the interface from the attention module through its bank to the output
 *  division: registered in the attention module, passed through by the bank (whose part_e is unsigned). */
export function partialPorts(D: DesignSpec, owner: 'attention' | 'bank') {
  const A = D.attention;
  const own = owner === 'attention';
  const reg = { reg: own };
  return [
    output('part_full', 1, 'the partial registers hold a finished query', {
      ...reg,
      group: own ? 'partial output of the last finished query' : 'partial output to the output division',
    }),
    output('part_started', 1, 'the query had at least one key', reg),
    output('part_e', A.exp.exponent, 'block exponent E', { ...reg, signed: own }),
    output('part_s', A.sumE, 'Σe at the block exponent', reg),
    output('part_o', { count: D.cfg.d, of: A.sumEV }, `Σe·v, element i at [i*${A.sumEV.bits} +: ${A.sumEV.bits}]`, reg),
    input('part_clear', 1, 'the output division took the partial'),
  ];
}

export const attentionModule: ModuleDef = {
  name: 'elsa_attention',
  template: 'elsa_attention.v.ejs',
  deps: ['elsa_dot', 'elsa_exp'],
  doc: 'attention computation: q·k, exp, block-exponent Σe and Σe·v, partial outputs',
  ports: (D) => {
    const vec = { count: D.cfg.d, of: D.qkv };
    return [
      clockPort(),
      resetPort(),
      input('q_load', 1, 'latch q_vec as the next query', {
        group: "query vector: q_load latches the next query's, q_swap makes it the one S1 multiplies with",
      }),
      input('q_vec', vec, 'next query vector'),
      input('q_swap', 1, 'the next query becomes the current one'),
      input('in_valid', 1, 'a selected key', {
        group: "S0: one key per cycle; in_eoq marks the query's last key, or alone is a bare end-of-query token",
      }),
      input('in_eoq', 1, 'end of query'),
      input('in_id', D.bank.keyIndex, 'local index of the key'),
      input('pre_valid', 1, 'a key row to compute Σk² of', {
        group: 'S0: preprocessing, key row whose energy Σk² goes to the norm unit',
      }),
      input('pre_k', vec, 'the key row'),
      input('pre_tag', D.bank.normTag, 'where its norm goes: {slot, row}'),
      input('k_row', vec, 'K row of in_id', {
        group: 'S1: K row of the key issued at S0 (registered read in the bank)',
      }),
      output('v_re', 1, 'read the V row of v_raddr', { group: 'S3 → S4: V row read' }),
      output('v_raddr', D.bank.keyIndex, 'local index of the key at S3'),
      input('v_row', vec, 'V row of v_raddr, one cycle after v_re'),
      output('sumsq_valid', 1, 'Σk² of a preprocessing key', {
        group: 'S3: Σk² of a preprocessing key, to the square root unit',
      }),
      output('sumsq', D.norm.sumSquares, 'Σ k_i²'),
      output('sumsq_tag', D.bank.normTag, 'pre_tag of that key'),
      ...partialPorts(D, 'attention'),
      output('hold', 1, 'finished sums wait for the partial registers', {
        group: 'freeze request for the whole bank',
      }),
    ];
  },
  localparams: (D) => {
    const A = D.attention;
    return [
      D.qkv,
      D.bank.keyIndex,
      D.bank.normTag,
      A.score,
      A.exp.exponent,
      A.exp.fraction,
      A.exp.mantissa,
      A.exponentDiff,
      // acc = 3 clamps the exponent differences directly
      ...(D.cfg.pipeline.acc >= 3 ? [] : [A.alignShift]),
      ...(D.cfg.pipeline.acc >= 2 ? [A.alignShiftClamped] : []),
      ...(D.cfg.pipeline.acc >= 3 ? [A.pairShift] : []),
      ...(D.cfg.pipeline.acc >= 3
        ? pairClamp(D)
            .filter((k) => k.clamp)
            .flatMap((k) => [
              { name: `ACC_D_${k.X}MAX`, value: k.max, of: A.exponentDiff, doc: `largest ${k.doc}, as a difference` },
              { name: `ACC_SHC_${k.X}MAX`, value: k.max, of: A.alignShiftClamped, doc: `largest ${k.doc}` },
            ])
        : []),
      A.sumE,
      A.sumEV,
      A.mantTimesV,
      D.norm.sumSquares,
      D.top.dim,
      // no guard bits: no {ACC_GUARD{1'b0}} in the body (a zero replication is not Verilog)
      ...(A.accGuard > 0
        ? [{ name: 'ACC_GUARD', value: A.accGuard, doc: 'guard bits below the accumulated terms' }]
        : []),
    ];
  },
  view: (D) => {
    const { dot, exp, acc } = D.cfg.pipeline;
    const name = (p: string, i: number, first: string) => (i === 0 ? first : `${p}${i}`);
    // x<i>: the dot product's extra adder-tree stages (between S2 and S3, norm requests travel along);
    // y<j>: the exp unit's extra stages (between S3 and S4)
    const extraStages = [
      ...Array.from({ length: dot }, (_, i) => ({
        name: `x${i + 1}`,
        prev: name('x', i, 's2'),
        pre: true,
        what: 'adder tree stage',
      })),
      ...Array.from({ length: exp }, (_, j) => ({
        name: `y${j + 1}`,
        prev: name('y', j, 's3'),
        pre: false,
        what: 'exp unit stage',
      })),
    ];
    return {
      extraStages,
      extraNote:
        `${dot} adder-tree stage(s) x<i> between S2 and S3, ${exp} exp stage(s) y<j> between S3 and S4` +
        (acc === 1 ? ', products M·v registered in S4 and accumulated in S5' : '') +
        (acc === 2 ? ', products M·v registered in S4, the term aligned in S5 and accumulated in S6' : '') +
        (acc >= 3 ? ', products M·v registered in S4, terms aligned and paired in S5, accumulated in S6 and S7' : ''),
      s3From: name('x', dot, 's2'),
      // the stages S3 and S4 take valid and eoq from
      v3: `${name('x', dot, 's2')}_valid`,
      v4: `${name('y', exp, 's3')}_valid`,
      e3: `${name('x', dot, 's2')}_eoq`,
      e4: `${name('y', exp, 's3')}_eoq`,
      vStage: name('y', exp, 's3'),
      expClocked: exp > 0,
      accReg: acc > 0,
      // acc = 2: E and the alignment one term ahead (S4, S5), so the accumulation loop S6 is a shift and an add
      accPre: acc >= 2,
      // acc = 3: two terms at once, a loop of two cycles (S6 shift, S7 add); S8 hands the sums over
      accPair: acc >= 3,
      finishChain: finishChain(acc),
      pairClamp: pairClamp(D),
      shClamp: D.attention.alignShiftClamped.bits < D.attention.alignShift.bits,
      a: ['s4', 's5', 's6', 's8'][acc],
      // config dataEnables: the data registers load only while the pipeline holds something (`occupied`)
      dataEnables: D.cfg.dataEnables,
      dataEn: D.cfg.dataEnables ? 'data_en' : 'advance',
      occupancy: occupancy(extraStages, acc),
      ...attentionView(D),
    };
  },
};

/** The bits that say a pipeline stage holds something, one row per stage (input first), OR-ed into `occupied`. */
function occupancy(extra: { name: string; pre: boolean }[], acc: number) {
  const stage = (n: string, pre: boolean) => [`${n}_valid`, `${n}_eoq`, ...(pre ? [`${n}_pre`] : [])].join(' | ');
  const rows = [
    'in_valid | in_eoq | pre_valid',
    stage('s1', true),
    stage('s2', true),
    ...extra.map((x) => stage(x.name, x.pre)),
    stage('s3', true),
    stage('s4', false),
    ...(acc >= 1 ? [stage('s5', false)] : []),
    ...(acc === 2 ? [stage('s6', false)] : []),
    // acc = 3: a pair's first in h_*, the pair in S6 and S7, the end-of-query marks in S6 … S8
    ...(acc >= 3 ? ['h_valid | h_eoq', 'q_valid | r_valid'] : []),
    ...finishChain(acc).map((x) => `${x.name}_eoq`),
  ];
  return rows.map((text, i) => ({ text, sep: i < rows.length - 1 ? ' |' : ';' }));
}

/** pipeline.acc = 3: the largest shift of Σe·v (o) and Σe (s), and whether an exponent difference can exceed it
 *  (2·exponentMax). */
function pairClamp(D: DesignSpec) {
  const A = D.attention;
  const kind = (x: string, max: number, doc: string) => ({
    x,
    X: x.toUpperCase(),
    max,
    doc,
    clamp: max < 2 * A.exp.exponentMax,
  });
  return [
    kind('o', A.accShiftMax.o, 'shift of Σe·v (ACC_O_W - 1: 0 or -1 from there)'),
    kind('s', A.accShiftMax.s, 'shift of Σe (ACC_S_W: 0 from there)'),
  ];
}

/** pipeline.acc = 3: the stages S6 … S8 that carry the end-of-query mark, E and `started` of an S5 term to the
 *  hand-off (S8), each with the stage it takes them from. */
const finishChain = (acc: number) => (acc >= 3 ? [6, 7, 8].map((n) => ({ name: `s${n}`, prev: `s${n - 1}` })) : []);

const attentionView = (D: DesignSpec) => ({
  lanes: lanes(D),
  // part_o packs lane d-1 first: {o<d-1>_next, ..., o0_next}
  partLanes: lanes(D)
    .reverse()
    .map((i) => ({ index: i, sep: i > 0 ? ', ' : '' })),
  guard: D.attention.accGuard > 0,
  // the numbers of the comments
  f: { guard: D.attention.accGuard, eMax: D.attention.exp.exponentMax, mF: D.attention.exp.mantissaFrac },
});
