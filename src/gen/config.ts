// Loading and validating configurations: presets, JSON files, overrides.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CAND_SEL_3_QUEUE_DEPTH, ElsaConfigSchema, type ElsaConfig, type ElsaConfigInput } from '../spec/schema.ts';
import { ConfigError, UserError } from '../spec/errors.ts';
import { designSpec, type DesignSpec } from '../units/design.ts';

/** Named presets: partial configs over the schema defaults. */
export const PRESETS: Record<string, ElsaConfigInput> = {
  // The paper's evaluated accelerator (docs/spec.md §2). No hash stages: its Kronecker modes are one step each, so
  // every stage would add two idle slots per key (preprocessing 3 → 5 cycles a key) and buy no cycle back.
  paper: { name: 'paper', nMax: 512, d: 64, k: 64, pA: 4, pC: 8, mH: 256, mO: 16, pipeline: { hash: 0 } },
  // Small and fast: the default for quick start and CI.
  small: { name: 'small', nMax: 24, d: 16, k: 16, pA: 2, pC: 3, mH: 32, mO: 4 },
  // KWT-1 attention (d = 64, n = 99 tokens): banks of 33 keys.
  kwt1: { name: 'kwt1', nMax: 99, d: 64, k: 64, pA: 3, pC: 4, mH: 64, mO: 8 },
  // Smallest config whose whole elsa_top places and routes on an iCE40 HX8K
  // (`synth ice40 --target ice40 --pnr`: whole-design Fmax); paper Q/K/V and exp formats, narrower non-paper widths.
  ice40: {
    name: 'ice40',
    nMax: 16,
    d: 4,
    k: 4,
    pA: 1,
    pC: 2,
    mH: 4,
    mO: 1,
    formats: { accGuard: 4, recipFrac: 8, expConstFrac: 8, simFrac: 5 },
    // its one-mode hash never waits for an earlier mode, so three stages cost no cycle (src/units/hash/README.md)
    pipeline: { hash: 3 },
  },
};
export const DEFAULT_PRESET = 'small';

const FIELDS = (() => {
  const out: string[] = [];
  const walk = (o: z.ZodType, path: string) => {
    let cur = o as unknown as { def: { type: string; innerType?: z.ZodType; shape?: Record<string, z.ZodType> } };
    while (cur.def.innerType) cur = cur.def.innerType as unknown as typeof cur;
    if (path) out.push(path);
    if (cur.def.type === 'object' && cur.def.shape && !/\.(qkv|out)$/.test(path))
      for (const [k, v] of Object.entries(cur.def.shape)) walk(v, path ? `${path}.${k}` : k);
  };
  walk(ElsaConfigSchema, '');
  return out;
})();

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

/** A zod issue as field + rule + fix, in the words of the config file. */
export function issueToError(issue: z.core.$ZodIssue, raw: unknown): ConfigError {
  const path = issue.path.map(String).join('.');
  const field = path || '(root)';
  const i = issue as z.core.$ZodIssue & {
    expected?: string;
    minimum?: number | bigint;
    maximum?: number | bigint;
    keys?: string[];
    inclusive?: boolean;
    values?: unknown[];
  };
  const given = issue.path.reduce<unknown>(
    (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[String(k)] : undefined),
    raw,
  );
  switch (issue.code) {
    case 'invalid_type': {
      if (!path)
        return new ConfigError(
          '(root)',
          'must be a JSON object with the config fields',
          'write { "name": "my_accel", "nMax": 24, ... }; elsa-gen params lists every field',
        );
      if (given === undefined)
        return new ConfigError(
          field,
          'is required',
          `add "${String(issue.path.at(-1))}"; elsa-gen params lists every field`,
        );
      const what =
        i.expected === 'int'
          ? 'an integer'
          : i.expected === 'number'
            ? 'a number'
            : i.expected === 'object'
              ? 'an object'
              : `a ${i.expected}`;
      const fix =
        i.expected === 'int' && typeof given === 'number'
          ? `use ${Math.round(given)}`
          : i.expected === 'number' &&
              typeof given === 'string' &&
              given.trim() !== '' &&
              Number.isFinite(Number(given))
            ? `write ${Number(given)} without quotes`
            : `write ${what}`;
      return new ConfigError(field, `must be ${what}, not ${JSON.stringify(given)}`, fix);
    }
    case 'too_small':
      return new ConfigError(
        field,
        `must be ${i.inclusive === false ? '>' : '≥'} ${i.minimum}, not ${JSON.stringify(given)}`,
        `use a value of at least ${i.minimum}`,
      );
    case 'too_big':
      return new ConfigError(
        field,
        `must be ${i.inclusive === false ? '<' : '≤'} ${i.maximum}, not ${JSON.stringify(given)}`,
        `use a value of at most ${i.maximum}`,
      );
    case 'unrecognized_keys': {
      const key = i.keys?.[0] ?? '?';
      const full = path ? `${path}.${key}` : key;
      const near = FIELDS.map((f) => [f, editDistance(f.toLowerCase(), full.toLowerCase())] as const).sort(
        (a, b) => a[1] - b[1],
      )[0];
      return new ConfigError(
        full,
        'is not a config field',
        near && near[1] <= 3 ? `did you mean ${near[0]}?` : 'remove it; elsa-gen params lists every field',
      );
    }
    case 'invalid_format': {
      const slug =
        typeof given === 'string'
          ? given
              .toLowerCase()
              .replace(/[^a-z0-9_]+/g, '_')
              .replace(/^[^a-z]+/, '')
          : '';
      return new ConfigError(
        field,
        `must be lower_snake_case (a letter, then letters, digits, _), not ${JSON.stringify(given)}`,
        `use e.g. "${slug || 'my_accel'}"`,
      );
    }
    case 'invalid_union':
      return new ConfigError(
        field,
        `must be "inv_sqrt_d" or a number in (0, 16], not ${JSON.stringify(given)}`,
        'write "inv_sqrt_d" or e.g. 0.125',
      );
    default:
      return new ConfigError(field, `is invalid: ${issue.message}`, 'see elsa-gen params for what the field takes');
  }
}

/** Validate a raw object; throws ConfigError with the first problem, naming the JSON path. */
export function parseConfig(raw: unknown): ElsaConfig {
  const r = ElsaConfigSchema.safeParse(raw);
  if (!r.success) throw issueToError(r.error.issues[0], raw);
  return withDerivedDefaults(r.data, raw);
}

/** Defaults that depend on another field, for what the config leaves out. `pipeline.candSel`: 3, or 2 with queues
 *  shallower than CAND_SEL_3_QUEUE_DEPTH. Each selection stage holds a row whose keys reserve an entry in every
 *  queue (the bank's run-ahead), so below that depth the third stage costs cycles per query (bound.ts: m_topm_d32
 *  1.079× at its queues of 2, ice40 1.119× and m_d16_k8 1.188× at queues of 4) where 2 stages cost none. */
function withDerivedDefaults(cfg: ElsaConfig, raw: unknown): ElsaConfig {
  if (getPath(raw, 'pipeline.candSel') !== undefined || cfg.queueDepth >= CAND_SEL_3_QUEUE_DEPTH) return cfg;
  return { ...cfg, pipeline: { ...cfg.pipeline, candSel: 2 } };
}

/** The fields a derived-width limit depends on, per field designSpec() names (src/units/design.ts). */
const WIDTH_CAUSES: Record<string, { what: string; fields: string[] }> = {
  'formats.accGuard': {
    what: 'the Σe·v accumulator',
    fields: ['formats.qkv', 'formats.accGuard', 'formats.expFracBits', 'nMax', 'pA'],
  },
  'formats.qkv': { what: 'the hash buffers', fields: ['formats.qkv', 'formats.hashCoefFrac', 'd'] },
  'formats.expConstFrac': {
    what: 'the exp argument',
    fields: ['formats.qkv', 'formats.expConstFrac', 'scoreScale', 'd'],
  },
};

const getPath = (o: unknown, p: string): unknown =>
  p
    .split('.')
    .reduce<unknown>((x, k) => (x && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined), o);
function withoutPath(o: unknown, p: string): unknown {
  const copy = structuredClone(o) as Record<string, unknown>;
  const ks = p.split('.');
  let cur = copy;
  for (const k of ks.slice(0, -1)) cur = (cur[k] ?? {}) as Record<string, unknown>;
  delete cur[ks.at(-1)!];
  return copy;
}
const derives = (raw: unknown) => {
  try {
    designSpec(parseConfig(raw));
    return true;
  } catch {
    return false;
  }
};

/** designSpec() reports a too-wide derived width against one field; name the field the user wrote that
 *  causes it: the first written field whose default makes the config valid, else the first written one. */
function blameWidth(e: ConfigError, raw: unknown): ConfigError {
  const m = /a derived width of (\d+) bits exceeds the (\d+)-bit limit/.exec(e.rule);
  const cause = WIDTH_CAUSES[e.field];
  if (!m || !cause) return e;
  const written = cause.fields.filter((f) => getPath(raw, f) !== undefined);
  const optional = written.filter((f) => f.startsWith('formats.') || f === 'scoreScale');
  const field = optional.find((f) => derives(withoutPath(raw, f))) ?? written[0] ?? e.field;
  const value = JSON.stringify(getPath(raw, field));
  return new ConfigError(
    field,
    `= ${value} makes ${cause.what} ${m[1]} bits wide, over the ${m[2]}-bit limit of the model`,
    `use a smaller ${field}`,
  );
}

/** Overrides that render the first, unpipelined RTL: every `pipeline` depth 0, one partial buffer, no data
 *  enables, memories with read-during-write bypass, and the first RTL's queue depth (4) unless the config sets its
 *  own. Derived from the schema, so a pipeline field added or removed there is covered here. */
export function firstRtlOverrides(raw: { queueDepth?: number } = {}): {
  pipeline: Record<string, number>;
  partialBuffers: 1;
  dataEnables: false;
  memBypass: true;
  queueDepth: number;
} {
  const depths = parseConfig(PRESETS[DEFAULT_PRESET]).pipeline as Record<string, number>;
  return {
    pipeline: Object.fromEntries(Object.keys(depths).map((k) => [k, 0])),
    partialBuffers: 1,
    dataEnables: false,
    memBypass: true,
    queueDepth: raw.queueDepth ?? FIRST_RTL_QUEUE_DEPTH,
  };
}

/** The queue depth default of the first RTL (6 since candidate selection's run-ahead, pipeline.candSel 3). */
const FIRST_RTL_QUEUE_DEPTH = 4;

/** Resolve and derive: all cross-field rules run here, before anything is written. */
export function resolveConfig(raw: unknown): DesignSpec {
  const cfg = parseConfig(raw);
  try {
    return designSpec(cfg);
  } catch (e) {
    if (e instanceof ConfigError) throw blameWidth(e, raw);
    throw e;
  }
}

export function loadConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UserError(`cannot read config file ${path} (check the path)`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserError(`config file ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

/** A preset name or a JSON file path, as written (before the schema's defaults fill it in). */
export function rawConfig(spec: string): Record<string, unknown> {
  if (spec in PRESETS) return { ...PRESETS[spec] };
  if (!spec.endsWith('.json'))
    throw new UserError(`unknown preset "${spec}" (presets: ${Object.keys(PRESETS).join(', ')}; or pass a .json file)`);
  return loadConfigFile(spec) as Record<string, unknown>;
}

/** A preset name or a JSON file path. */
export function loadConfig(spec: string): DesignSpec {
  return resolveConfig(rawConfig(spec));
}
