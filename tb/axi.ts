// AXI harness: generate the design, the elsa_axi testbench and the golden stimulus of the top-level test,
// then simulate. The testbench drives everything through AXI4-Lite and AXI4-Stream (tb/axi_tb.v.ejs).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DesignSpec } from '../src/units/design.ts';
import { REPO_ROOT, renderTemplate } from '../src/gen/render.ts';
import { moduleName } from '../src/gen/modules.ts';
import { writeDesignRtl } from '../src/sim/top.ts';
import { AXI_ADDR_W, AXI_ID, axiRegisters, axiVersionWord } from '../src/units/axi/spec.ts';
import { simulate, type Simulator, type SimResult } from '../src/sim/run.ts';
import {
  buildStimulus,
  invalidInvocation,
  standardInvocations,
  type Invocation,
  type Stimulus,
} from '../src/sim/stimulus.ts';

export interface AxiRun extends SimResult {
  dir: string;
  stimulus: Stimulus;
  /** Register read-back of every accepted invocation. */
  invocations: { n: number; pre: number; exec: number }[];
  /** Rejected invocations (n = 0, n > nMax or N wider than the core's n port). */
  rejected: number;
  rows: number;
  checks: number;
  /** Cycles in which a valid waited for its ready, per channel. */
  waits: Record<string, number>;
}
export interface AxiOptions {
  stall?: number;
  seed?: number;
  waves?: string;
  tag?: string;
  corrupt?: boolean;
}

/** The golden invocations of the top-level test (same seed), then three rejected ones: n = 0, n = nMax + 1,
 *  and an N wider than the core's n port whose low bits alone would be a valid n. */
export const axiInvocations = (D: DesignSpec): Invocation[] => [
  ...standardInvocations(D, 7),
  invalidInvocation(0),
  invalidInvocation(D.cfg.nMax + 1),
  invalidInvocation(2 ** D.top.n.bits + 1),
];

/** An offset that no register uses (the last word of the page). */
export const unmappedOffset = (D: DesignSpec): number => {
  const used = new Set(axiRegisters(D).map((r) => r.offset));
  let a = 2 ** AXI_ADDR_W - 4;
  while (used.has(a)) a -= 4;
  return a;
};

/** The AXI testbench: its text depends on the config only (stimulus and watchdog are run-time arguments). */
export function renderAxiTb(D: DesignSpec): string {
  return renderTemplate(join(REPO_ROOT, 'tb', 'axi_tb.v.ejs'), {
    D,
    dut: moduleName(D, 'elsa_axi'),
    regs: axiRegisters(D),
    addrW: AXI_ADDR_W,
    id: AXI_ID,
    version: axiVersionWord(),
    unmapped: unmappedOffset(D),
  });
}

export async function runAxi(
  D: DesignSpec,
  invs: Invocation[],
  sim: Simulator,
  opts: AxiOptions = {},
): Promise<AxiRun> {
  const stim = buildStimulus(D, invs);
  const dir = join(REPO_ROOT, 'build', 'axi', `${D.cfg.name}-${D.hwHash}-${sim}${opts.tag ? `-${opts.tag}` : ''}`);
  const rtl = writeDesignRtl(D, dir);
  let hex = stim.hex;
  if (opts.corrupt) {
    // flip the lowest bit of the last expected output word (the last word of the last valid invocation)
    const ls = hex.trim().split('\n');
    let at = 0,
      last = -1;
    for (const v of invs) {
      const valid = v.n >= 1 && v.n <= D.cfg.nMax;
      if (valid) last = at + 3 * v.n;
      at += 1 + (valid ? 3 * v.n : 0);
    }
    ls[last] = (BigInt(`0x${ls[last]}`) ^ 1n).toString(16);
    hex = ls.join('\n') + '\n';
  }
  writeFileSync(join(dir, 'stim.hex'), hex);
  writeFileSync(join(dir, 'stim.meta'), stim.meta);
  const totalN = stim.traces.reduce((s, t) => s + (t ? t.out.length : 0), 0);
  // generous bound as in src/sim/top.ts (for up to 100% stall), plus the register traffic of every invocation
  const stall = opts.stall ?? 0;
  const watchdogCycles =
    (4000 + invs.length * 600 + totalN * (D.hash.cycles + 4) * 4 + totalN * (D.cfg.nMax + 16) * 4) * 6;
  writeFileSync(join(dir, 'tb.v'), renderAxiTb(D));
  const sources = [...rtl.map((f) => f.path), 'tb.v'];
  const r = await simulate({
    sim,
    workDir: dir,
    sources,
    plusargs: [`stall=${stall}`, `seed=${opts.seed ?? 1}`, `watchdog=${Math.round(watchdogCycles)}`],
    waves: opts.waves,
  });
  const invocations = [...r.stdout.matchAll(/^INVOCATION \d+ n=(\d+) CYCLES_PRE (\d+) CYCLES_EXEC (\d+)$/gm)].map(
    (m) => ({ n: +m[1], pre: +m[2], exec: +m[3] }),
  );
  const num = (re: RegExp) => Number(re.exec(r.stdout)?.[1] ?? NaN);
  return {
    ...r,
    dir,
    stimulus: stim,
    invocations,
    rejected: [...r.stdout.matchAll(/^REJECTED /gm)].length,
    rows: num(/^ROWS (\d+)$/m),
    checks: num(/^CHECKS (\d+)$/m),
    waits: Object.fromEntries(
      [...(/^WAITS (.*)$/m.exec(r.stdout)?.[1] ?? '').matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1], Number(m[2])]),
    ),
  };
}
