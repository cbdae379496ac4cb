// Cycle trace of elsa_isqrt: a registered stage per result bit, input i at the output L cycles later.
import type { DesignSpec } from '../design.ts';
import { Rng } from '../../spec/rng.ts';
import { isqrt } from './model.ts';
import type { Cycle, Trace } from '../../sim/trace.ts';
import { tracePorts } from '../module.ts';
import { isqrtModule } from './rtl.ts';

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
    cycles.push({
      in: { rst: 0, in_valid: valid, in_x: x, in_tag: tag },
      out: { out_valid: head ? 1 : 0, out_root: head ? head.root : null, out_tag: head ? head.tag : null },
    });
    pipe.pop();
    pipe.unshift(valid ? { root: isqrt(x), tag } : null);
  }
  // A pipeline of registered stages shows input i at the output L cycles later.
  return { module: 'elsa_isqrt', ...tracePorts(isqrtModule.ports!(D)), cycles };
}
