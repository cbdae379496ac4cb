// Sweep files: a base config, axes over any config field (lists or ranges), and the tasks per point.
// Expanding a sweep gives the points (the Cartesian product of the axes, in file order) with their
// resolved config or their config error, and the jobs, each keyed by hardware hash + task + inputs.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { z } from 'zod';
import { PRESETS, loadConfigFile, resolveConfig } from '../gen/config.ts';
import { canonicalJson } from '../units/design.ts';
import { ConfigError, UserError } from '../spec/errors.ts';
import { ElsaConfigSchema } from '../spec/schema.ts';
import { TARGETS } from '../synth/targets.ts';
import { codeFingerprint } from './fingerprint.ts';

/** A sweep with more points than this is almost certainly a mistake in a range. */
export const MAX_POINTS = 10_000;
export const DEFAULT_PS = [0, 0.5, 1, 2, 4];

const pList = z.array(z.number().min(0).max(64)).min(1);
const Range = z.object({ from: z.number(), to: z.number(), step: z.number().positive().default(1) }).strict();
const Axis = z.union([z.array(z.unknown()).min(1), Range]);

export const SweepSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9_]*$/, 'must be lower_snake_case')
      .optional()
      .describe('names the points (<name>_<index>) and the output folder; default: the file name'),
    base: z
      .union([z.string(), z.record(z.string(), z.unknown())])
      .default('small')
      .describe('preset name, JSON config file (relative to the sweep file) or a config object'),
    axes: z
      .record(z.string(), Axis)
      .default({})
      .describe('config field (dotted path) → list of values or {from, to, step}'),
    tasks: z
      .object({
        lint: z.boolean().default(false),
        cycles: z
          .object({ p: pList.default(DEFAULT_PS), seed: z.number().int().min(0).default(2021) })
          .strict()
          .optional(),
        sim: z
          .object({
            simulator: z.enum(['verilator', 'iverilog']).default('verilator'),
            seed: z.number().int().min(0).default(1),
          })
          .strict()
          .optional(),
        synth: z
          .object({ targets: z.array(z.enum(TARGETS)).min(1), moduleTimeout: z.number().positive().optional() })
          .strict()
          .optional(),
        fmax: z
          .object({ freq: z.number().positive().default(50), seed: z.number().int().min(1).default(1) })
          .strict()
          .optional(),
        accuracy: z
          .object({ clips: z.string().default('build/clips'), p: pList.default([0, 1]) })
          .strict()
          .optional(),
      })
      .strict()
      .default({ lint: true, cycles: { p: DEFAULT_PS, seed: 2021 } }),
  })
  .strict();
export type SweepSpec = z.output<typeof SweepSchema>;

export const TASKS = ['lint', 'cycles', 'sim', 'synth', 'fmax', 'accuracy'] as const;
export type TaskName = (typeof TASKS)[number];

/** What a worker needs to run one job: no absolute paths (workers run in their own checkout). */
export interface JobData {
  key: string;
  task: TaskName;
  /** `synth:ice40`, `lint`, … : the column the result goes to */
  label: string;
  config: Record<string, unknown>;
  hwHash: string;
  fingerprint: string;
  inputs: Record<string, unknown>;
}

export interface Point {
  index: number;
  name: string;
  /** axis path → value of this point */
  axes: Record<string, unknown>;
  hwHash?: string;
  /** the config error of an invalid point (one line) */
  error?: string;
  /** job labels of this point → job key */
  jobs: Record<string, string>;
}

export interface SweepPlan {
  name: string;
  spec: SweepSpec;
  points: Point[];
  jobs: JobData[];
  fingerprint: string;
}

function issueText(e: z.ZodError): string {
  const i = e.issues[0];
  return `${i.path.join('.') || '(root)'}: ${i.message}`;
}

/** Values of one axis: a list as given, or an inclusive numeric range. */
function axisValues(path: string, a: z.output<typeof Axis>): unknown[] {
  if (Array.isArray(a)) return a;
  if (a.to < a.from) throw new UserError(`sweep axis ${path}: "to" (${a.to}) is below "from" (${a.from})`);
  const n = Math.floor((a.to - a.from) / a.step + 1e-9) + 1;
  if (n > MAX_POINTS) throw new UserError(`sweep axis ${path}: ${n} values (more than ${MAX_POINTS}; check the step)`);
  // computed from the index, not accumulated, so 0.1 steps do not drift
  return Array.from({ length: n }, (_, i) => Number((a.from + i * a.step).toPrecision(12)));
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    const next = cur[p];
    cur[p] = next && typeof next === 'object' && !Array.isArray(next) ? { ...(next as Record<string, unknown>) } : {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts.at(-1)!] = value;
}

/** SHA-256 of the clip manifest and every clip it lists: accuracy results depend on the data. */
export function clipsDigest(dir: string): string {
  const mf = resolve(dir, 'manifest.json');
  if (!existsSync(mf))
    throw new UserError(`no clip manifest at ${mf} (make the clips first: scripts/make-clips.sh ${dir})`);
  const h = createHash('sha256');
  const text = readFileSync(mf, 'utf8');
  h.update(text);
  let clips: { file?: unknown }[];
  try {
    clips = (JSON.parse(text) as { clips: { file?: unknown }[] }).clips;
  } catch (e) {
    throw new UserError(`clip manifest ${mf} is not valid JSON: ${(e as Error).message}`);
  }
  for (const c of clips ?? []) {
    if (typeof c.file !== 'string') continue;
    const f = resolve(dir, c.file);
    h.update('\0')
      .update(c.file)
      .update('\0')
      .update(existsSync(f) ? readFileSync(f) : 'missing');
  }
  return h.digest('hex').slice(0, 16);
}

const jobKey = (fingerprint: string, hwHash: string, task: string, inputs: unknown): string =>
  createHash('sha256').update(canonicalJson({ fingerprint, hwHash, task, inputs })).digest('hex').slice(0, 24);

/** Read and check a sweep file (exit 2 on any problem with it). */
export function loadSweepFile(path: string): { spec: SweepSpec; dir: string; fileName: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const msg =
      (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `is not valid JSON: ${(e as Error).message}`;
    throw new UserError(`sweep file ${path} ${msg}`);
  }
  const r = SweepSchema.safeParse(raw);
  if (!r.success) throw new UserError(`sweep file ${path}: ${issueText(r.error)}`);
  return { spec: r.data, dir: dirname(resolve(path)), fileName: basename(path).replace(/\.json$/, '') };
}

/** Points × tasks → jobs. `cwd` is where relative paths in jobs (the clip folder) are resolved. */
export function planSweep(spec: SweepSpec, opts: { dir: string; fileName: string; cwd?: string }): SweepPlan {
  const cwd = opts.cwd ?? process.cwd();
  const name =
    spec.name ??
    (opts.fileName
      .toLowerCase()
      .replace(/[^a-z0-9_]/g, '_')
      .replace(/^[^a-z]+/, '') ||
      'sweep');
  let base: Record<string, unknown>;
  if (typeof spec.base === 'string') {
    if (spec.base in PRESETS) base = { ...PRESETS[spec.base] } as Record<string, unknown>;
    else if (spec.base.endsWith('.json'))
      base = loadConfigFile(resolve(opts.dir, spec.base)) as Record<string, unknown>;
    else
      throw new UserError(
        `sweep base "${spec.base}" is neither a preset (${Object.keys(PRESETS).join(', ')}) nor a .json file`,
      );
  } else base = { ...spec.base };

  const fields = Object.keys(ElsaConfigSchema.shape);
  const axes = Object.entries(spec.axes).map(([path, a]) => {
    if (!fields.includes(path.split('.')[0]))
      throw new UserError(`sweep axis "${path}" is not a config field (fields: ${fields.join(', ')})`);
    if (path === 'name') throw new UserError('sweep axis "name": points are named by the sweep (<name>_<index>)');
    return { path, values: axisValues(path, a) };
  });
  const total = axes.reduce((n, a) => n * a.values.length, 1);
  if (total > MAX_POINTS) throw new UserError(`sweep has ${total} points (more than ${MAX_POINTS}); narrow the axes`);

  const fingerprint = codeFingerprint();
  const t = spec.tasks;
  let accuracyInputs: Record<string, unknown> | undefined;
  if (t.accuracy) {
    // jobs carry the clip folder relative to the working directory, and a digest so workers check their copy
    const abs = resolve(opts.dir, t.accuracy.clips);
    const rel = relative(cwd, abs) || '.';
    accuracyInputs = { clips: isAbsolute(rel) ? t.accuracy.clips : rel, digest: clipsDigest(abs), p: t.accuracy.p };
  }
  const taskInputs: { task: TaskName; label: string; inputs: Record<string, unknown> }[] = [];
  if (t.lint) taskInputs.push({ task: 'lint', label: 'lint', inputs: {} });
  if (t.cycles) taskInputs.push({ task: 'cycles', label: 'cycles', inputs: { p: t.cycles.p, seed: t.cycles.seed } });
  if (t.sim) taskInputs.push({ task: 'sim', label: `sim:${t.sim.simulator}`, inputs: { ...t.sim } });
  for (const target of t.synth?.targets ?? []) {
    taskInputs.push({
      task: 'synth',
      label: `synth:${target}`,
      inputs: { target, moduleTimeout: t.synth!.moduleTimeout ?? null },
    });
  }
  if (t.fmax) taskInputs.push({ task: 'fmax', label: 'fmax:ice40', inputs: { freq: t.fmax.freq, seed: t.fmax.seed } });
  if (accuracyInputs) taskInputs.push({ task: 'accuracy', label: 'accuracy', inputs: accuracyInputs });
  if (taskInputs.length === 0)
    throw new UserError('sweep has no tasks (tasks: lint, cycles, sim, synth, fmax, accuracy)');

  const points: Point[] = [];
  const jobs = new Map<string, JobData>();
  for (let i = 0; i < total; i++) {
    const cfg: Record<string, unknown> = { ...base, name: `${name}_${i}` };
    const at: Record<string, unknown> = {};
    let rest = i;
    // the last axis varies fastest
    for (let a = axes.length - 1; a >= 0; a--) {
      const v = axes[a].values[rest % axes[a].values.length];
      rest = Math.floor(rest / axes[a].values.length);
      at[axes[a].path] = v;
    }
    for (const a of axes) setPath(cfg, a.path, at[a.path]);
    const point: Point = {
      index: i,
      name: `${name}_${i}`,
      axes: Object.fromEntries(axes.map((a) => [a.path, at[a.path]])),
      jobs: {},
    };
    try {
      const D = resolveConfig(cfg);
      point.hwHash = D.hwHash;
      for (const ti of taskInputs) {
        const key = jobKey(fingerprint, D.hwHash, ti.task, ti.inputs);
        point.jobs[ti.label] = key;
        if (!jobs.has(key)) {
          jobs.set(key, {
            key,
            task: ti.task,
            label: ti.label,
            config: D.cfg as unknown as Record<string, unknown>,
            hwHash: D.hwHash,
            fingerprint,
            inputs: ti.inputs,
          });
        }
      }
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      point.error = e.message;
    }
    points.push(point);
  }
  return { name, spec, points, jobs: [...jobs.values()], fingerprint };
}
