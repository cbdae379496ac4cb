// Every generated file of the golden configs must equal its checked-in copy byte for byte.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { GOLDEN_CONFIGS, GOLDEN_DIR, goldenFiles } from './golden.ts';

describe('golden renders', () => {
  for (const cfg of GOLDEN_CONFIGS) {
    it(`${cfg.name}: every file equals src/gen/golden/${cfg.name}/`, () => {
      const files = goldenFiles(cfg);
      const dir = join(GOLDEN_DIR, cfg.name!);
      expect(files.map((f) => f.path).sort()).toEqual(readdirSync(dir).sort());
      for (const f of files) expect(f.content, f.path).toBe(readFileSync(join(dir, f.path), 'utf8'));
    }, 60_000);
  }
});
