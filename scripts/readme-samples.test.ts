// The README's sample outputs are what the command line prints now (regenerate: npx tsx scripts/readme-samples.ts).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { README, render, samples } from './readme-samples.ts';

describe('README samples', () => {
  const list = samples(readFileSync(README, 'utf8'));
  it('include the quick-start run of elsa-gen sim', () => expect(list.map((s) => s.args)).toContain('sim'));
  it.each(list.map((s) => [s.args, s] as const))('elsa-gen %s prints what the README shows', async (_a, s) => {
    expect(await render(s)).toBe(s.block);
  });
});
