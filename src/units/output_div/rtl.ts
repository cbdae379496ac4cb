// The output division's Verilog module (contract: ./README.md).
import type { DesignSpec } from '../design.ts';
import type { ModuleDef } from '../module.ts';
import { clockPort, input, output, resetPort, signExtend, termLines, verilogLiteral, zeroExtend } from '../module.ts';
import { outputDivTiming } from './timing.ts';

/** Separator before the i-th item of a list written out in the template. */
const sep = (i: number, s: string) => (i === 0 ? '' : s);

// A 25×18 signed DSP multiplier (Xilinx DSP48E1/E2): the widest operands one DSP takes without a cascade.
const DSP_A_BITS = 25;
const DSP_B_BITS = 18;

/** pipeline.outputDiv = 4 with an O wider than a DSP port: split O instead of the reciprocal, at DSP_A_BITS − 1 bits
 *  (o_lo unsigned), so both partial products fit one DSP each (o_hi ≤ DSP_A_BITS, recip < DSP_B_BITS); a narrower O
 *  needs no split for a DSP and keeps the reciprocal split, which halves a LUT multiplier's rows. */
const oSplitOf = (D: DesignSpec) => {
  const { sumEV, recip } = D.outputDiv;
  return (
    D.cfg.pipeline.outputDiv >= 4 &&
    sumEV.bits > DSP_A_BITS &&
    sumEV.bits - (DSP_A_BITS - 1) <= DSP_A_BITS &&
    recip.bits < DSP_B_BITS
  );
};

export const outputDivModule: ModuleDef = {
  name: 'elsa_output_div',
  template: 'elsa_output_div.v.ejs',
  deps: [],
  doc: 'output division: reduce the P_a partials, reciprocal table, m_o multipliers',
  ports: (D) => {
    const { pA, d } = D.cfg;
    const bank = 'bank partials (bank b: bit b of the masks, field b of the buses)';
    return [
      clockPort(),
      resetPort(),
      input('part_full', pA, 'bank b holds its partial of the current query', { group: bank }),
      input('part_started', pA, 'bank b accumulated at least one term (read only with part_full)'),
      input('part_e', { count: pA, of: D.attention.exp.exponent }, 'block exponent e_b (signed)'),
      input('part_s', { count: pA, of: D.attention.sumE }, 'Σe of bank b, in units of 2^e_b'),
      input('part_o', { count: pA * d, of: D.attention.sumEV }, 'Σe·v of bank b, element i in field b·d + i'),
      output('part_clear', 1, 'the partials were read: the banks may replace them', { reg: true }),
      output('o_valid', 1, 'o_data holds a row', { reg: true, group: 'output row' }),
      input('o_ready', 1, 'o_data is taken in this cycle'),
      output('o_data', { count: d, of: D.out }, 'o_i = O_i / S, element i in field i', { reg: true }),
    ];
  },
  localparams: (D) => {
    const od = D.outputDiv;
    const e = D.attention.exp.exponent;
    const chunked = od.chunks > 1;
    return [
      e,
      D.attention.sumE,
      D.attention.sumEV,
      D.attention.alignShift,
      od.sumE,
      od.sumEV,
      od.recipIndex,
      od.recip,
      od.roundShift,
      od.product,
      D.out,
      ...(chunked ? [od.chunk] : []),
      ...(oSplitOf(D)
        ? [{ name: 'DIV_OSPLIT', value: DSP_A_BITS - 1, doc: 'O = o_hi·2^DIV_OSPLIT + o_lo, o_lo unsigned' }]
        : D.cfg.pipeline.outputDiv >= 3
          ? [
              {
                name: 'DIV_SPLIT',
                value: Math.floor(od.recip.bits / 2),
                doc: 'recip = recip_hi·2^DIV_SPLIT + recip_lo',
              },
            ]
          : []),
      D.top.banks,
      D.top.dim,
      ...(chunked ? [{ name: 'LANES', value: D.cfg.mO, doc: 'output lanes m_o: elements per cycle' }] : []),
      // the running maximum's start (without the start cut of outputDiv 4, which selects a winner instead)
      ...(D.cfg.pipeline.outputDiv >= 4
        ? []
        : [{ name: 'E_NONE', value: e.min, of: e, doc: 'running maximum before the first started bank' }]),
      ...(chunked ? [{ name: 'LAST_CHUNK', value: od.chunks - 1, of: od.chunk, doc: 'last chunk of a row' }] : []),
      { name: 'OUT_MIN', value: D.out.min, of: D.out, doc: 'saturation: most negative output element' },
      { name: 'OUT_MAX', value: D.out.max, of: D.out, doc: 'saturation: most positive output element' },
    ];
  },
  view: (D) => {
    const { pA, d, mO } = D.cfg;
    const od = D.outputDiv;
    const att = D.attention;
    const IB = od.recipIndex.bits;
    // rsh = sh − 1 = p + roundShiftBase, clamped: p < −roundShiftBase is unreachable (S ≥ 2^(mF+accG))
    const rshOf = (p: number) => Math.max(0, p + od.roundShiftBase);
    const banks = Array.from({ length: pA }, (_, b) => ({
      id: b,
      prev: b - 1,
      plus: sep(b, ' + '),
      comma: sep(b, ', '),
      // a one-bank part_started is a scalar port: no bit select
      started: pA > 1 ? `part_started[${b}]` : 'part_started',
      eWide: signExtend(`e_${b}`, att.exp.exponent, att.alignShift),
      sWide: zeroExtend(`s_sh_${b}`, att.sumE, od.sumE),
    }));
    // part_o element of bank b, lane l in chunk j: b·d + j·m_o + l
    const selects = (j: number) =>
      banks.flatMap((b) =>
        Array.from({ length: mO }, (_, l) => ({
          name: `${b.id}_${l}`,
          element: b.id * d + j * mO + l,
        })),
      );
    const lanes = Array.from({ length: mO }, (_, l) => ({
      id: l,
      comma: sep(l, ', '),
      // the term of bank b in lane l: o_al_<b>_<l>
      terms: banks.map((b) => ({
        id: `${b.id}_${l}`,
        bank: b.id,
        plus: b.plus,
        wide: signExtend(`o_sh_${b.id}_${l}`, att.sumEV, od.sumEV),
      })),
      oWide: signExtend(`o_${D.cfg.pipeline.outputDiv >= 4 ? 'd' : 'r'}_${l}`, od.sumEV, od.product),
    }));
    const timing = outputDivTiming(D);
    const C = od.chunks;
    // outputDiv = 4 cuts the start stage (E and the shifts E − e_b, then S, then the reciprocal), so the multiply
    // comes one position later and the aligned chunks wait one stage for the reciprocal; after the multiply it is 3
    const cut = timing.extra >= 4 ? 1 : 0;
    const X = timing.extra - cut;
    // outputDiv = 3 puts the partial products' stage before the product register
    const extraStages = [
      ...(X >= 3 ? [{ name: 'pp', what: 'partial product registers' }] : []),
      { name: 'pr', what: 'product register' },
      { name: 'rd', what: 'rounded value register' },
    ]
      .slice(0, X)
      .map((s, i, all) => ({
        ...s,
        prev: i === 0 ? 'mu' : all[i - 1].name,
        range: `${3 + cut + i}..${C + 2 + cut + i}`,
      }));
    return {
      legacy: timing.legacy,
      copy: timing.copy,
      startCut: cut === 1,
      encAt: cut ? 'position 2' : 'cycle 1',
      delayEnd: C + 1,
      delayRange: `2..${C + 1}`,
      mulRange: `${2 + cut}..${C + 1 + X + cut}`,
      mulStart: 2 + cut,
      oSplit: oSplitOf(D),
      extraStages,
      wrStage: ['mu', 'pr', 'rd', 'rd'][X],
      prodReg: X >= 1,
      rndReg: X >= 2,
      ppReg: X >= 3,
      // outputDiv = 3 adds the rounding half into the product register, so the rounded value is a shift of it
      rndSrc: X >= 3 ? 'psh' : 'pinc',
      lastChunk: C - 2,
      partSrc: timing.copy ? 'po_r' : 'part_o',
      copyNote: timing.copy ? '; the P_a·d partial elements → po_r' : '',
      encLoad: timing.legacy ? 'st_enc' : 'st_enc && adv',
      alLoad: timing.legacy ? 'al_act' : 'al_act && adv',
      clearWhy: timing.copy ? 'the partials were copied in position 0' : `the partials were last read in position ${C}`,
      nextWhy: timing.copy
        ? 'the align stage takes a row after its last chunk, not in the part_clear cycle'
        : 'after the part_clear pulse, once the banks hold the next partials',
      // numbers of the explanatory comments
      pA,
      mO,
      rowCycles: od.chunks,
      chunkElements: `[j*${mO}, j*${mO}+${mO - 1}]`,
      recipFrac: od.recip.frac,
      shRule: `${od.recip.frac} + p + ${D.qkv.frac} − ${D.out.frac}`,
      outBits: D.out.bits,
      alignEnd: od.chunks,
      mulEnd: od.chunks + 1 + cut,
      clearAt: timing.clearAt,
      validAt: timing.validAt,
      nextAt: timing.next,
      chunked: od.chunks > 1,
      banks,
      // without the start cut the first RTL's running maximum (P_a − 1 compare levels), with it a winner's select
      laterBanks: banks.slice(1),
      eMaxChain: signExtend(`emax_${pA - 1}`, att.exp.exponent, att.alignShift),
      ...shiftSelect(pA, (b) => banks[b].started),
      oneBank: pA === 1,
      shZero: verilogLiteral(att.alignShift, 0),
      rshRule: od.roundShiftBase >= 0 ? `p + ${od.roundShiftBase}` : `max(0, p − ${-od.roundShiftBase})`,
      rshZero: verilogLiteral(od.roundShift, rshOf(0)),
      // msb p of S: f = the IB bits below it, zero-filled when p < IB
      msbs: Array.from({ length: od.sumE.bits }, (_, p) => {
        const f =
          p >= IB
            ? `s_r[${p - 1}:${p - IB}]`
            : p === 0
              ? verilogLiteral(od.recipIndex, 0)
              : `{s_r[${p - 1}:0], ${IB - p}'d0}`;
        return { bit: p, f, rsh: verilogLiteral(od.roundShift, rshOf(p)) };
      }),
      recipEntries: od.recipTable.map((t, i) => ({
        key: i < od.recipTable.length - 1 ? verilogLiteral(od.recipIndex, i) : 'default',
        value: verilogLiteral(od.recip, t),
      })),
      selectRegs: selects(0),
      chunks: Array.from({ length: od.chunks }, (_, j) => ({
        key: j < od.chunks - 1 ? verilogLiteral(od.chunk, j) : 'default',
        selects: selects(j),
      })),
      lanes,
      lanesHighFirst: lanes.map((l, i) => ({ id: mO - 1 - l.id, comma: sep(i, ', ') })),
      recipWide: zeroExtend('recip_r', od.recip, od.product),
    };
  },
};

/** The start cut's shifts (pipeline.outputDiv 4) without a maximum before the subtraction: the pairs' compares,
 *  the winner (the started bank with the largest exponent, the lower index on a tie) and every difference e_i − e_b
 *  side by side, then E − e_b is the winner's difference, an AND-OR select. Paper's 4 banks on Xilinx: 12 LUT
 *  levels as a running maximum, 7 as a tree of maxima, and no longer the module's longest path this way (6 LUT
 *  + 13 carries elsewhere; +141 LUT of 29 612). */
function shiftSelect(pA: number, started: (b: number) => string) {
  const ids = Array.from({ length: pA }, (_, b) => b);
  const shiftCompares = ids.flatMap((i) => ids.filter((j) => j > i).map((j) => ({ i, j })));
  // i beats a started j when e_i ≥ e_j (j > i) or e_i > e_j (j < i, so j wins the tie)
  const beats = (i: number, j: number) => `(!${started(j)} || ${j > i ? `ge_${i}_${j}` : `!ge_${j}_${i}`})`;
  const shiftWins = ids.map((i) => ({
    id: i,
    lines: termLines([started(i), ...ids.filter((j) => j !== i).map((j) => beats(i, j))], '&&'),
  }));
  const shiftDiffs = ids.flatMap((to) => ids.filter((from) => from !== to).map((from) => ({ from, to })));
  const shiftSelects = ids.map((to) => {
    const terms = ids.filter((from) => from !== to).map((from) => `({ACC_SH_W{win_${from}}} & d_${from}_${to})`);
    return { id: to, lines: termLines(terms, '|') };
  });
  return { shiftCompares, shiftWins, shiftDiffs, shiftSelects };
}
