// Running a planned sweep: jobs found in the cache are skipped, the rest run on the local process pool
// (embedded) or on BullMQ workers (queue); then the per-point results are assembled and written as
// results.json, results.csv, summary.md and the Pareto page pareto.html.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { writeFolderAtomic } from '../gen/outdir.ts';
import { stableJson } from '../eval/io.ts';
import { renderParetoPage } from '../report/pareto.ts';
import { JobPool } from './pool.ts';
import { submitAndCollect } from './queue.ts';
import type { JobData, SweepPlan } from './spec.ts';
import { DiskStore } from './store.ts';
import type { Outcome, TaskResult } from './tasks.ts';
import type { PointResult, PointStatus, SweepResults } from './results.ts';

export interface TaskCost {
  label: string;
  ran: number;
  cached: number;
  meanSeconds: number | null;
  maxSeconds: number | null;
}

export interface RunOptions {
  jobs?: number;
  cacheDir: string;
  queue?: string;
  submitOnly?: boolean;
  /** resolves on SIGINT/SIGTERM */
  interrupted: Promise<void>;
  onStart?: (total: number, cached: number) => void;
  onResult?: (job: JobData, o: Outcome) => void;
}

export interface RunSummary {
  results: SweepResults;
  costs: TaskCost[];
  interrupted: boolean;
  pendingJobs: number;
}

// heaviest first, so the slow jobs start early and the pool is not left waiting for one at the end
const WEIGHT: Record<string, number> = { accuracy: 6, fmax: 5, synth: 4, sim: 3, lint: 2, cycles: 1 };

export async function runSweep(plan: SweepPlan, o: RunOptions): Promise<RunSummary> {
  const store = new DiskStore(o.cacheDir);
  const outcomes = new Map<string, { o: Outcome; cached: boolean }>();
  const todo: JobData[] = [];
  for (const j of plan.jobs) {
    const c = store.get(j.key);
    if (c) outcomes.set(j.key, { o: { result: c.result, seconds: c.seconds, cacheable: false }, cached: true });
    else todo.push(j);
  }
  todo.sort((a, b) => WEIGHT[b.task] - WEIGHT[a.task]);
  o.onStart?.(plan.jobs.length, plan.jobs.length - todo.length);
  let interrupted = false;
  void o.interrupted.then(() => (interrupted = true));

  if (o.queue) {
    const r = await submitAndCollect(todo, {
      url: o.queue,
      store,
      submitOnly: o.submitOnly,
      interrupted: o.interrupted,
      onResult: (j, out) => {
        outcomes.set(j.key, { o: out, cached: false });
        o.onResult?.(j, out);
      },
    });
    void r;
  } else if (todo.length) {
    const pool = new JobPool(Math.max(1, Math.min(o.jobs ?? availableParallelism(), todo.length)));
    try {
      let next = 0;
      const lane = async () => {
        while (next < todo.length && !interrupted) {
          const j = todo[next++];
          const out = await Promise.race([pool.run(j), o.interrupted.then(() => undefined)]);
          if (!out) return;
          store.put(j, out);
          outcomes.set(j.key, { o: out, cached: false });
          o.onResult?.(j, out);
        }
      };
      await Promise.all(Array.from({ length: pool.size }, lane));
    } finally {
      pool.close();
    }
  }
  const results = assemble(plan, new Map([...outcomes].map(([k, v]) => [k, v.o])));
  return { results, costs: costs(plan, outcomes), interrupted, pendingJobs: plan.jobs.length - outcomes.size };
}

function assemble(plan: SweepPlan, outcomes: Map<string, Outcome>): SweepResults {
  const labels = [...new Set(plan.points.flatMap((p) => Object.keys(p.jobs)))];
  const points = plan.points.map((p): PointResult => {
    if (p.error)
      return { index: p.index, name: p.name, axes: p.axes, hwHash: null, status: 'invalid', error: p.error, tasks: {} };
    const tasks = Object.fromEntries(
      Object.entries(p.jobs).map(([label, key]) => [label, outcomes.get(key)?.result ?? null]),
    );
    const st = Object.values(tasks).map((t) => t?.status);
    const status: PointStatus = st.includes('error')
      ? 'error'
      : st.includes('fail')
        ? 'fail'
        : st.includes(undefined)
          ? 'pending'
          : 'ok';
    return { index: p.index, name: p.name, axes: p.axes, hwHash: p.hwHash!, status, tasks };
  });
  return { sweep: plan.name, fingerprint: plan.fingerprint, axes: Object.keys(plan.spec.axes), tasks: labels, points };
}

function costs(plan: SweepPlan, outcomes: Map<string, { o: Outcome; cached: boolean }>): TaskCost[] {
  const labels = [...new Set(plan.jobs.map((j) => j.label))];
  return labels.map((label) => {
    const js = plan.jobs
      .filter((j) => j.label === label)
      .map((j) => outcomes.get(j.key))
      .filter((x) => x !== undefined);
    const secs = js.map((x) => x.o.seconds);
    return {
      label,
      ran: js.filter((x) => !x.cached).length,
      cached: js.filter((x) => x.cached).length,
      meanSeconds: secs.length ? Math.round((10 * secs.reduce((a, b) => a + b, 0)) / secs.length) / 10 : null,
      maxSeconds: secs.length ? Math.max(...secs) : null,
    };
  });
}

// ------------------------------------------------------------------ tables

const fmt = (x: unknown): string =>
  x === null || x === undefined
    ? ''
    : typeof x === 'number'
      ? String(x)
      : typeof x === 'string'
        ? x
        : JSON.stringify(x);
type Row = [string, string][];

/** One point as ordered (column, value) pairs: the CSV row and, shortened, the summary row. */
function columns(r: SweepResults, p: PointResult, brief: boolean): Row {
  const row: Row = [['point', String(p.index)]];
  if (!brief) row.push(['name', p.name]);
  for (const a of r.axes) row.push([a, fmt(p.axes[a])]);
  row.push(['hw hash', p.hwHash ?? ''], ['status', p.status]);
  row.push(['error', p.error ?? '']);
  for (const label of r.tasks) {
    const t = p.tasks[label] as (TaskResult & Record<string, never>) | null | undefined;
    const s = t ? (t.status === 'ok' ? 'ok' : `${t.status}${t.reason && !brief ? `: ${t.reason}` : ''}`) : '';
    const task = label.split(':')[0];
    if (task === 'cycles') {
      const perP = (t?.perP ?? []) as { p: number; cyclesPerQuery: number; selected: number; speedup: number }[];
      const ps = (r.points.find((q) => q.tasks.cycles)?.tasks.cycles?.perP ?? []) as { p: number }[];
      for (const { p: pv } of ps) {
        const w = perP.find((x) => x.p === pv);
        row.push([`cycles/query p=${pv}`, w ? w.cyclesPerQuery.toFixed(2) : '']);
        if (!brief)
          row.push(
            [`keys selected p=${pv}`, w ? String(w.selected) : ''],
            [`speedup p=${pv}`, w ? String(w.speedup) : ''],
          );
      }
    } else if (task === 'synth') {
      const target = label.split(':')[1];
      const area = t?.area as Record<string, number> | undefined;
      row.push([`${target} status`, s]);
      for (const c of brief ? ['lut', 'dsp'] : ['lut', 'ff', 'carry', 'dsp', 'bram'])
        row.push([`${target} ${c.toUpperCase()}`, area ? String(area[c]) : '']);
    } else if (task === 'fmax') {
      row.push(['fmax status', s], ['Fmax MHz', t?.fmaxMHz !== undefined ? String(t.fmaxMHz) : '']);
    } else if (task === 'accuracy') {
      row.push(['accuracy status', s]);
      for (const w of (t?.perP ?? []) as { p: number; top1Fixed: number; selectedFixed: number }[]) {
        row.push([`top-1 fixed p=${w.p}`, (100 * w.top1Fixed).toFixed(1)]);
        if (!brief) row.push([`keys fixed p=${w.p}`, String(w.selectedFixed)]);
      }
    } else row.push([label, s]);
  }
  return brief ? row.filter(([h]) => h !== 'error' || r.points.some((q) => q.error)) : row;
}

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function resultsCsv(r: SweepResults): string {
  const rows = r.points.map((p) => columns(r, p, false));
  const head = [...new Set(rows.flatMap((row) => row.map(([h]) => h)))];
  const lines = [head.map(csvCell).join(',')];
  for (const row of rows) {
    const m = new Map(row);
    lines.push(head.map((h) => csvCell(m.get(h) ?? '')).join(','));
  }
  return lines.join('\n') + '\n';
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|');

/** The per-point table (deterministic: no timing). */
export function summaryMarkdown(r: SweepResults): string {
  const rows = r.points.map((p) => columns(r, p, true));
  const head = [...new Set(rows.flatMap((row) => row.map(([h]) => h)))];
  const L = [`# Sweep ${r.sweep}: ${r.points.length} points`, ''];
  L.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
  for (const row of rows) {
    const m = new Map(row);
    L.push(`| ${head.map((h) => mdCell(m.get(h) ?? '')).join(' | ')} |`);
  }
  const counts = (['ok', 'fail', 'error', 'invalid', 'pending'] as const).map(
    (s) => [s, r.points.filter((p) => p.status === s).length] as const,
  );
  L.push(
    '',
    `points: ${counts
      .filter(([, n]) => n)
      .map(([s, n]) => `${n} ${s}`)
      .join(', ')}`,
  );
  const problems = r.points.flatMap((p) =>
    p.error
      ? [`- point ${p.index}: ${p.error}`]
      : Object.entries(p.tasks)
          .filter(([, t]) => t && t.status !== 'ok')
          .map(([l, t]) => `- point ${p.index} ${l}: ${t!.status}${t!.reason ? `: ${t!.reason}` : ''}`),
  );
  if (problems.length) L.push('', ...problems);
  return L.join('\n') + '\n';
}

/** What each task cost in this run (printed, not written: timing is not reproducible). */
export function costTable(costs: TaskCost[]): string {
  const L = ['| task | jobs run | cached | mean s/job | max s/job |', '|---|---:|---:|---:|---:|'];
  for (const c of costs)
    L.push(`| ${c.label} | ${c.ran} | ${c.cached} | ${c.meanSeconds ?? ''} | ${c.maxSeconds ?? ''} |`);
  return L.join('\n') + '\n';
}

/** Write results.json, results.csv, summary.md and pareto.html into `dir` (atomically; a folder elsa-gen did
 *  not write as sweep output is replaced only with `force`). */
export async function writeOutputs(dir: string, s: RunSummary, force = false): Promise<string[]> {
  const files = [
    { path: 'results.json', content: stableJson(s.results) },
    { path: 'results.csv', content: resultsCsv(s.results) },
    { path: 'summary.md', content: summaryMarkdown(s.results) },
    { path: 'pareto.html', content: await renderParetoPage(s.results) },
  ];
  writeFolderAtomic(dir, files, { kind: 'sweep', force });
  return files.map((f) => join(dir, f.path));
}
