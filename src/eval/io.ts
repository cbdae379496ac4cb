// Output helpers for the evaluation: deterministic JSON and a progress bar on stderr.
import { SingleBar } from 'cli-progress';

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
      const keys = Object.keys(x)
        .filter((k) => (x as Record<string, unknown>)[k] !== undefined)
        .sort();
      if (keys.length === 0) return '{}';
      const inner = ind + '  ';
      const entry = (k: string) =>
        `${inner}${JSON.stringify(k)}: ${go((x as Record<string, unknown>)[k], [...path, k], inner)}`;
      return `{\n${keys.map(entry).join(',\n')}\n${ind}}`;
    }
    return JSON.stringify(x);
  };
  return go(v, [], '') + '\n';
}

/** A progress bar with ETA on stderr (cli-progress): redrawn in place on a terminal, one line every
 *  10 s otherwise (logs stay short). `finish()` returns the elapsed seconds. */
export class Progress {
  private readonly t0 = performance.now();
  private readonly bar: SingleBar | null;
  constructor(label: string, total: number, enabled = true, stream: NodeJS.WriteStream = process.stderr) {
    this.bar = enabled
      ? new SingleBar({
          format: `${label} [{bar}] {value}/{total} {duration}s, ~{eta}s left`,
          barsize: 20,
          barCompleteChar: '#',
          barIncompleteChar: '.',
          stream,
          noTTYOutput: true,
          notTTYSchedule: 10_000,
          etaBuffer: 20,
          hideCursor: false,
        })
      : null;
    this.bar?.start(total, 0);
  }

  tick(n = 1): void {
    this.bar?.increment(n);
  }

  finish(): number {
    this.bar?.stop();
    return (performance.now() - this.t0) / 1000;
  }
}
