// Cycle traces of elsa_dot (two registered stages) and elsa_exp (combinational) from the attention model.
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
  let sum: number | null = null; // stage-2 register
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
  return { module: 'elsa_dot', ...tracePorts(dotModule.ports!(D)), cycles };
}

export function expTrace(D: DesignSpec, seed: number, count = 400): Trace {
  const rng = new Rng(seed);
  const cycles: Cycle[] = [];
  const lim = 2 ** (D.attention.score.bits - 1);
  for (let i = 0; i < count; i++) {
    const s =
      i % 10 === 0 ? (i % 20 === 0 ? lim - 1 : -lim) : i % 3 === 0 ? rng.int(-4000, 4000) : rng.int(-lim, lim - 1);
    const x = expUnit(D, s);
    cycles.push({ in: { score: s }, out: { e: x.e, m: x.m } });
  }
  return { module: 'elsa_exp', ...tracePorts(expModule.ports!(D)), cycles };
}
