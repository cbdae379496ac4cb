// Cycle traces for the leaf modules, from the fixed-point model (src/model/fixed.ts).
import type { DesignSpec } from '../../src/units/design.ts';
import { Rng } from '../../src/spec/rng.ts';
import { expUnit, isCandidate, isqrt } from '../../src/model/fixed.ts';
import { packBus, type Cycle, type Trace } from '../../src/sim/trace.ts';

const bitsOf = (rng: Rng, n: number): number[] => Array.from({ length: n }, () => (rng.next() < 0.5 ? 1 : 0));
const randSigned = (rng: Rng, w: number): number => rng.int(-(2 ** (w - 1)), 2 ** (w - 1) - 1);

export function cosTableTrace(D: DesignSpec): Trace {
  const cycles: Cycle[] = [];
  for (let h = 0; h < 2 ** D.candSel.hamming.bits; h++) cycles.push({ in: { ham: h }, out: { cos_q: D.candSel.cosTable[Math.min(h, D.cfg.k)] } });
  return { module: 'elsa_cos_table', inputs: [{ name: 'ham', width: D.candSel.hamming.bits }], outputs: [{ name: 'cos_q', width: D.candSel.cos.bits }], cycles };
}

export function candSelTrace(D: DesignSpec, seed: number, count = 300): Trace {
  const rng = new Rng(seed);
  const k = D.cfg.k;
  const cycles: Cycle[] = [];
  for (let i = 0; i < count; i++) {
    const qh = bitsOf(rng, k);
    // Hamming distances spread over the whole table: flip a random number of bits.
    const flips = rng.int(0, k);
    const kh = qh.map((b, j) => (j < flips ? 1 - b : b));
    const norm = i % 17 === 0 ? 0 : i % 13 === 0 ? 2 ** D.norm.norm.bits - 1 : rng.int(0, 2 ** D.norm.norm.bits - 1);
    const tQ = i % 11 === 0 ? -(2 ** (D.candSel.threshold.bits - 1)) : randSigned(rng, D.candSel.threshold.bits);
    const maxNorm = Math.max(norm, rng.int(0, 2 ** D.norm.norm.bits - 1));
    const thr = tQ * maxNorm;
    const ham = flips;
    cycles.push({ in: { q_hash: packBus(qh, 1), key_hash: packBus(kh, 1), key_norm: norm, thr }, out: { sel: isCandidate(D, ham, norm, thr) ? 1 : 0 } });
  }
  return {
    module: 'elsa_cand_sel',
    inputs: [{ name: 'q_hash', width: k }, { name: 'key_hash', width: k }, { name: 'key_norm', width: D.norm.norm.bits }, { name: 'thr', width: D.candSel.thresholdProduct.bits }],
    outputs: [{ name: 'sel', width: 1 }],
    cycles,
  };
}

export function queueTrace(D: DesignSpec, seed: number, count = 400): Trace {
  const rng = new Rng(seed);
  const depth = D.cfg.queueDepth;
  const fifo: number[] = [];
  const cycles: Cycle[] = [{ in: { rst: 1 }, out: {} }];
  for (let i = 0; i < count; i++) {
    const push = fifo.length < depth && rng.next() < 0.55 ? 1 : 0;
    const pop = fifo.length > 0 && rng.next() < 0.5 ? 1 : 0;
    const data = rng.int(0, 2 ** D.bank.keyIndex.bits - 1);
    cycles.push({ in: { rst: 0, push, push_data: data, pop }, out: { count: fifo.length, head: fifo.length ? fifo[0] : null } });
    if (pop) fifo.shift();
    if (push) fifo.push(data);
  }
  return {
    module: 'elsa_queue', clocked: true,
    inputs: [{ name: 'rst', width: 1 }, { name: 'push', width: 1 }, { name: 'push_data', width: D.bank.keyIndex.bits }, { name: 'pop', width: 1 }],
    outputs: [{ name: 'head', width: D.bank.keyIndex.bits }, { name: 'count', width: D.bank.queueCount.bits }],
    cycles,
  };
}

export function arbiterTrace(D: DesignSpec, seed: number, count = 300): Trace {
  const rng = new Rng(seed);
  const pC = D.cfg.pC;
  const iw = Math.max(1, Math.ceil(Math.log2(pC)));
  const cycles: Cycle[] = [];
  for (let i = 0; i < count; i++) {
    const counts = Array.from({ length: pC }, () => (rng.next() < 0.3 ? 0 : rng.int(0, D.cfg.queueDepth)));
    let g = -1;
    for (let c = 0; c < pC; c++) if (counts[c] > 0 && (g < 0 || counts[c] > counts[g])) g = c;
    cycles.push({ in: { counts: packBus(counts, D.bank.queueCount.bits) }, out: { grant_valid: g >= 0 ? 1 : 0, grant: g >= 0 ? g : 0 } });
  }
  return {
    module: 'elsa_arbiter',
    inputs: [{ name: 'counts', width: pC * D.bank.queueCount.bits }],
    outputs: [{ name: 'grant_valid', width: 1 }, { name: 'grant', width: iw }],
    cycles,
  };
}

export function dotTrace(D: DesignSpec, seed: number, count = 200): Trace {
  const rng = new Rng(seed);
  const d = D.cfg.d;
  const cycles: Cycle[] = [];
  let prods: number[] | null = null; // stage-1 register contents
  let sum: number | null = null;      // stage-2 register
  for (let i = 0; i < count; i++) {
    const extreme = i % 9 === 0;
    const a = Array.from({ length: d }, () => (extreme ? -(2 ** (D.qkv.bits - 1)) : randSigned(rng, D.qkv.bits)));
    const b = Array.from({ length: d }, () => (extreme ? -(2 ** (D.qkv.bits - 1)) : randSigned(rng, D.qkv.bits)));
    const en = rng.next() < 0.8 ? 1 : 0;
    cycles.push({ in: { en, a: packBus(a, D.qkv.bits), b: packBus(b, D.qkv.bits) }, out: { sum } });
    if (en) {
      sum = prods ? prods.reduce((s, x) => s + x, 0) : null;
      prods = a.map((x, j) => x * b[j]);
    }
  }
  return {
    module: 'elsa_dot', clocked: true,
    inputs: [{ name: 'en', width: 1 }, { name: 'a', width: d * D.qkv.bits }, { name: 'b', width: d * D.qkv.bits }],
    outputs: [{ name: 'sum', width: D.attention.score.bits }],
    cycles,
  };
}

export function isqrtTrace(D: DesignSpec, seed: number, count = 200): Trace {
  const rng = new Rng(seed);
  const tagW = D.bank.normTag.bits;
  const L = D.norm.sqrtLatency;
  const pipe: ({ root: number; tag: number } | null)[] = new Array(L).fill(null);
  const cycles: Cycle[] = [{ in: { rst: 1 }, out: {} }];
  for (let i = 0; i < L; i++) cycles.push({ in: { rst: 0 }, out: {} }); // flush: stage regs have no reset
  for (let i = 0; i < count + L; i++) {
    const valid = i < count && rng.next() < 0.85 ? 1 : 0;
    const maxX = 2 ** D.norm.sumSquares.bits - 1;
    const x = i % 7 === 0 ? maxX : i % 5 === 0 ? rng.int(0, 64) : rng.int(0, maxX);
    const tag = rng.int(0, 2 ** tagW - 1);
    const head = pipe[L - 1];
    cycles.push({ in: { rst: 0, in_valid: valid, in_x: x, in_tag: tag }, out: { out_valid: head ? 1 : 0, out_root: head ? head.root : null, out_tag: head ? head.tag : null } });
    pipe.pop();
    pipe.unshift(valid ? { root: isqrt(x), tag } : null);
  }
  // A pipeline of registered stages shows input i at the output L cycles later.
  return {
    module: 'elsa_isqrt', clocked: true,
    inputs: [{ name: 'rst', width: 1 }, { name: 'in_valid', width: 1 }, { name: 'in_x', width: D.norm.sumSquares.bits }, { name: 'in_tag', width: tagW }],
    outputs: [{ name: 'out_valid', width: 1 }, { name: 'out_root', width: D.norm.norm.bits }, { name: 'out_tag', width: tagW }],
    cycles,
  };
}

export function expTrace(D: DesignSpec, seed: number, count = 400): Trace {
  const rng = new Rng(seed);
  const cycles: Cycle[] = [];
  const lim = 2 ** (D.attention.score.bits - 1);
  for (let i = 0; i < count; i++) {
    const s = i % 10 === 0 ? (i % 20 === 0 ? lim - 1 : -lim) : i % 3 === 0 ? rng.int(-4000, 4000) : rng.int(-lim, lim - 1);
    const x = expUnit(D, s);
    cycles.push({ in: { score: s }, out: { e: x.e, m: x.m } });
  }
  return {
    module: 'elsa_exp',
    inputs: [{ name: 'score', width: D.attention.score.bits }],
    outputs: [{ name: 'e', width: D.attention.exp.exponent.bits }, { name: 'm', width: D.attention.exp.mantissaFrac }],
    cycles,
  };
}

