// Golden renders: every generated file of a few configs, checked in under src/gen/golden/<config>/, so a
// refactor of the generator proves that the hardware did not change (byte-identical RTL).
// Regenerate after an intended RTL change: `npx tsx src/gen/golden.ts --update` (then review the diff).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRESETS, resolveConfig } from './config.ts';
import { MATRIX } from './matrix.ts';
import { renderDesign } from './generate.ts';
import { REPO_ROOT } from './render.ts';

export const GOLDEN_DIR = join(REPO_ROOT, 'src', 'gen', 'golden');
/** small (the default), paper (the largest), one matrix config with k = 2d, P_a = 4, P_c = 8, and one with
 *  top-m selection. */
export const GOLDEN_CONFIGS = [
  PRESETS.small,
  PRESETS.paper,
  ...['m_d32_k64', 'm_topm_d16'].map((n) => MATRIX.find((c) => c.name === n)!),
];

export function goldenFiles(cfg: (typeof GOLDEN_CONFIGS)[number]) {
  return renderDesign(resolveConfig(cfg));
}

if (process.argv.includes('--update')) {
  for (const cfg of GOLDEN_CONFIGS) {
    const dir = join(GOLDEN_DIR, cfg.name!);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const f of goldenFiles(cfg)) writeFileSync(join(dir, f.path), f.content);
    console.log(`${dir}: ${readdirSync(dir).length} files`);
  }
}
