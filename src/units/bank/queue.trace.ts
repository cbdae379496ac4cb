// Cycle traces of elsa_queue and elsa_arbiter: a FIFO and the longest-queue-first rule.
import type { DesignSpec } from '../design.ts';
import { Rng } from '../../spec/rng.ts';
import { packBus, type Cycle, type Trace } from '../../sim/trace.ts';
import { tracePorts } from '../module.ts';
import { arbiterModule, queueModule } from './rtl.ts';

export function queueTrace(D: DesignSpec, seed: number, count = 400): Trace {
  const rng = new Rng(seed);
  const depth = D.cfg.queueDepth;
  const fifo: number[] = [];
  const cycles: Cycle[] = [{ in: { rst: 1 }, out: {} }];
  for (let i = 0; i < count; i++) {
    const push = fifo.length < depth && rng.next() < 0.55 ? 1 : 0;
    const pop = fifo.length > 0 && rng.next() < 0.5 ? 1 : 0;
    const data = rng.int(0, 2 ** D.bank.keyIndex.bits - 1);
    cycles.push({
      in: { rst: 0, push, push_data: data, pop },
      out: { count: fifo.length, head: fifo.length ? fifo[0] : null },
    });
    if (pop) fifo.shift();
    if (push) fifo.push(data);
  }
  return { module: 'elsa_queue', ...tracePorts(queueModule.ports!(D)), cycles };
}

export function arbiterTrace(D: DesignSpec, seed: number, count = 300): Trace {
  const rng = new Rng(seed);
  const pC = D.cfg.pC;
  const cycles: Cycle[] = [];
  for (let i = 0; i < count; i++) {
    const counts = Array.from({ length: pC }, () => (rng.next() < 0.3 ? 0 : rng.int(0, D.cfg.queueDepth)));
    let g = -1;
    for (let c = 0; c < pC; c++) if (counts[c] > 0 && (g < 0 || counts[c] > counts[g])) g = c;
    cycles.push({
      in: { counts: packBus(counts, D.bank.queueCount.bits) },
      out: { grant_valid: g >= 0 ? 1 : 0, grant: g >= 0 ? g : 0 },
    });
  }
  return { module: 'elsa_arbiter', ...tracePorts(arbiterModule.ports!(D)), cycles };
}
