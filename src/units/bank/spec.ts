// Spec slice of a bank (templates/elsa_bank.v.ejs, elsa_queue.v.ejs, elsa_arbiter.v.ejs, elsa_ram.v.ejs):
// its key share, the rows of P_c candidate selection modules, the candidate queues. Contract:
// src/units/bank/README.md.
import type { ElsaConfig } from '../../spec/schema.ts';
import { ConfigError } from '../../spec/errors.ts';
import { width, type Width } from '../../spec/width.ts';

export interface BankSpec {
  /** Keys per bank (nMax / pA); key y lives in bank y mod pA. */
  keys: number;
  /** Candidate-selection rows per bank: ceil(keys / pC). */
  rows: number;
  keyIndex: Width;
  keyCount: Width;
  rowIndex: Width;
  rowCount: Width;
  /** A selection slot = its queue = the arbiter's grant. */
  slot: Width;
  /** Keys in the last row, 1..pC. */
  lastRowKeys: Width;
  /** Norm pipeline tag: slot and row of the key norm memory. */
  normTag: Width;
  queuePointer: Width;
  queueCount: Width;
  /** Entries in all queues of the bank: 0..pC·queueDepth. */
  queued: Width;
  /** Run-ahead: the latest query's claim on one queue (unknown rows + its queued entries, 0..queueDepth) plus its
   *  pop of the last cycle, not yet counted (README rule 5b, issue path). */
  claim: Width;
  /** The next query may start while L + 2 old entries are still queued or due (queueDepth ≥ L + 3,
   *  L = pipeline.candSel). */
  overlapTail: boolean;
  /** Early start (L = 1 with overlapTail, threshold mode): the next query starts once every row is issued and
   *  its row 0 has room, the last row possibly still unknown; its cycle 1 waits in the first window cycle
   *  until the old entries fit the rest of the window (README rule 5). */
  earlyStart: boolean;
  /** Run-ahead (L = pipeline.candSel ≥ 2): the next query starts once every row is issued and the
   *  last query's first row has been pushed; its rows run through the selection stages behind the old query's, and
   *  its first row waits in the last stage until at most one old entry is queued (README rule 5b). */
  runAhead: boolean;
  /** One bin of the bank's estimate histogram (top-m selection): 0..keys. */
  histCount: Width;
}

export function bankSpec(c: ElsaConfig): BankSpec {
  if (c.nMax % c.pA !== 0)
    throw new ConfigError(
      'pA',
      `must divide nMax = ${c.nMax}, not ${c.pA}`,
      `choose pA from {${divisors(c.nMax)
        .filter((x) => x <= 16)
        .join(', ')}}`,
    );
  const keys = c.nMax / c.pA;
  if (c.pC > keys)
    throw new ConfigError('pC', `must be at most the bank size nMax/pA = ${keys}, not ${c.pC}`, `set pC ≤ ${keys}`);
  const rows = Math.ceil(keys / c.pC);
  const slot = width.index('SLOT_W', c.pC, 'candidate selection slot = queue = arbiter grant');
  const rowIndex = width.index('ROW_W', rows, 'candidate selection row address');
  return {
    keys,
    rows,
    slot,
    rowIndex,
    keyIndex: width.index('KEY_IDX_W', keys, 'local key index in the bank'),
    keyCount: width.forMax('KEY_CNT_W', keys, 'keys loaded into the bank, 0..nMax/pA'),
    rowCount: width.forMax('ROW_CNT_W', rows, 'rows issued, 0..rows'),
    lastRowKeys: width.forMax('LAST_ROW_W', c.pC, 'keys in the last row, 1..pC'),
    normTag: width.unsigned('NORM_TAG_W', slot.bits + rowIndex.bits, 'norm pipeline tag: {slot, row}'),
    queuePointer: width.index('QPTR_W', c.queueDepth, 'candidate queue pointer'),
    queueCount: width.forMax('QCNT_W', c.queueDepth, 'entries in one candidate queue'),
    queued: width.forMax('QUEUED_W', c.pC * c.queueDepth, 'entries in all queues of the bank'),
    claim: width.forMax('CLAIM_W', c.queueDepth + 1, "the latest query's claim on a queue, with a pop to count"),
    overlapTail: c.queueDepth >= c.pipeline.candSel + 3,
    earlyStart: c.pipeline.candSel === 1 && c.queueDepth >= 4 && c.selection !== 'topm' && c.emptySet !== 'best',
    runAhead: c.pipeline.candSel >= 2,
    histCount: width.forMax('HIST_CNT_W', keys, 'keys of the bank in one estimate histogram bin'),
  };
}

export function divisors(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1).filter((x) => n % x === 0);
}
