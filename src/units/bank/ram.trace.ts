// Cycle trace for elsa_ram (templates/elsa_ram.v.ejs) at its parameter defaults WIDTH = 8, DEPTH = 16,
// AW = 4 (the generic unit testbench instantiates the module without parameters).
// Semantics: on a rising edge, `we` writes mem[waddr] and `re` loads rdata <= mem[raddr]; both are
// nonblocking, so a read of the address written in the same cycle returns the OLD word. With re low
// rdata holds. Words never written read as X: those rdata values are don't-care (null). Without memBypass the
// design promises never to read and write one address in one cycle (elsa_ram stops the simulation if it does), so
// the trace reads another address then; with memBypass about a quarter of the random cycles collide.
import type { DesignSpec } from '../design.ts';
import { Rng } from '../../spec/rng.ts';
import type { Cycle, Trace } from '../../sim/trace.ts';

export const RAM_DEFAULTS = { width: 8, depth: 16, aw: 4 } as const;

export interface RamTraceInfo {
  trace: Trace;
  /** Checked cycles whose rdata came from a read of the address written in the same earlier cycle. */
  sameAddrChecks: number;
  /** Checked cycles where rdata was held by re = 0 after a defined read. */
  holdChecks: number;
}

export function ramTraceInfo(D: DesignSpec, seed: number, count = 400): RamTraceInfo {
  const { width: W, depth: N } = RAM_DEFAULTS;
  const rng = new Rng(seed);
  const mem: (number | null)[] = new Array<number | null>(N).fill(null);
  let rdata: number | null = null; // register contents as seen in the current cycle
  let rdataSame = false; // the current rdata came from a same-address read/write
  let sameAddrChecks = 0;
  let holdChecks = 0;
  let lastRe = 0;
  const cycles: Cycle[] = [];
  const word = () => (rng.next() < 0.1 ? (rng.next() < 0.5 ? 0 : 2 ** W - 1) : rng.int(0, 2 ** W - 1));
  for (let i = 0; i < count; i++) {
    let we: number, waddr: number, re: number, raddr: number;
    if (i < 6) {
      // start: reads of never-written words (X), then a write and its read-back next cycle
      we = i >= 2 ? 1 : 0;
      waddr = i;
      re = 1;
      raddr = i === 0 ? 3 : i - 1;
    } else if (i < 6 + N) {
      // fill every word (with a read of the previous write each cycle: write→read next cycle)
      we = 1;
      waddr = i - 6;
      re = 1;
      raddr = i === 6 ? N - 1 : i - 7; // word N - 1 is not written yet: X
    } else {
      we = rng.next() < 0.6 ? 1 : 0;
      waddr = rng.int(0, N - 1);
      re = rng.next() < 0.7 ? 1 : 0;
      // with memBypass about a quarter of the cycles read the address written in the same cycle
      raddr = rng.next() < 0.3 ? waddr : rng.int(0, N - 1);
      if (!D.cfg.memBypass && we && re && raddr === waddr) raddr = (waddr + rng.int(1, N - 1)) % N;
    }
    const wdata = word();
    cycles.push({ in: { we, waddr, wdata, re, raddr }, out: { rdata } });
    if (rdata !== null) {
      if (rdataSame) sameAddrChecks++;
      if (!lastRe) holdChecks++;
    }
    // rising edge: the read sees the memory before this cycle's write
    if (re) {
      rdata = mem[raddr];
      rdataSame = we === 1 && waddr === raddr && mem[raddr] !== wdata;
    }
    if (we) mem[waddr] = wdata;
    lastRe = re;
  }
  return {
    trace: {
      module: 'elsa_ram',
      clocked: true,
      inputs: [
        { name: 'we', width: 1 },
        { name: 'waddr', width: RAM_DEFAULTS.aw },
        { name: 'wdata', width: W },
        { name: 're', width: 1 },
        { name: 'raddr', width: RAM_DEFAULTS.aw },
      ],
      outputs: [{ name: 'rdata', width: W }],
      cycles,
    },
    sameAddrChecks,
    holdChecks,
  };
}
