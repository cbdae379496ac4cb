// The bank's Verilog modules: what each template needs besides the design spec (contract: ./README.md).
import type { ModuleDef } from '../module.ts';
import { clockPort, input, output, resetPort, verilogLiteral } from '../module.ts';

export const ramModule: ModuleDef = {
  name: 'elsa_ram', template: 'elsa_ram.v.ejs', deps: [],
  doc: 'simple dual-port RAM with registered read (K, V, key hash and key norm memories)',
};

export const queueModule: ModuleDef = {
  name: 'elsa_queue', template: 'elsa_queue.v.ejs', deps: [],
  doc: 'candidate queue (FIFO of local key indices)',
  ports: (D) => [
    clockPort(), resetPort(),
    input('push', 1, 'write push_data (never while full: the bank issues rows only with room)'),
    input('push_data', D.bank.keyIndex, 'local key index of a selected key'),
    input('pop', 1, 'drop the head (only when count > 0)'),
    output('head', D.bank.keyIndex, 'oldest entry'),
    output('count', D.bank.queueCount, 'entries held', { reg: true }),
  ],
  localparams: (D) => [
    D.bank.keyIndex, D.bank.queuePointer, D.bank.queueCount,
    { name: 'QUEUE_DEPTH', value: D.cfg.queueDepth, doc: 'entries' },
    { name: 'LAST_PTR', value: D.cfg.queueDepth - 1, of: D.bank.queuePointer, doc: 'pointer of the last entry: wraps to 0' },
  ],
};

export const arbiterModule: ModuleDef = {
  name: 'elsa_arbiter', template: 'elsa_arbiter.v.ejs', deps: [],
  doc: 'longest-queue-first arbiter',
  ports: (D) => [
    input('counts', { count: D.cfg.pC, of: D.bank.queueCount }, 'entries of each queue, queue c at [c*QCNT_W +: QCNT_W]'),
    output('grant_valid', 1, 'some queue is non-empty', { reg: true }),
    output('grant', D.bank.slot, 'the longest queue (ties: lowest index)', { reg: true }),
  ],
  localparams: (D) => [D.bank.queueCount, D.bank.slot],
  view: (D) => ({ queues: Array.from({ length: D.cfg.pC }, (_, c) => ({ index: c, grant: verilogLiteral(D.bank.slot, c) })) }),
};

export const bankModule: ModuleDef = {
  name: 'elsa_bank', template: 'elsa_bank.v.ejs',
  deps: ['elsa_ram', 'elsa_cand_sel', 'elsa_queue', 'elsa_arbiter', 'elsa_attention', 'elsa_isqrt'],
  doc: 'one bank: K/V/hash/norm memories, P_c candidate selection modules and queues, arbiter, attention module, norm unit',
};
