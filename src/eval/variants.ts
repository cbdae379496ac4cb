// One evaluation engine for every experiment on KWT-1 (Fig. 10, the keys-versus-accuracy curve, calibration
// toward an accuracy target): per clip, the exact graph once, then any number of variants, each an ELSA
// model with one selection rule per layer substituted in all 12 layers at once. Every variant resumes from
// the exact run's checkpoint (the front end and the first Q, K, V are the same for all) and skips the exact
// attention it replaces. Work is spread over child processes (one per core by default); results come back
// in clip order whatever the number of processes.
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolveConfig } from '../gen/config.ts';
import { COMPILED } from '../root.ts';
import { UserError } from '../spec/errors.ts';
import { elsaFloatSelecting, type Selection } from '../model/float.ts';
import { elsaFixedOut, quantizer, quantizeThreshold } from '../units/top/model.ts';
import { loadClip } from '../tflite/audio.ts';
import { KwtModel, type AttentionHook, type KwtCheckpoint } from '../tflite/interpreter.ts';
import { checkKwtConfig } from './calibrate.ts';
import type { ClipItem } from './clips.ts';

/** One model run: the float or fixed-point ELSA model with layer l's selection rule `layers[l]`.
 *  The fixed-point model implements the hardware's rule only (threshold, no fallback). */
export interface Variant {
  model: 'float' | 'fixed';
  layers: Selection[];
}

/** One hooked run: predicted label, selected (query, key) pairs per layer, queries with no key. */
export interface RunStats {
  label: string;
  selected: number[];
  empty: number;
}

/** Everything measured on one clip: the exact model's label, tokens n, one RunStats per variant. */
export interface ClipRuns {
  exact: string;
  n: number;
  runs: RunStats[];
}

/** Evaluates clips under variants in this process; the exact run of each clip is kept (its label and
 *  checkpoint, a few hundred kB) so repeated calls on the same clips, as calibration makes, pay it once. */
export function makeVariantEvaluator(cfg: unknown, kwt: KwtModel = KwtModel.load()) {
  const D = resolveConfig(cfg);
  checkKwtConfig(D);
  const float = elsaFloatSelecting(D);
  const outScale = 2 ** D.out.frac;
  const quantize = quantizer(D);
  const quantizeRows = (rows: Float32Array[]) =>
    rows.map((r) => {
      const o = new Int32Array(r.length);
      for (let i = 0; i < r.length; i++) o[i] = quantize(r[i]!);
      return o;
    });
  /** Output rows and candidate keys per query of one layer under one variant. */
  const attend = (v: Variant, q: Float32Array[], k: Float32Array[], v2: Float32Array[], sel: Selection) => {
    if (v.model === 'float') {
      const r = float.attend(q, k, v2, sel);
      const selected = r.candidates.map((row) => row.reduce((c, b) => c + (b ? 1 : 0), 0));
      return { out: r.out.map((o) => Float32Array.from(o)), selected };
    }
    if (sel.kind !== 'threshold' || sel.fallback)
      throw new UserError('the fixed-point model implements the threshold rule only (no top-m, no fallback)');
    // elsaFixedOut is elsaFixed (the RTL's model) without its trace, bit for bit
    const r = elsaFixedOut(D, quantizeRows(k), quantizeRows(v2), quantizeRows(q), quantizeThreshold(sel.t, D));
    const out = r.out.map((row) => {
      const o = new Float32Array(row.length);
      for (let i = 0; i < row.length; i++) o[i] = row[i]! / outScale;
      return o;
    });
    return { out, selected: Array.from(r.selected) };
  };
  const exact = new Map<string, { label: string; n: number; cp: KwtCheckpoint }>();
  const hook =
    (v: Variant, st: RunStats): AttentionHook =>
    (layer, q, k, v2) => {
      const sel = v.layers[layer];
      if (!sel) throw new UserError(`no selection rule for layer ${layer}`);
      const r = attend(v, q, k, v2, sel);
      let total = 0;
      for (const c of r.selected) {
        total += c;
        if (c === 0) st.empty++;
      }
      st.selected[layer] = total;
      return r.out;
    };
  return (path: string, variants: Variant[]): ClipRuns => {
    let ex = exact.get(path);
    if (!ex) {
      const r = kwt.run(loadClip(path), { checkpoint: true });
      ex = { label: r.label, n: r.layers[0]?.q.length ?? 0, cp: r.checkpoint! };
      exact.set(path, ex);
    }
    const { cp } = ex;
    const runs = variants.map((v) => {
      const st: RunStats = { label: '', selected: new Array(kwt.sites.length).fill(0), empty: 0 };
      st.label = kwt.resume(cp, { attention: hook(v, st), lean: true }).label;
      return st;
    });
    return { exact: ex.label, n: ex.n, runs };
  };
}

export const defaultJobs = (): number => Math.max(1, Math.min(2, availableParallelism()));

// the compiled CLI (dist/) forks the compiled worker; the sources fork worker.ts through tsx
const WORKER = fileURLToPath(new URL(COMPILED ? './worker.js' : './worker.ts', import.meta.url));

type Reply = { type: 'ready' } | { type: 'result'; index: number; result: unknown } | { type: 'error'; error: string };

/** One calibration clip's Q and K per layer as flat n×d arrays (what crosses the process boundary). */
export interface FlatQK {
  n: number;
  d: number;
  Q: Float32Array;
  K: Float32Array;
}

/** The exact model's Q and K of every layer on one clip, flat. */
export function exactQK(kwt: KwtModel, path: string): FlatQK[] {
  const flat = (rows: Float32Array[]) => {
    const d = rows[0]?.length ?? 0;
    const o = new Float32Array(rows.length * d);
    rows.forEach((r, i) => o.set(r, i * d));
    return o;
  };
  return kwt
    .run(loadClip(path))
    .layers.map((tr) => ({ n: tr.q.length, d: tr.q[0]?.length ?? 0, Q: flat(tr.q), K: flat(tr.k) }));
}

/** A pool of evaluation processes for one config, kept between batches (each keeps its exact runs).
 *  With jobs = 1 everything runs in this process. Always `close()` it (a finally block). */
export class EvalPool {
  private readonly children: ChildProcess[] = [];
  private local?: ReturnType<typeof makeVariantEvaluator>;
  private ready: Promise<void>[] = [];
  private onReply = new Map<ChildProcess, (m: Reply) => void>();
  private failure?: Error;

  constructor(
    private readonly cfg: unknown,
    readonly jobs: number,
  ) {
    if (jobs <= 1) return;
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    for (let w = 0; w < jobs; w++) {
      const ch = fork(WORKER, [], {
        execArgv: COMPILED ? [] : ['--import', tsx],
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      this.children.push(ch);
      this.ready.push(
        new Promise((resolve, reject) => {
          this.onReply.set(ch, (m) =>
            m.type === 'ready' ? resolve() : reject(new Error(m.type === 'error' ? m.error : 'worker not ready')),
          );
          ch.on('error', reject);
        }),
      );
      ch.on('message', (m: Reply) => this.onReply.get(ch)?.(m));
      ch.on('exit', (code, sig) => {
        this.failure ??= new Error(`evaluation worker exited (${code ?? sig}) before the end`);
        this.onReply.get(ch)?.({ type: 'error', error: this.failure.message });
      });
      ch.send({ type: 'init', cfg });
    }
  }

  /** Every clip under every variant, in clip order. */
  async run(clips: ClipItem[], variants: Variant[], onResult: () => void = () => {}): Promise<ClipRuns[]> {
    if (this.jobs <= 1) {
      this.local ??= makeVariantEvaluator(this.cfg);
      return clips.map((c) => {
        const r = this.local!(c.path, variants);
        onResult();
        return r;
      });
    }
    return this.each<ClipRuns>(
      clips.length,
      (i) => ({ type: 'clip', index: i, path: clips[i].path, variants }),
      onResult,
    );
  }

  /** The exact model's Q and K of every layer on each clip (calibration), in clip order. This process
   *  takes clips too, one per turn of the event loop, from the start (the pool's processes join once they
   *  have loaded). */
  async collect(clips: ClipItem[], onResult: () => void = () => {}): Promise<FlatQK[][]> {
    const kwt = KwtModel.load();
    const results: FlatQK[][] = new Array(clips.length);
    let next = 0;
    let finished = 0;
    await new Promise<void>((resolveAll, reject) => {
      if (clips.length === 0) return resolveAll();
      const done = (i: number, r: FlatQK[]) => {
        results[i] = r;
        onResult();
        if (++finished === clips.length) resolveAll();
      };
      const feed = (ch: ChildProcess) => {
        if (next < clips.length) ch.send({ type: 'collect', index: next, path: clips[next++]!.path });
      };
      this.children.forEach((ch, w) =>
        this.ready[w]!.then(() => {
          this.onReply.set(ch, (m) => {
            if (m.type === 'result') {
              done(m.index, m.result as FlatQK[]);
              feed(ch);
            } else if (m.type === 'error') reject(new Error(`evaluation worker: ${m.error}`));
          });
          feed(ch);
        }, reject),
      );
      const local = () => {
        if (next >= clips.length) return;
        const i = next++;
        try {
          done(i, exactQK(kwt, clips[i]!.path));
        } catch (e) {
          return reject(e);
        }
        setImmediate(local);
      };
      setImmediate(local);
    });
    return results;
  }

  /** Sends message i for every i < count to whichever process is free; the results in index order. */
  private async each<T>(count: number, msg: (i: number) => object, onResult: () => void): Promise<T[]> {
    const results: T[] = new Array(count);
    await Promise.all(this.ready);
    if (this.failure) throw this.failure;
    let next = 0;
    let finished = 0;
    await new Promise<void>((resolveAll, reject) => {
      if (count === 0) return resolveAll();
      const feed = (ch: ChildProcess) => {
        if (next < count) ch.send(msg(next++));
      };
      for (const ch of this.children) {
        this.onReply.set(ch, (m) => {
          if (m.type === 'result') {
            results[m.index] = m.result as T;
            onResult();
            if (++finished === count) resolveAll();
            else feed(ch);
          } else if (m.type === 'error') reject(new Error(`evaluation worker: ${m.error}`));
        });
        feed(ch);
      }
    });
    return results;
  }

  close(): void {
    for (const ch of this.children) {
      this.onReply.delete(ch);
      ch.removeAllListeners('exit');
      if (ch.exitCode === null && ch.signalCode === null) ch.kill();
    }
  }
}
