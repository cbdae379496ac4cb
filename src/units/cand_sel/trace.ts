// Cycle traces of elsa_cos_table and elsa_cand_sel from the candidate selection model.
import type { DesignSpec } from '../design.ts';
import { Rng } from '../../spec/rng.ts';
import { estimate, isCandidate } from './model.ts';
import { packBus, type Cycle, type Trace } from '../../sim/trace.ts';
import { tracePorts } from '../module.ts';
import { candSelModule, cosTableModule } from './rtl.ts';

const bitsOf = (rng: Rng, n: number): number[] => Array.from({ length: n }, () => (rng.next() < 0.5 ? 1 : 0));
const randSigned = (rng: Rng, w: number): number => rng.int(-(2 ** (w - 1)), 2 ** (w - 1) - 1);

export function cosTableTrace(D: DesignSpec): Trace {
  const cycles: Cycle[] = [];
  for (let h = 0; h < 2 ** D.candSel.hamming.bits; h++)
    cycles.push({ in: { ham: h }, out: { cos_q: D.candSel.cosTable[Math.min(h, D.cfg.k)] } });
  return { module: 'elsa_cos_table', ...tracePorts(cosTableModule.ports!(D)), cycles };
}

export function candSelTrace(D: DesignSpec, seed: number, count = 300): Trace {
  const rng = new Rng(seed);
  const k = D.cfg.k;
  const cycles: Cycle[] = [];
  // with pipeline.candSel register stages (enable en): the results in flight, oldest last
  const stages = D.cfg.pipeline.candSel;
  const flight: (number | null)[] = new Array(stages).fill(null);
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
    const sel = isCandidate(D, ham, norm, thr) ? 1 : 0;
    const en = rng.next() < 0.8 ? 1 : 0;
    cycles.push({
      in: { q_hash: packBus(qh, 1), key_hash: packBus(kh, 1), key_norm: norm, thr, ...(stages ? { en } : {}) },
      out: {
        sel: stages ? flight[stages - 1] : sel,
        // pass 1 (top-m, emptySet = 'best'): the estimate the bank collects
        ...(D.candSel.passOne ? { est: estimate(D, ham, norm) } : {}),
      },
    });
    if (stages && en) {
      flight.pop();
      flight.unshift(sel);
    }
  }
  return { module: 'elsa_cand_sel', ...tracePorts(candSelModule.ports!(D)), cycles };
}
