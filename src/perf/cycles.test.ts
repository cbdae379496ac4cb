// The back-to-back cycle model (kvBuffers = 2) against its own rules; tb/top.test.ts holds it equal to the RTL.
import { describe, expect, it } from 'vitest';
import { PRESETS, resolveConfig } from '../gen/config.ts';
import { randomInvocation } from '../sim/stimulus.ts';
import { Rng } from '../spec/rng.ts';
import { elsaFixed } from '../units/top/model.ts';
import { predictBackToBack, predictCycles } from './cycles.ts';

describe('predictBackToBack', () => {
  const one = resolveConfig(PRESETS.kwt1);
  const two = resolveConfig({ ...PRESETS.kwt1, kvBuffers: 2 });
  const rng = new Rng(4);
  const invs = [99, 99, 40, 99].map((n, i) => randomInvocation(one, rng, n, [-2, -2, 0.3, -2][i]));
  const traces = invs.map((v) => elsaFixed(two, v.K, v.V, v.Q, v.tQ));
  const b = predictBackToBack(two, traces);
  it('one invocation alone is what predictCycles gives for kvBuffers 2', () => {
    const alone = predictBackToBack(two, [traces[0]]).invocations[0];
    expect(predictCycles(two, traces[0])).toEqual({ pre: alone.pre, exec: alone.exec, perQuery: alone.perQuery });
    expect(alone.done - alone.start).toBe(alone.pre + alone.exec + 1);
  });
  it('starts each invocation after the previous swap and executes it once the previous one is done', () => {
    for (let j = 1; j < traces.length; j++) {
      const [p, c] = [b.invocations[j - 1], b.invocations[j]];
      expect(c.start).toBe(p.execStart - 1);
      expect(c.execStart).toBeGreaterThanOrEqual(p.done + 2);
      expect(c.pre).toBe(c.execStart - 1 - c.start);
    }
    expect(b.span).toBe(b.invocations[3].done - b.invocations[0].start);
  });
  it('hides preprocessing behind an execution that leaves the hash unit idle, not behind a hash-bound one', () => {
    // exact attention (kwt1: 33 cycles a query, 12 of them hashing it): the next invocation's keys use the rest
    for (const j of [1, 2]) expect(b.invocations[j].execStart).toBe(b.invocations[j - 1].done + 2);
    // invocation 2 (n = 40, t = 0.3) is hash-bound: queries take the hash unit first, so most of invocation 3's
    // 99 keys go in after it
    expect(b.invocations[3].execStart - b.invocations[2].done).toBeGreaterThan(99 * 12 - b.invocations[2].exec);
    const sequential = invs.reduce((s, v) => {
      const c = predictCycles(one, elsaFixed(one, v.K, v.V, v.Q, v.tQ));
      return s + c.pre + c.exec;
    }, 0);
    expect(b.span).toBeLessThan(sequential);
  });
});
