// The generic unit testbench (tb/unit_tb.v.ejs) checks itself: a wrong expected value, vectors of another
// config, and a vector file that does not hold exactly the lines its meta file counts (a truncated file used
// to read its missing lines as all-don't-care and pass) must all fail.
import { describe, expect, it } from 'vitest';
import { SIMULATORS } from '../src/sim/run.ts';
import { runUnit } from './harness.ts';
import { small as D } from './unit_configs.ts';
import { expTrace } from '../src/units/attention/dot.trace.ts';

describe('unit testbench self-check', () => {
  it('reports a corrupted expected value as a failure', async () => {
    const t = expTrace(D, 16);
    const r = await runUnit(D, t, 'iverilog', { corrupt: 5 });
    expect(r.failed).toBe(1);
    expect(r.stdout).toMatch(/MISMATCH cycle 5/);
  });
  it('refuses vectors made for another config', async () => {
    const r = await runUnit(D, expTrace(D, 16), 'iverilog', { hashOverride: '0123456789ab' });
    expect(r.failed).toBe(1);
    expect(r.passed).toBe(0);
    expect(r.stdout).toMatch(/vectors are for hardware hash 0123456789ab/);
  });
});

describe.each(SIMULATORS)('unit testbench vector length under %s', (sim) => {
  const trace = expTrace(D, 3, 100);
  it('passes the whole file', async () => {
    const r = await runUnit(D, trace, sim, { tag: 'len' });
    expect(r.failed, r.stdout.slice(0, 1000)).toBe(0);
    expect(r.passed).toBe(100);
  });
  it.each([
    [1, 'fewer'],
    [40, 'fewer'],
    [-1, 'more'],
  ] as const)('fails a file cut by %i lines (%s lines than the meta file says)', async (cut, word) => {
    const r = await runUnit(D, trace, sim, { cut, tag: 'len' });
    expect(r.passed).toBe(0);
    expect(r.failed).toBe(1);
    expect(r.stdout).toContain(`ERROR: the vector file holds ${word} lines than its meta file says (100)`);
  });
});
