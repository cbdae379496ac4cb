// The bank's Verilog modules: what each template needs besides the design spec (contract: ./README.md).
import type { ModuleDef } from '../module.ts';
import { partialPorts } from '../attention/rtl.ts';
import { clockPort, input, output, pairTree, type PortSpec, resetPort, termLines, verilogLiteral } from '../module.ts';
import type { DesignSpec } from '../design.ts';
import { width, type Width } from '../../spec/width.ts';
import type { TopmSpec } from '../cand_sel/spec.ts';

export const ramModule: ModuleDef = {
  name: 'elsa_ram',
  template: 'elsa_ram.v.ejs',
  deps: [],
  doc: 'simple dual-port RAM with registered read (K, V, key hash and key norm memories)',
  view: (D) => ({ memBypass: D.cfg.memBypass }),
};

export const queueModule: ModuleDef = {
  name: 'elsa_queue',
  template: 'elsa_queue.v.ejs',
  deps: [],
  doc: 'candidate queue (FIFO of local key indices)',
  ports: (D) => [
    clockPort(),
    resetPort(),
    input('push', 1, 'write push_data (never while full: the bank issues rows only with room)'),
    input('push_data', D.bank.keyIndex, 'local key index of a selected key'),
    input('pop', 1, 'drop the head (only when count > 0)'),
    output('head', D.bank.keyIndex, 'oldest entry'),
    output('count', D.bank.queueCount, 'entries held', { reg: true }),
  ],
  localparams: (D) => [
    D.bank.keyIndex,
    D.bank.queuePointer,
    D.bank.queueCount,
    { name: 'QUEUE_DEPTH', value: D.cfg.queueDepth, doc: 'entries' },
    {
      name: 'LAST_PTR',
      value: D.cfg.queueDepth - 1,
      of: D.bank.queuePointer,
      doc: 'pointer of the last entry: wraps to 0',
    },
  ],
};

export const arbiterModule: ModuleDef = {
  name: 'elsa_arbiter',
  template: 'elsa_arbiter.v.ejs',
  deps: [],
  doc: 'longest-queue-first arbiter',
  ports: (D) => [
    input(
      'counts',
      { count: D.cfg.pC, of: D.bank.queueCount },
      'entries of each queue, queue c at [c*QCNT_W +: QCNT_W]',
    ),
    output('grant_valid', 1, 'some queue is non-empty', { reg: !D.cfg.dataEnables }),
    output('grant', D.bank.slot, 'the longest queue (ties: lowest index)', { reg: !D.cfg.dataEnables }),
  ],
  localparams: (D) => [D.bank.queueCount, D.bank.slot],
  view: (D) => ({
    queues: Array.from({ length: D.cfg.pC }, (_, c) => ({ index: c, grant: verilogLiteral(D.bank.slot, c) })),
    // with dataEnables a tournament (log2 P_c compare levels), else the first RTL's chain of P_c compares
    tournament: D.cfg.dataEnables
      ? pairTree(
          Array.from({ length: D.cfg.pC }, (_, c) => `0_${c}`),
          (l, j) => `${l}_${j}`,
        )
      : null,
  }),
};

export const bankModule: ModuleDef = {
  name: 'elsa_bank',
  template: 'elsa_bank.v.ejs',
  deps: ['elsa_ram', 'elsa_cand_sel', 'elsa_queue', 'elsa_arbiter', 'elsa_attention', 'elsa_isqrt'],
  doc:
    'one bank: K/V/hash/norm memories, P_c candidate selection modules and queues, arbiter, ' +
    'attention module, norm unit',
  ports: (D) => {
    const vec = { count: D.cfg.d, of: D.qkv };
    return [
      clockPort(),
      resetPort(),
      ...(D.cfg.kvBuffers === 2 ? twoKeySetPorts(D) : oneKeySetPorts(D)),
      input('qs_start', 1, 'start a query', { group: 'execution' }),
      input('qs_hash', D.hash.code, 'query hash'),
      input('qs_vec', vec, 'query vector'),
      input('thr', D.candSel.thresholdProduct, 'threshold t·max‖k‖ of the query'),
      output('ready', 1, 'qs_start may come in this cycle'),
      ...passOnePorts(D),
      ...partialPorts(D, 'bank'),
    ];
  },
  localparams: (D) => {
    const B = D.bank;
    return [
      D.qkv,
      B.keyIndex,
      B.keyCount,
      B.rowIndex,
      B.rowCount,
      B.slot,
      B.lastRowKeys,
      B.normTag,
      B.queueCount,
      B.queued,
      D.hash.code,
      D.norm.norm,
      D.norm.sumSquares,
      D.candSel.thresholdProduct,
      D.top.dim,
      ...(D.cfg.kvBuffers === 2
        ? []
        : [
            { name: 'BANK_KEYS', value: B.keys, doc: 'keys per bank: nMax/pA' },
            { name: 'BANK_ROWS', value: B.rows, doc: 'candidate selection rows per bank: ceil(keys/pC)' },
          ]),
      { name: 'P_C', value: D.cfg.pC, doc: 'candidate selection modules (and queues) per bank' },
      { name: 'LAST_SLOT', value: D.cfg.pC - 1, of: B.slot, doc: 'slot of the last key of a row: wraps to 0' },
      { name: 'ROW_KEYS', value: D.cfg.pC, of: B.lastRowKeys, doc: 'keys in a full row: P_c' },
      { name: 'ROW_1', value: 1, of: B.rowCount, doc: 'the row after row 0' },
      // P_c in KEY_IDX_W bits: 0 only when one row holds all 2^KEY_IDX_W keys (r_base is then never used)
      {
        name: 'ROW_STRIDE',
        value: D.cfg.pC % 2 ** B.keyIndex.bits,
        of: B.keyIndex,
        doc: 'local index step per row: P_c',
      },
      ...bufferParams(D),
      ...(B.runAhead
        ? []
        : [{ name: 'QUEUE_FULL', value: D.cfg.queueDepth, of: B.queueCount, doc: 'count of a full candidate queue' }]),
      { name: 'ONE_QUEUED', value: 1, of: B.queued, doc: 'one entry left in all queues of the bank' },
      ...(B.runAhead
        ? [
            B.claim,
            { name: 'CLAIM_LAST', value: D.cfg.queueDepth - 1, of: B.claim, doc: 'claim of a queue one short of full' },
            { name: 'CLAIM_FULL', value: D.cfg.queueDepth, of: B.claim, doc: 'claim of a full queue' },
            { name: 'CLAIM_OVER', value: D.cfg.queueDepth + 1, of: B.claim, doc: 'claim of a full queue + a pop' },
          ]
        : []),
      ...(B.overlapTail && !B.earlyStart && !B.runAhead
        ? [
            {
              name: 'TAIL_QUEUED',
              value: D.cfg.pipeline.candSel + 2,
              of: B.queued,
              doc: 'old entries the next query may start over',
            },
          ]
        : []),
      ...(B.earlyStart
        ? [{ name: 'TAIL_FIT', value: 2, of: B.queued, doc: 'old entries the first window cycle lets pass' }]
        : []),
      ...(B.runAhead
        ? [width.unsigned('BND_W', D.cfg.pipeline.candSel + 1, 'opening marks: one per selection stage and the read')]
        : []),
      ...(D.candSel.passOne ? [D.candSel.similarity] : []),
      ...(D.candSel.topm ? [D.candSel.topm.bin, B.histCount, binsParam(D), ...binWindow(D)] : []),
    ];
  },
  view: (D) => {
    const B = D.bank;
    const slots = Array.from({ length: D.cfg.pC }, (_, c) => ({
      index: c,
      slot: verilogLiteral(B.slot, c),
      rowKey: verilogLiteral(B.lastRowKeys, c),
      offset: verilogLiteral(B.keyIndex, c),
      plus: c < D.cfg.pC - 1 ? ' +' : ';',
      and: c < D.cfg.pC - 1 ? ' &&' : ';',
      // top-m pass 1: this slot's key counts 1 in its bin (hb: the bin loop variable)
      hitTerm: zeroExtendBit(`h_hit${c} && (bin${c} == hb[BIN_W-1:0])`, B.histCount),
    }));
    return {
      slots,
      // the arbiter's counts bus and pop_id's chain: slot pC-1 first / last
      countsHighFirst: [...slots].reverse().map((s) => ({ index: s.index, sep: s.index > 0 ? ', ' : '' })),
      popChain: slots.slice(0, -1),
      lastSlot: D.cfg.pC - 1,
      // widths that differ only in some configs: a zero-width extension is not Verilog
      multiRow: B.rowCount.bits > 1,
      lastSlotsExt: B.lastRowKeys.bits > B.slot.bits,
      topm: D.candSel.topm !== null,
      best: D.candSel.best,
      passOne: D.candSel.passOne,
      kvb2: D.cfg.kvBuffers === 2,
      passOneWhat: [D.candSel.topm ? 'a histogram, hist' : '', D.candSel.best ? 'the largest, best_est' : '']
        .filter(Boolean)
        .join('; '),
      // the selection machine starts at qs_start, or after pass 1 at pass 2's start
      selStart: D.candSel.passOne ? 'p2_start' : 'qs_start',
      early: B.earlyStart,
      ...candSelStages(D.cfg.pipeline.candSel),
      ...runAheadView(D),
    };
  },
};

/** kvBuffers = 1: one key set, loaded while no query runs; Σk² through the attention dot product. */
const oneKeySetPorts = (D: DesignSpec): PortSpec[] => {
  const vec = { count: D.cfg.d, of: D.qkv };
  return [
    input('clear', 1, 'new invocation: forget keys and the max norm'),
    input('ld_valid', 1, 'a key row and its value row', { group: 'preprocessing' }),
    input('ld_k', vec, 'key row, written at the next local index'),
    input('ld_v', vec, 'value row'),
    input('h_valid', 1, 'a key hash, in load order'),
    input('h_data', D.hash.code, 'the key hash'),
    output('norms_pending', 1, 'key norms still in the norm pipeline'),
    output('max_norm', D.norm.norm, 'largest key norm since clear', { reg: true }),
  ];
};

/** kvBuffers = 2: two key sets (buffers), one loaded while the other executes; norms come from the top. */
const twoKeySetPorts = (D: DesignSpec): PortSpec[] => {
  const vec = { count: D.cfg.d, of: D.qkv };
  return [
    input('clear', 1, 'execution switches to the loaded key set (rbuf): forget the last query, take its shape'),
    input('rbuf', 1, 'key set (buffer) being executed'),
    input('ld_clear', 1, 'a new invocation loads into wbuf: forget its counters and max norm', {
      group: 'preprocessing',
    }),
    input('wbuf', 1, 'key set (buffer) being loaded'),
    input('ld_valid', 1, 'a key row and its value row'),
    input('ld_k', vec, 'key row, written at the next local index'),
    input('ld_v', vec, 'value row'),
    input('h_valid', 1, 'a key hash, in load order'),
    input('h_data', D.hash.code, 'the key hash'),
    input('nv_valid', 1, 'a key norm, in load order'),
    input('nv_data', D.norm.norm, 'the key norm'),
    output('max_norm', D.norm.norm, 'largest key norm since ld_clear', { reg: true }),
  ];
};

/** kvBuffers = 2: the memories hold two key sets, the buffer bit as the address lsb. */
const bufferParams = (D: DesignSpec) =>
  D.cfg.kvBuffers === 2
    ? [
        width.unsigned('BUF_KEY_W', D.bank.keyIndex.bits + 1, 'K/V memory address: {local key index, buffer}'),
        width.unsigned('BUF_ROW_W', D.bank.rowIndex.bits + 1, 'hash/norm memory address: {row, buffer}'),
        { name: 'BUF_KEYS', value: 2 * D.bank.keys, doc: 'K/V memory words: two key sets' },
        { name: 'BUF_ROWS', value: 2 * D.bank.rows, doc: 'hash/norm memory words per slot: two key sets' },
      ]
    : [];

/** Run-ahead (BankSpec.runAhead, README rule 5b): per selection stage i < L (the read, then the middle stages) the
 *  row of the latest query (from an opening mark at i or later on) and of the draining one (none at i or later). */
function runAheadView(D: DesignSpec) {
  const L = D.cfg.pipeline.candSel;
  const ahead = D.bank.runAhead;
  const stages = ['row_inflight', 'row_mid', 'row_mid2'].slice(0, L);
  const opened = (i: number) => (i === L ? 'bnd_last' : `(|bnd[${L}:${i}])`);
  const sel = D.candSel.passOne ? 'p2_start' : 'qs_start';
  return {
    ahead,
    L,
    // the unknown rows after an advancing cycle besides the issued one, without a start: each stage's row one stage on
    unknownRun: terms(stages.slice(1).map((_, i) => `${stages[i]} && (!pending_run || (|bnd[${L - 1}:${i}]))`)),
    // ... and with a start (row 0 issued if the bank has rows; the rows ahead are the latest query's only if an
    // opening mark is at or behind them)
    unknownStart: terms(['rows_left_start', ...stages.slice(1).map((_, i) => `${stages[i]} && (|bnd[${L - 1}:${i}])`)]),
    // the last stage before the registered results: its row is known after an advancing cycle
    lastUnknown: stages[L - 1],
    drainIdle: stages.map((r, i) => `${r} && !${i === 0 ? 'pending' : opened(i)}`),
    bndYoung: L === 1 ? 'bnd[0]' : `|bnd[${L - 1}:0]`,
    bndShift: L === 1 ? 'bnd[0]' : `${L - 1}:0`,
    advance: ahead ? `${sel} || (!hold && !stall)` : `${sel} || !hold`,
    // candidate selection's stages load only while one of them holds a row (elsa_cand_sel computes its popcount
    // and table lookup in stage 1's enabled block: a simulator evaluates them only then); null: with advance
    selRows: D.candSel.gatedTable ? stages.join(' || ') : null,
    pushOk: ahead ? '!hold && !stall' : '!hold',
    swapNow: `${candSelStages(L).swapReg} && !hold`,
  };
}

/** Terms of a Verilog sum, one a line. */
const terms = (ts: string[]) => termLines(ts, '+');

/** pipeline.candSel = L register stages between the memory read and the push: the registers that carry a row
 *  to its push, and the window of L + 1 cycles after a selection start in which only the old query pops
 *  (fresh, fresh2, … ; the attention module takes the new q in the cycle after it). */
function candSelStages(L: number) {
  const fresh = Array.from({ length: L + 2 }, (_, i) => (i === 0 ? 'fresh' : `fresh${i + 1}`));
  return {
    cs: L,
    pushDelay: L + 1,
    freshMore: fresh.slice(2),
    freshChain: fresh.slice(2).map((to, i) => ({ to, from: fresh[i + 1] })),
    freshOr: fresh.slice(0, L + 1).join(' || '),
    freshWin: L === 0 ? 'fresh' : 'fresh_win',
    swapReg: fresh[L + 1],
    unknownSum: ['row_inflight', 'row_mid', 'row_mid2']
      .slice(0, L)
      .map((r) => `{{QCNT_W{1'b0}}, ${r}}`)
      .join(' + '),
    // the rows between the read and the registered results are idle (every row's keys are in)
    midsIdle: ['row_mid', 'row_mid2']
      .slice(0, Math.max(0, L - 1))
      .map((r) => ` && !${r}`)
      .join(''),
    pushRow: L === 0 ? 'row_b' : 'row_s',
    pushBase: L === 0 ? 'base_b' : 'base_s',
  };
}

/** BINS: the bins of the estimate histogram (top-m selection). */
export const binsParam = (D: DesignSpec) => ({
  name: 'BINS',
  value: D.candSel.topm!.bins,
  doc: 'bins of the estimate histogram (top-m selection)',
});

/** A 1-bit expression zero-extended to w (no zero-count replication). */
const zeroExtendBit = (expr: string, w: Width): string =>
  w.bits === 1 ? `(${expr})` : `{{${w.name}-1{1'b0}}, ${expr}}`;

/** Pass 1's ports of a bank (top-m, emptySet = 'best'): the query's threshold handshake, the histogram and
 *  the largest estimate. */
function passOnePorts(D: DesignSpec): PortSpec[] {
  const t = D.candSel.topm;
  if (!D.candSel.passOne) return [];
  return [
    input('thr_go', 1, 'pass 1 answered: thr holds the query threshold; pass 2 starts (or once hold ends)'),
    output('p1_done', 1, 'pass 1 of the current query is complete (hist, best_est)', { reg: true }),
    ...(D.candSel.best
      ? [output('best_est', D.candSel.similarity, "the query's largest estimate in this bank", { reg: true })]
      : []),
    ...(t ? topmHistPorts(D, t) : []),
  ];
}

function topmHistPorts(D: DesignSpec, t: TopmSpec): PortSpec[] {
  return [
    input('hist_shift', t.shift, 'top-m: right shift of an estimate to its bin (from max‖k‖)'),
    output(
      'hist',
      { count: t.bins, of: D.bank.histCount },
      'top-m: keys per estimate bin, bin b at [b*HIST_CNT_W +: HIST_CNT_W]',
      {
        reg: true,
      },
    ),
  ];
}

/** The histogram window in units of a bin (top-m): floor(est / 2^shift) below BIN_LO or from BIN_HI on
 *  saturates into the end bins. */
const binWindow = (D: DesignSpec) => [
  { name: 'BIN_LO', value: -D.candSel.topm!.bins / 2, of: D.candSel.similarity, doc: 'lowest in-window bin offset' },
  { name: 'BIN_HI', value: D.candSel.topm!.bins / 2, of: D.candSel.similarity, doc: 'first offset past the window' },
];
