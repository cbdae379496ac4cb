// The Pareto page: the front is right on a known example, the page has its charts and tables, dominated
// rows are greyed, and it is offline (no URL, no script).
import { describe, expect, it } from 'vitest';
import type { SweepResults } from '../sweep/results.ts';
import { operatingPoints, paretoFront, renderParetoPage } from './pareto.ts';

const cyc = (m: number, perQ: number[]) => ({
  status: 'ok',
  multipliers: m,
  perP: [0, 1].map((p, i) => ({ p, cyclesPerQuery: perQ[i] })),
});
const syn = (lut: number, dsp: number) => ({ status: 'ok', area: { lut, dsp } });
const acc = (t0: number, t1: number) => ({
  status: 'ok',
  perP: [
    { p: 0, top1Fixed: t0 },
    { p: 1, top1Fixed: t1 },
  ],
});
const point = (index: number, tasks: Record<string, unknown>) => ({
  index,
  name: `s_${index}`,
  axes: { pC: index + 1 },
  hwHash: 'h',
  status: 'ok' as const,
  tasks: tasks as never,
});
const R: SweepResults = {
  sweep: 's',
  fingerprint: 'f',
  axes: ['pC'],
  tasks: ['cycles', 'synth:xilinx', 'accuracy'],
  points: [
    point(0, { cycles: cyc(10, [20, 10]), 'synth:xilinx': syn(1000, 10), accuracy: acc(0.8, 0.6) }),
    // more LUTs and DSPs for the same cycles and accuracy: dominated by point 0 at both p
    point(1, { cycles: cyc(10, [20, 10]), 'synth:xilinx': syn(1200, 12), accuracy: acc(0.8, 0.6) }),
    // faster but bigger: on the front
    point(2, { cycles: cyc(10, [12, 6]), 'synth:xilinx': syn(2000, 20), accuracy: acc(0.8, 0.55) }),
    {
      index: 3,
      name: 's_3',
      axes: { pC: 4 },
      hwHash: null,
      status: 'invalid',
      error: 'config error: pC too big',
      tasks: {},
    },
  ],
};

describe('Pareto front', () => {
  it('keeps exactly the non-dominated points', () => {
    const pts = [
      { a: 1, b: 5 },
      { a: 2, b: 2 },
      { a: 3, b: 3 },
      { a: 5, b: 1 },
      { a: 1, b: 5 },
    ];
    expect(
      paretoFront(pts, [
        { key: 'a', better: 'min' },
        { key: 'b', better: 'min' },
      ]),
    ).toEqual([true, true, false, true, true]);
    expect(
      paretoFront(pts, [
        { key: 'a', better: 'max' },
        { key: 'b', better: 'min' },
      ]),
    ).toEqual([false, false, false, true, false]);
  });

  it('ranks operating points over cycles, LUT, DSP and accuracy', () => {
    const { ops, objectives } = operatingPoints(R);
    expect(objectives.map((o) => o.key)).toEqual(['cyclesPerQuery', 'lut', 'dsp', 'top1']);
    expect(ops.map((o) => `${o.point}/${o.p}:${o.front ? 'F' : 'd'}`)).toEqual([
      '0/0:F',
      '0/1:F',
      '1/0:d',
      '1/1:d',
      '2/0:F',
      '2/1:F',
    ]);
  });

  it('renders charts, the front table and greyed dominated rows, offline', async () => {
    const html = await renderParetoPage(R);
    // LUT and DSP against cycles, accuracy against cycles
    expect(html.match(/<svg/g)).toHaveLength(3);
    expect(html).toContain('<h2>Pareto front</h2>');
    expect(html.match(/<tr class="dom">/g)).toHaveLength(2);
    expect(html).toContain('config error: pC too big');
    expect(html).not.toMatch(/https?:|<script|<link/);
    expect(await renderParetoPage(R)).toBe(html);
  });
});
