// The generic unit testbench refuses vector files that do not hold exactly the lines its meta file
// counts: a truncated file used to read its missing lines as all-don't-care and pass.
import { describe, expect, it } from 'vitest';
import { PRESETS, resolveConfig } from '../src/gen/config.ts';
import { SIMULATORS } from '../src/sim/run.ts';
import { runUnit } from './harness.ts';
import { expTrace } from './units/leaf.ts';

const D = resolveConfig(PRESETS.small);
describe.each(SIMULATORS)('unit testbench vector length under %s', (sim) => {
  const trace = expTrace(D, 3, 100);
  it('passes the whole file', async () => {
    const r = await runUnit(D, trace, sim, { tag: 'len' });
    expect(r.failed, r.stdout.slice(0, 1000)).toBe(0);
    expect(r.passed).toBe(100);
  });
  it.each([[1, 'fewer'], [40, 'fewer'], [-1, 'more']] as const)('fails a file cut by %i lines (%s lines than the meta file says)', async (cut, word) => {
    const r = await runUnit(D, trace, sim, { cut, tag: 'len' });
    expect(r.passed).toBe(0);
    expect(r.failed).toBe(1);
    expect(r.stdout).toContain(`ERROR: the vector file holds ${word} lines than its meta file says (100)`);
  });
});
