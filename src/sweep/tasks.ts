// One sweep job, run in a worker process: generate + lint, cycle model over p, RTL simulation,
// synthesis area, iCE40 Fmax, KWT-1 accuracy. Results hold no timing, paths or names, so the same job
// gives the same result on any machine; heavy modules are imported only by the task that needs them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { resolveConfig } from '../gen/config.ts';
import type { DesignSpec } from '../units/design.ts';
import { UserError } from '../spec/errors.ts';
import { roundTo } from '../eval/io.ts';
import { codeFingerprint } from './fingerprint.ts';
import { clipsDigest, type JobData } from './spec.ts';

export type Status = 'ok' | 'fail' | 'skipped' | 'error';
export interface TaskResult {
  status: Status;
  reason?: string;
  [metric: string]: unknown;
}
/** A result plus what the scheduler needs: the run time, and whether the result may be cached
 *  (not for errors, or skips that depend on the worker's machine such as a missing nextpnr). */
export interface Outcome {
  result: TaskResult;
  seconds: number;
  cacheable: boolean;
}

const r6 = (x: number) => roundTo(x, 6);

async function withTmp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'elsa-sweep-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function lint(D: DesignSpec): Promise<Outcome['result']> {
  const { lintDesign } = await import('../gen/lint.ts');
  const { MODULES } = await import('../gen/modules.ts');
  const findings = await withTmp((dir) => lintDesign(D, join(dir, 'rtl')));
  // tool output names files relative to the work folder; keep the first line of each finding
  const list = findings.map((f) => `${f.module}/${f.tool}: ${f.output.split('\n')[0].slice(0, 200)}`);
  return {
    status: findings.length ? 'fail' : 'ok',
    modules: MODULES.length,
    findings: list,
    ...(list.length ? { reason: list[0] } : {}),
  };
}

async function cycles(D: DesignSpec, inputs: { p: number[]; seed: number }): Promise<Outcome['result']> {
  const { modelWorkload } = await import('../report/report.ts');
  // p = 0 (every key) is the baseline of the speedup, run even when not asked for
  const ps = [0, ...inputs.p.filter((p) => p !== 0)];
  const wl = modelWorkload(D, ps, inputs.seed);
  const exec0 = wl[0].exec;
  const byP = new Map(wl.map((w) => [w.p, w]));
  return {
    status: 'ok',
    n: D.cfg.nMax,
    // a cost proxy for sweeps without synthesis: attention (2d·P_a), hash and output multipliers
    multipliers: 2 * D.cfg.d * D.cfg.pA + D.cfg.mH + D.cfg.mO,
    perP: inputs.p.map((p) => {
      const w = byP.get(p)!;
      return {
        p,
        t: r6(w.t),
        selected: r6(w.selected),
        pre: w.pre,
        exec: w.exec,
        cyclesPerQuery: r6(w.exec / D.cfg.nMax),
        utilisation: r6(w.utilisation),
        speedup: r6(exec0 / w.exec),
      };
    }),
  };
}

async function sim(
  D: DesignSpec,
  inputs: { simulator: 'verilator' | 'iverilog'; seed: number },
): Promise<Outcome['result']> {
  const { standardInvocations } = await import('../sim/stimulus.ts');
  const { runTop } = await import('../sim/top.ts');
  // runTop checks what a pass means (every row and invocation compared, RTL cycles = cycle model)
  const r = await withTmp((dir) =>
    runTop(D, standardInvocations(D, inputs.seed), inputs.simulator, { dir, seed: inputs.seed }),
  );
  const ok = r.failed === 0 && r.passed > 0 && r.problems.length === 0;
  const reason = r.failed > 0 ? `${r.failed} output rows differ from the model` : r.problems[0];
  const invocations = r.invocations.map((v) => ({ n: v.n, pre: v.pre, exec: v.exec }));
  return { status: ok ? 'ok' : 'fail', passed: r.passed, failed: r.failed, invocations, ...(reason ? { reason } : {}) };
}

async function synth(
  D: DesignSpec,
  inputs: { target: 'ice40' | 'ecp5' | 'xilinx'; moduleTimeout: number | null },
): Promise<Outcome> {
  const { synthesize } = await import('../synth/synth.ts');
  const r = await withTmp((dir) =>
    synthesize(D, inputs.target, {
      outDir: dir,
      jobs: 1,
      progress: false,
      write: false,
      moduleTimeoutSec: inputs.moduleTimeout ?? undefined,
    }),
  );
  const area = r.total.area;
  const result: TaskResult = { status: 'ok', target: inputs.target, area: { ...area } };
  if (r.incomplete) {
    // a timeout depends on the machine: report it, keep the lower bound, do not cache it
    return {
      result: {
        ...result,
        status: 'skipped',
        reason: `Yosys timed out on ${r.incomplete.join(', ')} (area is a lower bound)`,
      },
      seconds: 0,
      cacheable: false,
    };
  }
  return { result, seconds: 0, cacheable: true };
}

async function fmax(D: DesignSpec, inputs: { freq: number; seed: number }): Promise<Outcome> {
  const { findNextpnr } = await import('../synth/tools.ts');
  try {
    await findNextpnr();
  } catch (e) {
    if (e instanceof UserError)
      return { result: { status: 'skipped', reason: e.message }, seconds: 0, cacheable: false };
    throw e;
  }
  const { synthesize } = await import('../synth/synth.ts');
  const r = await withTmp((dir) =>
    synthesize(D, 'ice40', {
      outDir: dir,
      jobs: 1,
      progress: false,
      write: false,
      pnr: { freq: inputs.freq, seed: inputs.seed },
    }),
  );
  const p = r.pnr!;
  if (!p.fits || p.fmaxMHz === undefined)
    return { result: { status: 'skipped', reason: p.message }, seconds: 0, cacheable: true };
  const lc = p.utilisation?.ICESTORM_LC;
  return {
    result: { status: 'ok', fmaxMHz: p.fmaxMHz, device: p.device, logicCells: lc?.used ?? null },
    seconds: 0,
    cacheable: true,
  };
}

async function accuracy(D: DesignSpec, inputs: { clips: string; digest: string; p: number[] }): Promise<Outcome> {
  const { checkKwtConfig } = await import('../eval/calibrate.ts');
  try {
    checkKwtConfig(D);
  } catch (e) {
    if (e instanceof UserError)
      return { result: { status: 'skipped', reason: e.message }, seconds: 0, cacheable: true };
    throw e;
  }
  const clips = resolve(inputs.clips);
  const digest = clipsDigest(clips);
  if (digest !== inputs.digest)
    throw new UserError(
      `clips in ${inputs.clips} differ from the submitter's (digest ${digest}, job ${inputs.digest})`,
    );
  const { runFig10 } = await import('../eval/fig10.ts');
  const run = await withTmp((dir) =>
    runFig10({ clipsDir: clips, outDir: dir, cfg: D.cfg, ps: inputs.p, jobs: 1, progress: false }),
  );
  const r = run.result;
  const result: TaskResult = {
    status: 'ok',
    evalClips: r.clips.eval,
    exactTop1: r.exact.top1,
    perP: r.ps.map((p, j) => ({
      p,
      selectedFloat: r.float[j].selected,
      selectedFixed: r.fixed[j].selected,
      top1Float: r.float[j].top1,
      top1Fixed: r.fixed[j].top1,
      agreeFixed: r.fixed[j].agree,
    })),
  };
  return { result, seconds: 0, cacheable: true };
}

/** Run one job. Errors (a missing tool, a crash) come back as status "error", never thrown. */
export async function runJob(job: JobData): Promise<Outcome> {
  const t0 = performance.now();
  const done = (o: Outcome): Outcome => ({ ...o, seconds: Math.round((performance.now() - t0) / 100) / 10 });
  try {
    if (job.fingerprint !== codeFingerprint()) {
      throw new UserError(
        `job ${job.key} was submitted from another elsa-gen version (code ${job.fingerprint}, ` +
          `this worker ${codeFingerprint()}): run the same commit everywhere`,
      );
    }
    const D = resolveConfig(job.config);
    if (D.hwHash !== job.hwHash)
      throw new UserError(`job ${job.key}: config has hardware hash ${D.hwHash} here, ${job.hwHash} at the submitter`);
    const inputs = job.inputs as never;
    switch (job.task) {
      case 'lint':
        return done({ result: await lint(D), seconds: 0, cacheable: true });
      case 'cycles':
        return done({ result: await cycles(D, inputs), seconds: 0, cacheable: true });
      case 'sim':
        return done({ result: await sim(D, inputs), seconds: 0, cacheable: true });
      case 'synth':
        return done(await synth(D, inputs));
      case 'fmax':
        return done(await fmax(D, inputs));
      case 'accuracy':
        return done(await accuracy(D, inputs));
    }
    throw new UserError(`unknown task ${String(job.task)}`);
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    return done({ result: { status: 'error', reason: msg }, seconds: 0, cacheable: false });
  }
}
