import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { KwtModel, KWT_LABELS } from './interpreter.ts';
import { loadClip } from './audio.ts';

/** softmax(q·K^T / 8) in float64: KWT-1's attention row for query q, recomputed independently. */
function softmaxRow(q: Float32Array, k: Float32Array[]): Float64Array {
  const s = new Float64Array(k.length);
  let mx = -Infinity;
  for (let j = 0; j < k.length; j++) {
    let d = 0;
    for (let c = 0; c < q.length; c++) d += q[c]! * k[j]![c]!;
    s[j] = d / 8;
    mx = Math.max(mx, s[j]!);
  }
  let z = 0;
  for (let j = 0; j < k.length; j++) {
    s[j] = Math.exp(s[j]! - mx);
    z += s[j]!;
  }
  for (let j = 0; j < k.length; j++) s[j] = s[j]! / z;
  return s;
}

// Debian package alsa-utils ships these recordings (48 kHz, a voice saying e.g. "Front left").
const ALSA = '/usr/share/sounds/alsa';

const model = KwtModel.load();
function clip(name: string): Float32Array {
  const p = `${ALSA}/${name}.wav`;
  if (!existsSync(p)) throw new Error(`${p} missing: apt-get install alsa-utils`);
  return loadClip(p);
}
const left = clip('Front_Left');
const right = clip('Front_Right');
const leftRun = model.run(left);

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('KWT-1 float interpreter', () => {
  it('classifies the alsa-utils Front_Left recording as "left"', () => {
    expect(leftRun.label).toBe('left');
    expect(leftRun.probs[KWT_LABELS.indexOf('left')]).toBeGreaterThan(0.5);
    let s = 0;
    for (const p of leftRun.probs) s += p;
    expect(s).toBeCloseTo(1, 5);
  });

  it('classifies the alsa-utils Front_Right recording as "right"', () => {
    const r = model.run(right);
    expect(r.label).toBe('right');
    expect(r.probs[KWT_LABELS.indexOf('right')]).toBeGreaterThan(0.5);
  });

  it('traces 12 layers with 99x64 Q/K/V/out and 99x99 row-stochastic attention', () => {
    expect(model.sites.length).toBe(12);
    expect(leftRun.layers.length).toBe(12);
    for (const t of leftRun.layers) {
      for (const m of [t.q, t.k, t.v, t.out]) {
        expect(m.length).toBe(99);
        for (const row of m) expect(row.length).toBe(64);
      }
      expect(t.attn.length).toBe(99);
      for (const row of t.attn) {
        expect(row.length).toBe(99);
        let s = 0;
        for (const p of row) s += p;
        expect(s).toBeCloseTo(1, 4);
      }
    }
  });

  it('Q/K/V are the right tensors: attn = softmax(QK^T/8) and out = attn·V', () => {
    for (const l of [0, 5, 11]) {
      const { q, k, v, attn, out } = leftRun.layers[l]!;
      let maxA = 0;
      let maxO = 0;
      for (const i of [0, 17, 98]) {
        const s = softmaxRow(q[i]!, k);
        for (let j = 0; j < 99; j++) maxA = Math.max(maxA, Math.abs(s[j]! - attn[i]![j]!));
        for (let c = 0; c < 64; c++) {
          let o = 0;
          for (let j = 0; j < 99; j++) o += attn[i]![j]! * v[j]![c]!;
          maxO = Math.max(maxO, Math.abs(o - out[i]![c]!));
        }
      }
      expect(maxA).toBeLessThan(1e-5);
      expect(maxO).toBeLessThan(1e-4);
      // Q and K must not be swapped: with swapped roles attn would be softmax(KQ^T/8)
      let asym = 0;
      for (let j = 0; j < 99; j++) {
        let d = 0;
        for (let c = 0; c < 64; c++) d += q[j]![c]! * k[0]![c]!;
        asym = Math.max(asym, Math.abs(d - q[0]!.reduce((a, x, c) => a + x * k[j]![c]!, 0)));
      }
      expect(asym).toBeGreaterThan(1e-3); // QK^T is not symmetric, so the check above is meaningful
    }
  });

  it('an attention hook returning the exact attn·V leaves the logits unchanged', () => {
    const calls: number[] = [];
    const r = model.run(left, {
      attention: (layer, q, k, v) => {
        calls.push(layer);
        expect(q.length).toBe(99);
        expect(k[0]!.length).toBe(64);
        const out: Float32Array[] = [];
        for (let i = 0; i < 99; i++) {
          const s = softmaxRow(q[i]!, k);
          const row = new Float32Array(64);
          for (let c = 0; c < 64; c++) {
            let o = 0;
            for (let j = 0; j < 99; j++) o += s[j]! * v[j]![c]!;
            row[c] = o;
          }
          out.push(row);
        }
        return out;
      },
    });
    expect(calls).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(r.layers.every((t) => t.replaced !== undefined)).toBe(true);
    expect(maxAbsDiff(r.logits, leftRun.logits)).toBeLessThan(1e-5);
    expect(r.label).toBe('left');
  });

  it('a hook returning undefined keeps the graph; one returning zeros changes the logits', () => {
    const same = model.run(left, { attention: () => undefined });
    expect(maxAbsDiff(same.logits, leftRun.logits)).toBe(0);
    const zero = model.run(left, {
      attention: () => Array.from({ length: 99 }, () => new Float32Array(64)),
    });
    expect(maxAbsDiff(zero.logits, leftRun.logits)).toBeGreaterThan(1e-2);
    // replacing only the last layer changes the logits too (the hook output is really used)
    const last = model.run(left, {
      attention: (l, _q, _k, v) => (l === 11 ? v.map((r) => r.slice()) : undefined),
    });
    expect(maxAbsDiff(last.logits, leftRun.logits)).toBeGreaterThan(1e-4);
  });

  it('a run resumed from the checkpoint, and a lean one (exact attention skipped), give the same logits', () => {
    const zeroLast = (l: number, _q: Float32Array[], _k: Float32Array[], v: Float32Array[]) =>
      l === 11 ? v.map((r) => r.map((x) => x / 2)) : undefined;
    const whole = model.run(right, { attention: zeroLast });
    const cp = model.run(right, { checkpoint: true }).checkpoint!;
    expect(cp.op).toBe(model.sites[0]!.outOp);
    const resumed = model.resume(cp, { attention: zeroLast });
    expect(Array.from(resumed.logits)).toEqual(Array.from(whole.logits));
    expect(resumed.layers.map((t) => t.replaced !== undefined)).toEqual(
      whole.layers.map((t) => t.replaced !== undefined),
    );
    expect(Array.from(model.resume(cp).logits)).toEqual(Array.from(model.run(right).logits));
    // lean: every layer replaced (here by the graph's own attn·V rows, copied from the traced run)
    const traced = model.run(right);
    const own = (l: number) => traced.layers[l]!.out.map((r) => r.slice());
    const lean = model.resume(cp, { attention: (l) => own(l), lean: true });
    expect(Array.from(lean.logits)).toEqual(Array.from(traced.logits));
    expect(lean.layers).toEqual([]);
    expect(() => model.resume(cp, { attention: () => undefined, lean: true })).toThrow(/replace every layer/);
  });

  it('rejects a hook with the wrong shape and audio of the wrong length', () => {
    expect(() => model.run(left, { attention: () => [new Float32Array(64)] })).toThrow(/rows/);
    expect(() => model.run(new Float32Array(8000))).toThrow(/16000/);
  });

  it('runs a clip in well under a second of CPU', () => {
    // CPU time of this process, not wall time: the other test workers' simulators share the cores
    const t0 = process.cpuUsage();
    for (let i = 0; i < 3; i++) model.run(right);
    const cpu = process.cpuUsage(t0);
    expect((cpu.user + cpu.system) / 1000 / 3).toBeLessThan(700);
  });
});
