// Every generated module of every matrix config and every preset is lint-clean in all three tools.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { PRESETS, resolveConfig } from './config.ts';
import { MATRIX } from './matrix.ts';
import { lintDesign } from './lint.ts';
import { REPO_ROOT } from './render.ts';

describe('lint gates', () => {
  const configs = [...MATRIX, ...Object.values(PRESETS).filter((p) => !MATRIX.some((m) => m.name === p.name))];
  it.each(configs.map((c) => [c.name, c] as const))(
    'config %s is clean under verilator -Wall, iverilog -Wall and yosys check -assert',
    async (_n, c) => {
      const D = resolveConfig(c);
      const findings = await lintDesign(D, join(REPO_ROOT, 'build', 'lint', D.cfg.name));
      expect(findings.map((f) => `${f.module} [${f.tool}]\n${f.output}`).join('\n\n')).toBe('');
    },
  );
});
