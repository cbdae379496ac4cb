// The generic unit testbench (tb/unit_tb.v.ejs) checks itself: a wrong expected value and vectors of
// another config must fail.
import { describe, expect, it } from 'vitest';
import { runUnit } from './harness.ts';
import { small } from './unit_configs.ts';
import { expTrace } from '../src/units/attention/dot.trace.ts';

describe('unit testbench self-check', () => {
  const D = small;
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
