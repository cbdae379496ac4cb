// Unit-test harness: writes a module (with its dependencies), the generic unit testbench and the
// trace's vector files into a work folder, then runs the chosen simulator.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DesignSpec } from '../src/units/design.ts';
import { moduleByName, moduleFile, moduleName, moduleNames, withDeps } from '../src/gen/modules.ts';
import { REPO_ROOT, renderModule, renderTemplate } from '../src/gen/render.ts';
import { simulate, type Simulator, type SimResult } from '../src/sim/run.ts';
import { metaFile, packTrace, type Trace } from '../src/sim/trace.ts';

/** Render `module` and its dependencies into `dir`; returns the file names (leaves first). */
export function writeModuleFiles(D: DesignSpec, module: string, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return withDeps(module).map((name) => {
    const m = moduleByName(name);
    writeFileSync(join(dir, moduleFile(D, name)), renderModule(D, m, moduleNames(D)));
    return moduleFile(D, name);
  });
}

export interface UnitRun extends SimResult {
  dir: string;
}

export interface UnitOptions {
  corrupt?: number;
  hashOverride?: string;
  /** Damage the vector file: drop this many lines at the end (negative: append that many lines). */
  cut?: number;
  /** Work folder suffix, so that tests running in parallel never share a folder. */
  tag?: string;
}

export async function runUnit(D: DesignSpec, trace: Trace, sim: Simulator, opts: UnitOptions = {}): Promise<UnitRun> {
  const tag = [
    opts.corrupt !== undefined ? '-corrupt' : '',
    opts.hashOverride ? '-badhash' : '',
    opts.cut ? `-cut${opts.cut}` : '',
    opts.tag ? `-${opts.tag}` : '',
  ].join('');
  const dir = join(REPO_ROOT, 'build', 'unit', `${D.cfg.name}-${D.hwHash}-${trace.module}-${sim}${tag}`);
  rmSync(dir, { recursive: true, force: true });
  const rtl = writeModuleFiles(D, trace.module, dir);
  const { packed, hex } = packTrace(trace);
  let lines = hex;
  if (opts.corrupt !== undefined) {
    // Flip one expected-output bit of a checked cycle: the testbench must report it.
    const ls = hex
      .trim()
      .split('\n')
      .map((l) => BigInt(`0x${l}`));
    const i = opts.corrupt;
    const maskBits = ls[i] & ((1n << BigInt(packed.outW)) - 1n);
    const lowest = maskBits & -maskBits;
    ls[i] ^= lowest << BigInt(packed.outW);
    lines = ls.map((x) => x.toString(16)).join('\n') + '\n';
  }
  if (opts.cut) {
    const ls = lines.trim().split('\n');
    lines = (opts.cut > 0 ? ls.slice(0, -opts.cut) : [...ls, ...ls.slice(0, -opts.cut)]).join('\n') + '\n';
  }
  writeFileSync(join(dir, 'vectors.hex'), lines);
  writeFileSync(join(dir, 'vectors.meta'), metaFile(opts.hashOverride ?? D.hwHash, trace.cycles.length));
  writeFileSync(
    join(dir, 'tb.v'),
    renderTemplate(join(REPO_ROOT, 'tb', 'unit_tb.v.ejs'), {
      trace: packed,
      hwHash: D.hwHash,
      dut: moduleName(D, packed.module),
    }),
  );
  const r = await simulate({ sim, workDir: dir, sources: [...rtl, 'tb.v'] });
  return { ...r, dir };
}
