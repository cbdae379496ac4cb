// Cycle traces of elsa_dot (two registered stages plus pipeline.dot) and elsa_exp (combinational, or pipeline.exp
// registered stages) from the attention model.
import type { DesignSpec } from '../design.ts';
import { Rng } from '../../spec/rng.ts';
import { expUnit } from './model.ts';
import { packBus, type Cycle, type Trace } from '../../sim/trace.ts';
import { tracePorts } from '../module.ts';
import { dotModule, expModule } from './rtl.ts';

const randSigned = (rng: Rng, w: number): number => rng.int(-(2 ** (w - 1)), 2 ** (w - 1) - 1);

export function dotTrace(D: DesignSpec, seed: number, count = 200): Trace {
  const rng = new Rng(seed);
  const d = D.cfg.d;
  const cycles: Cycle[] = [];
  let prods: number[] | null = null; // stage-1 register contents
  // the sums in the tree's register stages (pipeline.dot of them), then the sum register
  const sums: (number | null)[] = new Array(D.cfg.pipeline.dot + 1).fill(null);
  for (let i = 0; i < count; i++) {
    const sum = sums[sums.length - 1];
    const extreme = i % 9 === 0;
    const a = Array.from({ length: d }, () => (extreme ? -(2 ** (D.qkv.bits - 1)) : randSigned(rng, D.qkv.bits)));
    const b = Array.from({ length: d }, () => (extreme ? -(2 ** (D.qkv.bits - 1)) : randSigned(rng, D.qkv.bits)));
    const en = rng.next() < 0.8 ? 1 : 0;
    cycles.push({ in: { en, a: packBus(a, D.qkv.bits), b: packBus(b, D.qkv.bits) }, out: { sum } });
    if (en) {
      sums.pop();
      sums.unshift(prods ? prods.reduce((s, x) => s + x, 0) : null);
      prods = a.map((x, j) => x * b[j]);
    }
  }
  return { module: 'elsa_dot', ...tracePorts(dotModule.ports!(D)), cycles };
}

export function expTrace(D: DesignSpec, seed: number, count = 400): Trace {
  const rng = new Rng(seed);
  const cycles: Cycle[] = [];
  const lim = 2 ** (D.attention.score.bits - 1);
  // with pipeline.exp register stages (enable en), the scores in flight, oldest last
  const stages = D.cfg.pipeline.exp;
  const flight: (number | null)[] = new Array(stages).fill(null);
  for (let i = 0; i < count; i++) {
    const s =
      i % 10 === 0 ? (i % 20 === 0 ? lim - 1 : -lim) : i % 3 === 0 ? rng.int(-4000, 4000) : rng.int(-lim, lim - 1);
    const shown = stages ? flight[stages - 1] : s;
    const x = shown === null ? null : expUnit(D, shown);
    const en = rng.next() < 0.8 ? 1 : 0;
    cycles.push({ in: { score: s, ...(stages ? { en } : {}) }, out: { e: x?.e ?? null, m: x?.m ?? null } });
    if (stages && en) {
      flight.pop();
      flight.unshift(s);
    }
  }
  return { module: 'elsa_exp', ...tracePorts(expModule.ports!(D)), cycles };
}
