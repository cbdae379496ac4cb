// Candidate selection's Verilog modules: what each template needs besides the design spec
// (contract: ./README.md).
import type { ModuleDef } from '../module.ts';
import { clockPort, doubledSum, input, output, pairTree, signExtend, verilogLiteral, zeroExtend } from '../module.ts';
import type { DesignSpec } from '../design.ts';

export const cosTableModule: ModuleDef = {
  name: 'elsa_cos_table',
  template: 'elsa_cos_table.v.ejs',
  deps: [],
  doc: '(k+1)-entry cos table indexed by the Hamming distance',
  ports: (D) => [
    input('ham', D.candSel.hamming, 'Hamming distance of the query and key hashes, 0..k'),
    output('cos_q', D.candSel.cos, 'round(cos(max(0, π·ham/k − θ_bias))·2^simFrac)', { reg: true }),
  ],
  localparams: () => [],
  view: (D) => {
    const t = D.candSel.cosTable;
    return {
      entries: t.map((c, h) => ({ ham: verilogLiteral(D.candSel.hamming, h), cos: verilogLiteral(D.candSel.cos, c) })),
      // ham is k+1 values in HAM_W bits: the codes above k need a default (the last entry)
      fallback: t.length < 2 ** D.candSel.hamming.bits ? verilogLiteral(D.candSel.cos, t[t.length - 1]) : null,
    };
  },
};

export const candSelModule: ModuleDef = {
  name: 'elsa_cand_sel',
  template: 'elsa_cand_sel.v.ejs',
  deps: ['elsa_cos_table'],
  doc: 'one candidate selection module: XOR, popcount, cos table, × key norm, compare',
  ports: (D) => [
    ...(D.cfg.pipeline.candSel > 0
      ? [clockPort(), input('en', 1, `advance the ${D.cfg.pipeline.candSel} register stage(s) (low: hold them)`)]
      : []),
    input('q_hash', D.hash.code, 'hash of the query'),
    input('key_hash', D.hash.code, 'hash of the key'),
    input('key_norm', D.norm.norm, '‖k‖ of the key'),
    input('thr', D.candSel.thresholdProduct, 'threshold register t·max‖k‖'),
    D.cfg.pipeline.candSel > 0
      ? output('sel', 1, `the key of ${D.cfg.pipeline.candSel} enabled cycle(s) ago is a candidate`, { reg: true })
      : output('sel', 1, 'the key is a candidate: ‖k‖·cos_table[ham] ≥ t·max‖k‖'),
    ...(D.candSel.passOne
      ? [output('est', D.candSel.similarity, 'the estimate ‖k‖·cos_table[ham] (pass 1: top-m histogram, best key)')]
      : []),
  ],
  localparams: (D) => {
    const c = D.candSel;
    // THR_W appears in the body only when the compare widens thr (today SIM_W = THR_W = CMP_W)
    // (or when stage 1 registers it)
    const thr = c.thresholdProduct.bits < c.compare.bits || D.cfg.pipeline.candSel >= 2 ? [c.thresholdProduct] : [];
    const split = D.cfg.pipeline.candSel >= 3 ? [c.split.cosLo, c.split.cosHi, c.split.ppLo, c.split.ppHi] : [];
    const slotLog = cosSlotLog(D);
    const entries = D.candSel.gatedTable
      ? [
          { name: 'COS_ENTRIES', value: 2 ** c.hamming.bits, doc: 'entries of COS_TABLE: every HAM_W-bit code' },
          { name: 'COS_SLOT_LOG', value: slotLog, doc: 'log2 of the bits per COS_TABLE entry' },
          { name: 'COS_SLOT_W', value: 2 ** slotLog, doc: 'bits per COS_TABLE entry: COS_W, up to a power of 2' },
        ]
      : [];
    return [D.hash.code, c.hamming, D.norm.norm, c.cos, c.similarity, ...thr, c.compare, ...split, ...entries];
  },
  view: (D) => ({
    simCmp: signExtend('sim', D.candSel.similarity, D.candSel.compare),
    thrCmp: signExtend(thrOf(D.cfg.pipeline.candSel), D.candSel.thresholdProduct, D.candSel.compare),
    passOne: D.candSel.passOne,
    stages: D.cfg.pipeline.candSel,
    ...splitStages(D),
    dataEnables: D.cfg.dataEnables, // the balanced popcount tree (false: the first RTL's adder chain)
    popcount: popcountWires(D.hash.code.bits),
    gated: D.candSel.gatedTable,
    hamStage: D.candSel.hamStage,
    // the multiplier's cos operand: stage 1's register, or with hamStage stage 2's lookup of the registered ham
    cosOperand: D.candSel.hamStage ? 'cos_e' : 'cos_r',
    cosTable: cosTableLines(D),
    ...hamExpression(popcountLines(D.hash.code.bits)),
  }),
};

/** log2 of the bits per COS_TABLE entry (COS_SLOT_LOG): COS_W rounded up to a power of 2. */
const cosSlotLog = (D: DesignSpec) => Math.ceil(Math.log2(D.candSel.cos.bits));

/** COS_TABLE's entries, 8 per line from the highest code down: entry h (two's complement, zero-padded) in slot h
 *  of 2^COS_SLOT_LOG bits, so that ham selects it by a shift (a multiply by COS_W would synthesise a shifter
 *  around a multiplier: 40 instead of 73 MHz on iCE40); the codes above k hold the last entry, as
 *  elsa_cos_table's default. */
function cosTableLines(D: DesignSpec): { text: string; note: string }[] {
  const t = D.candSel.cosTable;
  const w = D.candSel.cos.bits;
  const n = 2 ** D.candSel.hamming.bits;
  const slot = 2 ** cosSlotLog(D);
  const hex = (h: number) =>
    `${slot}'h${((t[Math.min(h, t.length - 1)] + 2 ** w) % 2 ** w).toString(16).padStart(slot / 4, '0')}`;
  const lines: { text: string; note: string }[] = [];
  for (let hi = n - 1; hi >= 0; hi -= 8) {
    const codes = Array.from({ length: Math.min(8, hi + 1) }, (_, i) => hi - i);
    lines.push({ text: codes.map(hex).join(', ') + (hi >= 8 ? ',' : ''), note: `${hi}..${codes.at(-1)}` });
  }
  return lines;
}

/** Bit i of diff widened to a HAM_W-bit popcount term. */
const popBit = (i: number) => `{{HAM_W-1{1'b0}}, diff[${i}]}`;

/** The popcount of diff[lo..hi-1] as a balanced expression tree of HAM_W-bit adds, split at ⌈n/2⌉: a leaf is one
 *  bit, a node adds two subtrees. */
type PopTree = { lo: number; hi: number; kids: [PopTree, PopTree] | null };
function popcountTree(lo: number, hi: number): PopTree {
  const mid = lo + Math.ceil((hi - lo) / 2);
  return { lo, hi, kids: hi - lo === 1 ? null : [popcountTree(lo, mid), popcountTree(mid, hi)] };
}

/** The popcount of diff (k bits) as named wires pc<level>_<j>, level by level: pairs are added, an odd one out
 *  moves up. */
const popcountWires = (k: number) =>
  pairTree(
    Array.from({ length: k }, (_, i) => popBit(i)),
    (l, j) => `pc${l}_${j}`,
  );

/** The popcount of diff (k bits) as one balanced expression, in lines: up to two bits per line, a pair of subtrees
 *  in parentheses around their lines. */
function popcountLines(k: number): string[] {
  const inline = (t: PopTree): string => (t.kids ? `(${inline(t.kids[0])} + ${inline(t.kids[1])})` : popBit(t.lo));
  const lines = (t: PopTree): string[] => {
    if (!t.kids || t.hi - t.lo <= 2) return [inline(t)];
    const left = lines(t.kids[0]);
    const right = lines(t.kids[1]);
    return [`(${left[0]}`, ...left.slice(1).map((l) => ` ${l}`), ...right.map((l) => ` ${l}`)].map((l, i, all) =>
      i === left.length - 1 ? `${l} +` : i === all.length - 1 ? `${l})` : l,
    );
  };
  return lines(popcountTree(0, k));
}

/** The gated popcount's lines: inside the table index (hamLines), or as the statement that loads ham_r. */
const hamExpression = (lines: string[]) => ({
  hamLines: lines,
  hamStatement: lines.map((l, i) => (i === lines.length - 1 ? `${l};` : l)),
});

/** The threshold at the compare: the input, or its copy in the stage before the compare. */
const thrOf = (L: number) => (L >= 3 ? 'thr_p' : L === 2 ? 'thr_r' : 'thr');

/** pipeline.candSel = 3: the multiply in two registered partial products, summed before the compare. */
function splitStages(D: DesignSpec) {
  return {
    ppStage: D.cfg.pipeline.candSel >= 3,
    ppLoExt: zeroExtend('pp_lo', D.candSel.split.ppLo, D.candSel.similarity),
    // pp_hi · 2^COS_LO_W + pp_lo, aligned with the SIM_W declarations around it
    simX2: doubledSum('sim_x2', D.candSel.similarity, [{ value: 'pp_hi_sh' }, { value: 'pp_lo_x' }], {
      typeW: `wire signed [${D.candSel.similarity.name}-1:0]`.length,
      nameW: 'pp_hi_sh'.length,
    }),
  };
}
