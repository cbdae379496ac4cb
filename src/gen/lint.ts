// The three lint gates every generated module must pass (no waivers):
//   verilator --lint-only -Wall, iverilog -g2005 -Wall, yosys read_verilog; hierarchy -check; proc; check -assert
import { execa } from 'execa';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DesignSpec } from '../units/design.ts';
import { renderRtl } from './generate.ts';
import { MODULES, moduleFile, moduleName, withDeps } from './modules.ts';

export interface LintFinding {
  module: string;
  tool: string;
  output: string;
}

/** Lint every module of the design (with its dependencies). Returns the findings (empty = clean). */
export async function lintDesign(D: DesignSpec, workDir: string): Promise<LintFinding[]> {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  for (const f of renderRtl(D)) writeFileSync(join(workDir, f.path), f.content);
  const findings: LintFinding[] = [];
  for (const m of MODULES) {
    const files = withDeps(m.name).map((n) => moduleFile(D, n));
    const top = moduleName(D, m.name);
    const runs: [string, string[]][] = [
      ['verilator', ['--lint-only', '-Wall', '--top-module', top, ...files]],
      ['iverilog', ['-g2005', '-Wall', '-o', '/dev/null', '-s', top, ...files]],
      ['yosys', ['-q', '-p', `read_verilog ${files.join(' ')}; hierarchy -check -top ${top}; proc; check -assert`]],
    ];
    for (const [tool, args] of runs) {
      const r = await execa(tool, args, { cwd: workDir, reject: false });
      const out = `${r.stdout}${r.stderr}`.trim();
      if (r.exitCode !== 0 || out) findings.push({ module: m.name, tool, output: out || `exit ${r.exitCode}` });
    }
  }
  return findings;
}
