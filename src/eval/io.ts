// Output helpers for the evaluation: atomic file writes, deterministic JSON, a stderr progress line.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Write a file via a temporary sibling and rename, so readers never see a partial file. */
export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Round to `digits` decimals (the fixed precision of every real number the evaluation writes). */
export const roundTo = (x: number, digits = 6): number => {
  const r = Number(x.toFixed(digits));
  return Object.is(r, -0) ? 0 : r;
};

/** JSON with sorted object keys at every level, 2-space indentation and a final newline.
 *  `num` formats numbers (default: JSON's shortest round-trip form); it receives the key path. */
export function stableJson(v: unknown, num: (x: number, path: string[]) => string = (x) => JSON.stringify(x)): string {
  const go = (x: unknown, path: string[], ind: string): string => {
    if (typeof x === 'number') {
      if (!Number.isFinite(x)) throw new Error(`stableJson: non-finite number at ${path.join('.')}`);
      return num(x, path);
    }
    if (Array.isArray(x)) {
      if (x.length === 0) return '[]';
      // arrays of scalars stay on one line (per-layer vectors), others one element per line
      if (x.every((e) => e === null || typeof e !== 'object'))
        return `[${x.map((e, i) => go(e, [...path, String(i)], ind)).join(', ')}]`;
      const inner = ind + '  ';
      return `[\n${x.map((e, i) => inner + go(e, [...path, String(i)], inner)).join(',\n')}\n${ind}]`;
    }
    if (x && typeof x === 'object') {
      const keys = Object.keys(x).filter((k) => (x as Record<string, unknown>)[k] !== undefined).sort();
      if (keys.length === 0) return '{}';
      const inner = ind + '  ';
      return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${go((x as Record<string, unknown>)[k], [...path, k], inner)}`).join(',\n')}\n${ind}}`;
    }
    return JSON.stringify(x);
  };
  return go(v, [], '') + '\n';
}

/** One progress line on stderr: rewritten in place on a terminal, a line per 10% otherwise. */
export class Progress {
  private done = 0;
  private readonly t0 = performance.now();
  private lastDraw = 0;
  private lastDecile = -1;
  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly enabled = true,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  tick(n = 1): void {
    this.done += n;
    if (!this.enabled) return;
    const now = performance.now();
    if (this.stream.isTTY) {
      if (now - this.lastDraw < 200 && this.done < this.total) return;
      this.lastDraw = now;
      this.stream.write(`\r${this.line(now)}\x1b[K`);
    } else {
      const decile = Math.floor((10 * this.done) / Math.max(1, this.total));
      if (decile === this.lastDecile) return;
      this.lastDecile = decile;
      this.stream.write(`${this.line(now)}\n`);
    }
  }

  finish(): number {
    const secs = (performance.now() - this.t0) / 1000;
    if (this.enabled && this.stream.isTTY) this.stream.write(`\r${this.line(performance.now())}\x1b[K\n`);
    return secs;
  }

  private line(now: number): string {
    const secs = (now - this.t0) / 1000;
    const frac = this.total ? this.done / this.total : 1;
    const eta = this.done > 0 && this.done < this.total ? `, ~${Math.round((secs / this.done) * (this.total - this.done))} s left` : '';
    const bar = '#'.repeat(Math.round(20 * frac)).padEnd(20, '.');
    return `${this.label} [${bar}] ${this.done}/${this.total} ${secs.toFixed(0)} s${eta}`;
  }
}
