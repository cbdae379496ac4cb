// The top level's Verilog module (contract: ./README.md): the host ports, the widths of the buses
// between the hash unit, the banks and the output division, and one entry per bank for the template.
import type { DesignSpec } from '../design.ts';
import type { LocalParam, ModuleDef } from '../module.ts';
import { width } from '../../spec/width.ts';
import { clockPort, input, output, resetPort, signExtend, verilogLiteral, zeroExtend } from '../module.ts';
import { binsParam } from '../bank/rtl.ts';

export const topModule: ModuleDef = {
  name: 'elsa_top',
  template: 'elsa_top.v.ejs',
  deps: ['elsa_hash', 'elsa_bank', 'elsa_output_div'],
  doc: 'top level: controller, host streams, shared hash unit, P_a banks, output division',
  ports: (D) => {
    const row = { count: D.cfg.d, of: D.qkv };
    return [
      clockPort(),
      resetPort(),
      input('start', 1, 'pulse while busy = 0: start an invocation with n and t_q', { group: 'control' }),
      input('n', D.top.n, `runtime n (1..${D.cfg.nMax}), sampled at start`),
      input('t_q', D.candSel.threshold, `threshold t (${D.candSel.simFrac} fraction bits), sampled at start`),
      ...(D.candSel.topm
        ? [input('m', D.top.n, 'top-m: keys kept per query (the bin of the m-th largest estimate), sampled at start')]
        : []),
      ...(D.cfg.kvBuffers === 2
        ? [
            output('busy', 1, 'a start would be refused: an invocation loads or waits to execute'),
            output('done', 1, "one-cycle pulse after each invocation's last output row (or with err)", { reg: true }),
          ]
        : [
            output('busy', 1, 'an invocation is running'),
            output('done', 1, 'one-cycle pulse after the last output row (or with err)', { reg: true }),
          ]),
      output('err', 1, `the last start was rejected (n = 0 or n > ${D.cfg.nMax})`, { reg: true }),
      input('kv_valid', 1, 'key/value row valid', {
        group: 'key and value rows, entity y = 0, 1, ... (preprocessing)',
      }),
      output('kv_ready', 1, 'key/value row accepted'),
      input('kv_k', row, 'key row, element i at [i*QKV_W +: QKV_W]'),
      input('kv_v', row, 'value row, element i at [i*QKV_W +: QKV_W]'),
      input('q_valid', 1, 'query row valid', { group: 'query rows, in order (execution)' }),
      output('q_ready', 1, 'query row accepted'),
      input('q_data', row, 'query row, element i at [i*QKV_W +: QKV_W]'),
      output('o_valid', 1, 'output row valid', { group: 'output rows, in query order' }),
      input('o_ready', 1, 'output row taken'),
      output('o_data', { count: D.cfg.d, of: D.out }, 'output row, element i at [i*OUT_W +: OUT_W]'),
      ...(D.cfg.kvBuffers === 2
        ? [
            output('cycles_pre', D.top.cycleCount, 'start to execution of the executing (or last) invocation', {
              reg: true,
              group: 'cycle counters',
            }),
            output('cycles_exec', D.top.cycleCount, 'execution cycles of the executing (or last) invocation', {
              reg: true,
            }),
          ]
        : [
            output('cycles_pre', D.top.cycleCount, 'preprocessing cycles of the last invocation', {
              reg: true,
              group: 'cycle counters',
            }),
            output('cycles_exec', D.top.cycleCount, 'execution cycles of the last invocation', { reg: true }),
          ]),
    ];
  },
  localparams: (D) => [
    D.qkv,
    D.top.n,
    D.candSel.threshold,
    D.candSel.thresholdProduct,
    D.norm.norm,
    D.top.bankSelect,
    D.hash.code,
    D.attention.exp.exponent,
    D.attention.sumE,
    D.attention.sumEV,
    D.top.cycleCount,
    D.top.dim,
    D.top.banks,
    ...(nMaxChecked(D) ? [{ name: 'N_MAX', value: D.cfg.nMax, of: D.top.n, doc: 'largest valid runtime n' }] : []),
    ...(D.candSel.topm ? [D.candSel.topm.bin, D.candSel.topm.shift, D.bank.histCount, binsParam(D)] : []),
    ...(D.candSel.best ? [D.candSel.similarity] : []),
    ...serialNormParams(D),
    {
      name: 'LAST_BANK',
      value: D.cfg.pA - 1,
      of: D.top.bankSelect,
      doc: 'bank of key y = P_a-1: the next key wraps to 0',
    },
  ],
  view: (D) => {
    const banks = Array.from({ length: D.cfg.pA }, (_, b) => ({ index: b, lit: verilogLiteral(D.top.bankSelect, b) }));
    const t = D.candSel.topm;
    // queryRoom with one key set: "a key / a query is still to come" in registers (kv_more, q_more)
    const moreRegs = D.cfg.kvBuffers === 1 && D.cfg.pipeline.queryRoom === 1;
    return {
      banks: banks.map((b) => ({
        ...b,
        // top-m: bank b's count of bin hb, zero-extended to N_W for the sum over banks
        histTerm: zeroExtend(`hist${b.index}[hb_sum*HIST_CNT_W +: HIST_CNT_W]`, D.bank.histCount, D.top.n),
        plus: b.index < D.cfg.pA - 1 ? ' +' : ';',
      })),
      otherBanks: banks.slice(1),
      nMaxChecked: nMaxChecked(D),
      topm: t !== null,
      best: D.candSel.best,
      passOne: D.candSel.passOne,
      kvb2: D.cfg.kvBuffers === 2,
      queryRoom: D.cfg.pipeline.queryRoom === 1,
      moreRegs,
      // a query is still to come, as q_ready reads it
      qMore: moreRegs ? 'q_more' : '(state == S_EXEC) && (q_count != n_rt)',
      // pipeline.hash: preprocessing ends once no key hash is still to come after the next cycle
      hashPending: D.hash.stages > 0,
      hashIdle: D.hash.stages > 0 ? 'hash_pending' : 'hash_busy',
      // the states counted as preprocessing (with two key sets the load side counts its own cycles)
      preStates: D.cfg.kvBuffers === 2 ? 'state == S_THR' : 'state == S_LOAD || state == S_FINISH || state == S_THR',
      // the execution side's per-query state is reset by a new invocation, or with two key sets by the swap
      exClear: D.cfg.kvBuffers === 2 ? 'swap' : 'start_ok',
      // kvBuffers = 2: the serial Σk² unit's lanes, each square zero-extended to the sum's width
      sqSerial: D.norm.serial.cycles > 1,
      sqLanes: Array.from({ length: D.norm.serial.lanes }, (_, i) => ({
        i,
        ext: zeroExtend(`sq_p${i}`, D.attention.product, D.norm.sumSquares),
        end: i === D.norm.serial.lanes - 1 ? ';' : '',
      })),
      bestThr: signExtend('best_all', D.candSel.similarity, D.candSel.thresholdProduct),
      // top-m: the histogram shift for each bit length L ≥ 1 of max‖k‖ (ascending: the msb's entry wins)
      shiftZero: t ? verilogLiteral(t.shift, t.shiftOf[0]) : '',
      shiftTable: t ? t.shiftOf.slice(1).map((sh, i) => ({ bit: i, shift: verilogLiteral(t.shift, sh) })) : [],
    };
  },
};

/** kvBuffers = 2: the widths and constants of the top's serial Σk² unit. */
function serialNormParams(D: DesignSpec): LocalParam[] {
  if (D.cfg.kvBuffers !== 2) return [];
  const { lanes, cycles } = D.norm.serial;
  const common: LocalParam[] = [D.attention.product, D.norm.sumSquares, D.bank.normTag];
  if (cycles === 1) return common;
  const step = width.index('SQ_STEP_W', cycles, 'step of the serial Σk² unit');
  return [
    ...common,
    step,
    { name: 'SQ_CHUNK_W', value: lanes * D.qkv.bits, doc: 'bits of the elements squared in one step' },
    { name: 'SQ_STEP_1', value: 1, of: step, doc: 'the step after the first' },
    { name: 'SQ_LAST', value: cycles - 1, of: step, doc: 'last step of a key' },
  ];
}

/** n > nMax needs a check unless every N_W-bit n but the largest is valid. */
const nMaxChecked = (D: DesignSpec) => D.cfg.nMax < 2 ** D.top.n.bits - 1;
