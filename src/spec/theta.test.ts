// θ_bias to three decimals (docs/spec.md §1.2): the table is what the code measures, the measurement has
// converged (another seed lands within 0.002 rad), and shapes outside the table are measured once and cached.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../root.ts';
import { estimateThetaBias, measureThetaBias, tableShapes } from './theta.ts';
import { THETA_TABLE } from './theta-table.ts';

describe('θ_bias', () => {
  it('tabulates every common (d, k) shape', () => {
    const missing = tableShapes().filter(([d, k]) => THETA_TABLE[`${d}x${k}`] === undefined);
    expect(missing).toEqual([]);
  });
  it('table entries are what the current sampler measures', () => {
    for (const key of ['4x4', '16x16']) {
      const [d, k] = key.split('x').map(Number);
      expect(measureThetaBias(d, k)).toBe(THETA_TABLE[key]);
    }
  }, 60_000);
  it('has converged: another seed gives the same value within 0.002 rad', () => {
    expect(Math.abs(measureThetaBias(16, 16, 24301) - THETA_TABLE['16x16'])).toBeLessThan(0.002);
  }, 60_000);
  it('reproduces the paper’s 0.127 rad for d = k = 64 within 0.002', () => {
    expect(Math.abs(THETA_TABLE['64x64'] - 0.127)).toBeLessThan(0.002);
  });
  it('measures a shape outside the table once and caches it in build/theta-cache', () => {
    const v = estimateThetaBias(10, 5);
    expect(v).toBe(measureThetaBias(10, 5));
    const file = join(REPO_ROOT, 'build', 'theta-cache', '10x5.json');
    expect(existsSync(file)).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8')).thetaBias).toBe(v);
  }, 60_000);
});
