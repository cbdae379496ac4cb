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
  return arbiterCycles(
    D,
    Array.from({ length: count }, () =>
      Array.from({ length: D.cfg.pC }, () => (rng.next() < 0.3 ? 0 : rng.int(0, D.cfg.queueDepth))),
    ),
  );
}

/** Every vector of queue counts (0..queueDepth each), when there are at most `most` of them; else null. */
export function arbiterExhaustiveTrace(D: DesignSpec, most = 4096): Trace | null {
  const values = D.cfg.queueDepth + 1;
  if (values ** D.cfg.pC > most) return null;
  const all = Array.from({ length: values ** D.cfg.pC }, (_, i) =>
    Array.from({ length: D.cfg.pC }, (_, c) => Math.floor(i / values ** c) % values),
  );
  return arbiterCycles(D, all);
}

/** The arbiter's model: the longest non-empty queue, the lowest index on a tie. */
function arbiterCycles(D: DesignSpec, countsPerCycle: number[][]): Trace {
  const pC = D.cfg.pC;
  const cycles: Cycle[] = [];
  for (const counts of countsPerCycle) {
    let g = -1;
    for (let c = 0; c < pC; c++) if (counts[c] > 0 && (g < 0 || counts[c] > counts[g])) g = c;
    cycles.push({
      in: { counts: packBus(counts, D.bank.queueCount.bits) },
      out: { grant_valid: g >= 0 ? 1 : 0, grant: g >= 0 ? g : 0 },
    });
  }
  return { module: 'elsa_arbiter', ...tracePorts(arbiterModule.ports!(D)), cycles };
}
