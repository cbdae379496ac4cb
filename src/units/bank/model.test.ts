// bankOrder(), the cycle-exact statement of the bank's rules (./README.md): every selected key leaves
// exactly once, and back-to-back queries keep the ready and end-of-query rules for every queue depth.
import { describe, expect, it } from 'vitest';
import { PRESETS, resolveConfig } from '../../gen/config.ts';
import { Rng } from '../../spec/rng.ts';
import { bankOrder, stallAt } from './model.ts';

const paper = resolveConfig(PRESETS.paper);

describe('bank model', () => {
  it('bank arbitration delivers every selected key exactly once, one per cycle at best', () => {
    const rng = new Rng(3);
    for (let trial = 0; trial < 200; trial++) {
      const nb = rng.int(0, paper.bank.keys);
      const mask = Array.from({ length: nb }, () => rng.next() < 0.5);
      const r = bankOrder(paper, mask);
      const want = mask.map((m, j) => (m ? j : -1)).filter((j) => j >= 0);
      expect([...r.order].sort((a, b) => a - b)).toEqual(want);
      expect(r.cycles).toBeGreaterThanOrEqual(Math.max(want.length, Math.ceil(nb / paper.cfg.pC)));
    }
  });
  it.each([2, 3, 4, 5, 6, 8].flatMap((depth) => [0, 1, 2, 3].map((L) => [depth, L])))(
    'bank overlap with queues of %i and %i selection stages: the old query ends before the new one pops',
    (depth, L) => {
      // The next query starts in cycle readyAt and pops from cycle readyAt + L + 2; the old query's end mark
      // must be in S0 by then (tail overlap: by readyAt + L + 1, drain first: by readyAt), and every row
      // must be issued. Exact mode pays no per-query bubble beyond the fill and the rows whose selection is
      // not registered yet: readyAt = max(L + 2, rows + max(L, 1), keys); with early start (L = 1) the next
      // query's cycle 1 comes one cycle after that or at most one cycle earlier (readyAt + its stall).
      const D = resolveConfig({
        ...PRESETS.paper,
        name: `q${depth}`,
        queueDepth: depth,
        pipeline: { ...PRESETS.paper.pipeline, candSel: L },
      });
      const rows = (nb: number) => Math.ceil(nb / D.cfg.pC);
      const rng = new Rng(depth);
      for (let trial = 0; trial < 300; trial++) {
        const nb = rng.int(0, D.bank.keys);
        const density = [0, 0.05, 0.3, 0.7, 1][trial % 5];
        const r = bankOrder(
          D,
          Array.from({ length: nb }, () => rng.next() < density),
        );
        expect(r.eoqAt).toBeGreaterThanOrEqual(L + 2);
        if (D.bank.runAhead) {
          // run-ahead: a start in cycle t opens (pushes its first row) in cycle t + L + 1 + stall with at most one
          // old entry left, which pops then; the old query's end mark is in by then
          expect(r.readyAt).toBeGreaterThanOrEqual(Math.max(L + 1, rows(nb)));
          for (let t = r.readyAt; t <= r.cycles; t++) {
            const open = t + L + 1 + stallAt(r, t);
            expect(r.queuedAt[open] ?? 0).toBeLessThanOrEqual(1);
            expect(r.eoqAt).toBeLessThanOrEqual(open);
            if (stallAt(r, t) > 0) expect(r.queuedAt[open - 1]).toBeGreaterThan(1);
          }
          continue;
        }
        expect(r.readyAt).toBeGreaterThanOrEqual(Math.max(L + 2, rows(nb)));
        // early start: a start in cycle t ends the old query by t + stall + L + 1, whatever t
        for (let t = r.readyAt; t <= r.readyAt + r.stall.length; t++)
          expect(r.eoqAt).toBeLessThanOrEqual(t + stallAt(r, t) + (D.bank.overlapTail ? L + 1 : 0));
        expect(r.readyAt).toBeLessThanOrEqual(r.cycles + L + 2);
        if (!D.bank.earlyStart) expect(r.stall).toEqual([]);
      }
      for (const nb of [1, 2, 5, 64, D.bank.keys]) {
        const r = bankOrder(D, new Array<boolean>(nb).fill(true));
        // run-ahead: ready once every row is issued and the first row is pushed
        if (D.bank.runAhead) expect(r.readyAt).toBeGreaterThanOrEqual(Math.max(L + 1, rows(nb)));
        // early start (L = 1): the last row may be unknown, its keys delay the next query's cycle 1 only
        if (D.bank.earlyStart) {
          const ready = r.readyAt + stallAt(r, r.readyAt);
          expect(ready).toBeLessThanOrEqual(Math.max(L + 2, rows(nb) + 1, nb));
          expect(ready).toBeGreaterThanOrEqual(Math.max(L + 2, rows(nb), nb) - 1);
        } else if (D.bank.runAhead) continue;
        else if (D.bank.overlapTail) expect(r.readyAt).toBe(Math.max(L + 2, rows(nb) + Math.max(L, 1), nb));
        else expect(r.readyAt).toBe(r.cycles);
      }
    },
  );
});
