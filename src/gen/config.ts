// Loading and validating configurations: presets, JSON files, overrides.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ElsaConfigSchema, type ElsaConfig, type ElsaConfigInput } from '../spec/schema.ts';
import { ConfigError, UserError } from '../spec/errors.ts';
import { designSpec, type DesignSpec } from '../units/design.ts';

/** Named presets: partial configs over the schema defaults. */
export const PRESETS: Record<string, ElsaConfigInput> = {
  // The paper's evaluated accelerator (SPEC §2).
  paper: { name: 'paper', nMax: 512, d: 64, k: 64, pA: 4, pC: 8, mH: 256, mO: 16 },
  // Small and fast: the default for quick start and CI.
  small: { name: 'small', nMax: 24, d: 16, k: 16, pA: 2, pC: 3, mH: 32, mO: 4 },
  // KWT-1 attention (d = 64, n = 99 tokens): banks of 33 keys.
  kwt1: { name: 'kwt1', nMax: 99, d: 64, k: 64, pA: 3, pC: 4, mH: 64, mO: 8 },
  // Smallest config whose whole elsa_top places and routes on an iCE40 HX8K (`synth ice40 --target ice40 --pnr`: whole-design Fmax); paper Q/K/V and exp formats, narrower non-paper widths.
  ice40: { name: 'ice40', nMax: 16, d: 4, k: 4, pA: 1, pC: 2, mH: 4, mO: 1, formats: { accGuard: 4, recipFrac: 8, expConstFrac: 8, simFrac: 5 } },
};
export const DEFAULT_PRESET = 'small';

function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length ? issue.path.join('.') : '(root)';
  return `config error: ${path}: ${issue.message}`;
}

/** Validate a raw object; throws ConfigError with the first problem, naming the JSON path. */
export function parseConfig(raw: unknown): ElsaConfig {
  const r = ElsaConfigSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const e = new ConfigError(issue.path.join('.') || '(root)', issue.message);
    e.message = formatIssue(issue);
    throw e;
  }
  return r.data;
}

/** Resolve and derive: all cross-field rules run here, before anything is written. */
export function resolveConfig(raw: unknown): DesignSpec {
  return designSpec(parseConfig(raw));
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

/** A preset name or a JSON file path. */
export function loadConfig(spec: string): DesignSpec {
  if (spec in PRESETS) return resolveConfig(PRESETS[spec]);
  if (!spec.endsWith('.json')) throw new UserError(`unknown preset "${spec}" (presets: ${Object.keys(PRESETS).join(', ')}; or pass a .json file)`);
  return resolveConfig(loadConfigFile(spec));
}
