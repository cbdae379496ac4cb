// Top-level runs: generate the design and the top testbench (tb/top_tb.v.ejs), write the golden stimulus,
// simulate, and check that everything expected was checked: every row, every invocation, and the RTL's
// cycle counters against the cycle model. Used by `elsa-gen sim`, the tests and the benchmarks.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DesignSpec } from '../units/design.ts';
import { REPO_ROOT, renderTemplate } from '../gen/render.ts';
import { renderRtl, type GeneratedFile } from '../gen/generate.ts';
import { moduleFile, moduleName } from '../gen/modules.ts';
import { CheckError } from '../spec/errors.ts';
import { predictBackToBack, predictCycles, type CyclePrediction } from '../perf/cycles.ts';
import { elsaFixedRun } from '../units/top/model.ts';
import { simulate, type Simulator, type SimResult } from './run.ts';
import type { CxxOpt } from './build.ts';
import { buildStimulus, type Invocation, type Stimulus } from './stimulus.ts';
import { unpackBus } from './trace.ts';
import { bankShareConfig } from './share.ts';

const SIM_VLT = 'sim.vlt';

export interface TopRun extends SimResult {
  dir: string;
  stimulus: Stimulus;
  /** Cycle counters of every invocation that ran to its end (no reset, valid n). */
  invocations: { n: number; pre: number; exec: number }[];
  rejected: number;
  rows: number;
  /** Everything a pass needs besides zero mismatches (rows, invocations, cycles); empty when all hold. */
  problems: string[];
  /** Back to back (`b2b`): cycles from the first start to the last done pulse. */
  span?: number;
}
export interface TopOptions {
  stall?: number;
  seed?: number;
  waves?: string;
  tag?: string;
  corrupt?: boolean;
  hashOverride?: string;
  dir?: string;
  /** Idle cycles after reset before the first invocation (long runs). */
  idle?: number;
  /** Override the watchdog (cycles); default sized from the cycle model. */
  watchdog?: number;
  /** Verilator C++ optimisation; `auto` (default): `fast` from FAST_FROM_CYCLES expected cycles on. */
  opt?: OptChoice;
  /** kvBuffers = 2: drive the invocations back to back (the testbench's +b2b mode). */
  b2b?: boolean;
  /** The design's files when the caller has rendered them already (generate()'s; the .v files are used). */
  rtl?: GeneratedFile[];
}

type StimTrace = NonNullable<Stimulus['traces'][number]>;
const predictions = new WeakMap<StimTrace, { D: DesignSpec; p: CyclePrediction }>();
/** predictCycles() of a stimulus's trace, computed once per trace and design: the watchdog, the optimisation
 *  level, the check and the CLI's report all ask for it. */
export function tracePrediction(D: DesignSpec, tr: StimTrace): CyclePrediction {
  const hit = predictions.get(tr);
  if (hit?.D === D) return hit.p;
  const p = predictCycles(D, tr);
  predictions.set(tr, { D, p });
  return p;
}

/** The top testbench: its text depends on the config only (the stimulus and the watchdog are run-time
 *  arguments), so one Verilator build serves every stimulus. With `shared` (two configurations in one
 *  simulation) it is named `tbName`, reads +<argPrefix>stim/meta/watchdog and raises `finished` instead
 *  of calling $finish. */
export function renderTopTb(D: DesignSpec, o: { tbName?: string; argPrefix?: string; shared?: boolean } = {}): string {
  const view = {
    D,
    dut: moduleName(D, 'elsa_top'),
    tbName: o.tbName ?? 'tb',
    argPrefix: o.argPrefix ?? '',
    shared: o.shared ?? false,
    wordBytes: stimWordBytes(D),
  };
  return renderTemplate(join(REPO_ROOT, 'tb', 'top_tb.v.ejs'), view);
}

/** Bytes per word of stim.bin: the widest stimulus word ({v, k}, at least the 64-bit header), in whole bytes. */
export const stimWordBytes = (D: DesignSpec): number => Math.ceil(Math.max(2 * D.cfg.d * D.qkv.bits, 64) / 8);

/** stim.bin, the stimulus the top testbench reads with $fread: a stamp word holding the hardware hash, then
 *  every word of `hex` (one hex word per line), each in stimWordBytes bytes, most significant first. */
export function stimBinary(D: DesignSpec, hex: string): Buffer {
  const wb = stimWordBytes(D);
  const words = [D.hwHash, ...hex.split('\n').filter((l) => l.trim() !== '')];
  const out = Buffer.alloc(words.length * wb);
  for (const [i, w] of words.entries()) {
    const digits = w.trim().replace(/^0+/, '');
    if (digits.length > 2 * wb || !/^[0-9a-fA-F]*$/.test(digits))
      throw new CheckError(`stimulus word ${i} is not a hex word of at most ${8 * wb} bits: ${w.slice(0, 40)}`);
    Buffer.from(digits.padStart(2 * wb, '0'), 'hex').copy(out, i * wb);
  }
  return out;
}

/** Cycles a correct run of `stim` needs at most: the cycle model per invocation plus the streaming slack,
 *  stretched by the stall rate (a beat waits 100/(100-stall) cycles on average), doubled for safety. */
export function watchdogCycles(D: DesignSpec, stim: Stimulus, stall = 0, idle = 0): number {
  let c = 1000;
  for (const [i, h] of stim.headers.entries()) {
    const tr = stim.traces[i];
    const p = tr && tracePrediction(D, tr);
    c += 20 + (p ? p.pre + p.exec + 6 * h.n + D.cfg.d : 0);
  }
  return idle + 2 * c * (100 / (100 - Math.min(stall, 99)));
}

/** Cycles the cycle model predicts for the whole stimulus, idle cycles included (picks the C++ optimisation). */
export function expectedCycles(D: DesignSpec, stim: Stimulus, idle = 0): number {
  return stim.traces.reduce((c, tr) => {
    const p = tr && tracePrediction(D, tr);
    return c + 3 + (p ? p.pre + p.exec : 0);
  }, idle);
}

/** The Verilator C++ optimisation for `auto`: `fast` (-O2) from two million expected cycles, `build` (-O1) below
 *  (on paper -O2 costs about 7 CPU-s more to build and saves about 1.2 µs per cycle: even after 6 M cycles). */
export const FAST_FROM_CYCLES = 2_000_000;
export type OptChoice = CxxOpt | 'auto';
export const chooseOpt = (opt: OptChoice, cycles: number): CxxOpt =>
  opt !== 'auto' ? opt : cycles >= FAST_FROM_CYCLES ? 'fast' : 'build';

/** A fresh folder holding the design's Verilog files and the Verilator configuration file that lets the
 *  banks share their code (sim.vlt, src/sim/share.ts; Icarus does not read it); returns them. */
export function writeDesignRtl(D: DesignSpec, dir: string, files = renderRtl(D)): { path: string }[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const rtl = files.filter((f) => f.path.endsWith('.v'));
  for (const f of rtl) writeFileSync(join(dir, f.path), f.content);
  const top = rtl.find((f) => f.path === moduleFile(D, 'elsa_top'))!;
  writeFileSync(join(dir, SIM_VLT), bankShareConfig(D, top.content));
  return [...rtl, { path: SIM_VLT }];
}

/** Write RTL + tb.v + stim files (stim.hex for people and saved vectors, stim.bin for the testbench) into a
 *  folder; returns the source list (Verilog and the Verilator configuration file). */
export function writeTopBench(D: DesignSpec, dir: string, stim: Stimulus, opts: TopOptions = {}): string[] {
  const rtl = writeDesignRtl(D, dir, opts.rtl);
  let hex = stim.hex;
  if (opts.corrupt) {
    // flip the lowest bit of the last expected output word
    const ls = hex.trim().split('\n');
    ls[ls.length - 1] = (BigInt(`0x${ls[ls.length - 1]}`) ^ 1n).toString(16);
    hex = ls.join('\n') + '\n';
  }
  writeFileSync(join(dir, 'stim.hex'), hex);
  writeFileSync(join(dir, 'stim.bin'), stimBinary(D, hex));
  writeFileSync(join(dir, 'stim.meta'), opts.hashOverride ? stim.meta.replace(D.hwHash, opts.hashOverride) : stim.meta);
  writeFileSync(join(dir, 'tb.v'), renderTopTb(D));
  return [...rtl.map((f) => f.path), 'tb.v'];
}

/** The run-time arguments of the top testbench for `stim`: gaps, seed, idle cycles and the watchdog. */
export function topPlusargs(D: DesignSpec, stim: Stimulus, o: TopOptions = {}): string[] {
  const wd = o.watchdog ?? watchdogCycles(D, stim, o.stall ?? 0, o.idle ?? 0);
  const args = [`stall=${o.stall ?? 0}`, `seed=${o.seed ?? 1}`, `idle=${o.idle ?? 0}`, `watchdog=${Math.ceil(wd)}`];
  return o.b2b ? [...args, 'b2b=1'] : args;
}

/** Read the testbench's report and list what a pass needs beyond zero mismatches. The cycle counters
 *  must equal the cycle model when the streams have no gaps (stall 0); gaps add cycles the model omits. */
export function checkTopRun(
  D: DesignSpec,
  stim: Stimulus,
  r: SimResult,
  stall = 0,
  b2b = false,
): Omit<TopRun, keyof SimResult | 'dir' | 'stimulus'> {
  const invocations = [...r.stdout.matchAll(/^INVOCATION (\d+) n=(\d+) CYCLES_PRE (\d+) CYCLES_EXEC (\d+)$/gm)].map(
    (m) => ({ i: +m[1], n: +m[2], pre: +m[3], exec: +m[4] }),
  );
  const rejected = [...r.stdout.matchAll(/^REJECTED invocation/gm)].length;
  const problems: string[] = [];
  const full = stim.headers.flatMap((h, i) => (stim.traces[i] && h.resetAfter === null ? [i] : []));
  const rows = stim.headers.reduce((s, h, i) => s + (stim.traces[i] ? (h.resetAfter ?? h.n) : 0), 0);
  const invalid = stim.traces.filter((t) => t === null).length;
  if (r.passed + r.failed < rows) problems.push(`only ${r.passed + r.failed} of ${rows} output rows were compared`);
  if (rejected !== invalid) problems.push(`${rejected} of ${invalid} invalid invocations were rejected`);
  if (invocations.length !== full.length)
    problems.push(`${invocations.length} of ${full.length} invocations reported their cycle counters`);
  // back to back: every invocation's counters and the span from the model of the whole sequence
  const seq =
    b2b && stall === 0
      ? predictBackToBack(
          D,
          stim.traces.filter((t) => t !== null),
        )
      : null;
  const spanMatch = /^SPAN (\d+)$/m.exec(r.stdout);
  const span = spanMatch ? +spanMatch[1] : undefined;
  if (seq && span !== seq.span) problems.push(`back to back: RTL span ${span}, cycle model ${seq.span}`);
  for (const m of stall > 0 ? [] : invocations) {
    const tr = stim.traces[m.i];
    if (!tr) continue;
    const p = seq ? seq.invocations[m.i] : tracePrediction(D, tr);
    if (p.pre !== m.pre || p.exec !== m.exec)
      problems.push(
        `invocation ${m.i}: RTL cycles pre ${m.pre} exec ${m.exec}, cycle model pre ${p.pre} exec ${p.exec}`,
      );
  }
  return { invocations: invocations.map(({ n, pre, exec }) => ({ n, pre, exec })), rejected, rows, problems, span };
}

export async function runTop(
  D: DesignSpec,
  invs: Invocation[],
  sim: Simulator,
  opts: TopOptions = {},
): Promise<TopRun> {
  const stim = buildStimulus(D, invs);
  const dir =
    opts.dir ?? join(REPO_ROOT, 'build', 'top', `${D.cfg.name}-${D.hwHash}-${sim}${opts.tag ? `-${opts.tag}` : ''}`);
  const sources = writeTopBench(D, dir, stim, opts);
  const r = await simulate({
    sim,
    workDir: dir,
    sources,
    plusargs: topPlusargs(D, stim, opts),
    waves: opts.waves,
    seed: opts.seed,
    opt: chooseOpt(opts.opt ?? 'auto', expectedCycles(D, stim, opts.idle)),
  });
  return { ...r, dir, stimulus: stim, ...checkTopRun(D, stim, r, opts.stall ?? 0, opts.b2b ?? false) };
}

/** Read saved vectors (stim.hex + stim.meta) back into a Stimulus with the model's traces, checking that
 *  the file holds exactly what its meta file says. Throws CheckError when it does not. */
export function stimulusFromFiles(D: DesignSpec, hex: string, meta: string, where: string): Stimulus {
  const m = meta.trim().split('\n');
  const ninv = parseInt(m[1], 16),
    words = parseInt(m[2], 16);
  const lines = hex
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('//'));
  if (lines.some((l) => !/^[0-9a-fA-F]+$/.test(l)))
    throw new CheckError(`${where}/stim.hex holds a line that is not a hex word (regenerate it with elsa-gen vectors)`);
  if (lines.length !== words)
    throw new CheckError(
      `${where}/stim.hex holds ${lines.length} words, its stim.meta says ${words} ` +
        `(the file is ${lines.length < words ? 'truncated' : 'too long'}; regenerate it with elsa-gen vectors)`,
    );
  const w = lines.map((l) => BigInt(`0x${l}`));
  const dq = BigInt(D.cfg.d * D.qkv.bits);
  const low = (x: bigint, bits: bigint) => x & ((1n << bits) - 1n);
  const headers: Stimulus['headers'] = [],
    traces: Stimulus['traces'] = [];
  let at = 0;
  for (let i = 0; i < ninv; i++) {
    if (at >= w.length)
      throw new CheckError(`${where}/stim.hex ends before invocation ${i} of the ${ninv} its stim.meta says`);
    const h = w[at];
    const n = Number((h >> 32n) & ((1n << BigInt(D.top.n.bits)) - 1n));
    const tQ = unpackBus(low(h, BigInt(D.candSel.threshold.bits)), 1, D.candSel.threshold.bits, true)[0];
    const resetAfter = h >> 63n ? Number((h >> 48n) & 0x7fffn) : null;
    const m = Number((h >> 16n) & ((1n << BigInt(D.top.n.bits)) - 1n));
    headers.push({ n, resetAfter });
    if (n < 1 || n > D.cfg.nMax) {
      traces.push(null);
      at += 1;
      continue;
    }
    if (at + 1 + 3 * n > w.length) throw new CheckError(`${where}/stim.hex ends inside invocation ${i} (n = ${n})`);
    const kv = w.slice(at + 1, at + 1 + n);
    const K = kv.map((x) => unpackBus(low(x, dq), D.cfg.d, D.qkv.bits, true));
    const V = kv.map((x) => unpackBus(low(x >> dq, dq), D.cfg.d, D.qkv.bits, true));
    const Q = w.slice(at + 1 + n, at + 1 + 2 * n).map((x) => unpackBus(low(x, dq), D.cfg.d, D.qkv.bits, true));
    traces.push(elsaFixedRun(D, K, V, Q, tQ, m));
    at += 1 + 3 * n;
  }
  if (at !== w.length)
    throw new CheckError(
      `${where}/stim.hex holds ${w.length - at} words after its ${ninv} invocations ` +
        '(regenerate it with elsa-gen vectors)',
    );
  // one hex word per line, as the testbench reads it (comments and blank lines dropped)
  return { hex: lines.join('\n') + '\n', meta, words, traces, headers };
}
