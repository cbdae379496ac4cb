// The design spec: every width, table and schedule of one configuration, grouped by hardware unit and
// computed once from the config. Templates, models, traces and the cycle model read it; nothing below
// recomputes a width. Each group is the spec slice of src/units/<unit>/spec.ts.
import { createHash } from 'node:crypto';
import type { ElsaConfig } from '../spec/schema.ts';
import { ConfigError } from '../spec/errors.ts';
import { width, type Width } from '../spec/width.ts';
import { hashSpec, type HashSpec } from './hash/spec.ts';
import { bankSpec, type BankSpec } from './bank/spec.ts';
import { normSpec, type NormSpec } from './norm/spec.ts';
import { candSelSpec, type CandSelSpec } from './cand_sel/spec.ts';
import { attentionSpec, type AttentionSpec } from './attention/spec.ts';
import { outputDivSpec, type OutputDivSpec } from './output_div/spec.ts';
import { topSpec, type TopSpec } from './top/spec.ts';

/** Largest width (bits) the TS model computes with plain Numbers exactly. */
export const MAX_NUMBER_BITS = 52;

export interface DesignSpec {
  cfg: ElsaConfig;
  /** 12 hex digits over the hardware fields (stamped into every output). */
  hwHash: string;
  /** Q/K/V element format. */
  qkv: Width;
  /** Output element format. */
  out: Width;
  hash: HashSpec;
  bank: BankSpec;
  norm: NormSpec;
  candSel: CandSelSpec;
  attention: AttentionSpec;
  outputDiv: OutputDivSpec;
  top: TopSpec;
}

const hwFields = (c: ElsaConfig) => {
  // thresholds, keep, name and prefix are runtime / naming data, not hardware
  const { thresholds: _t, keep: _k, name: _n, prefix: _p, ...hw } = c;
  return hw;
};

/** Canonical JSON (sorted keys) so the hash is independent of key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export function designSpec(c: ElsaConfig): DesignSpec {
  const fm = c.formats;
  const qkv = width.fixed('QKV_W', fm.qkv.int, fm.qkv.frac, 'Q/K/V element: 1 sign + int + frac');
  const o = fm.out ?? fm.qkv;
  const out = width.fixed('OUT_W', o.int, o.frac, 'output element: 1 sign + int + frac');
  if (c.d % c.mO !== 0)
    throw new ConfigError('mO', `must divide d = ${c.d}, not ${c.mO}`, `choose mO from {${divisorList(c.d)}}`);
  const bank = bankSpec(c);
  const hash = hashSpec(c, qkv);
  const norm = normSpec(c, qkv, hash.period);
  const attention = attentionSpec(c, qkv, bank.keys);
  const outputDiv = outputDivSpec(c, qkv, out, attention);
  const limits = [
    ['formats.accGuard', attention.sumEV.bits],
    ['formats.qkv', hash.buffer.bits + hash.coef.bits],
    ['formats.expConstFrac', attention.exp.y.bits],
  ] as const;
  for (const [field, w] of limits)
    if (w > MAX_NUMBER_BITS)
      throw new ConfigError(
        field,
        `a derived width of ${w} bits exceeds the ${MAX_NUMBER_BITS}-bit limit`,
        'use fewer bits',
      );
  // after the width checks: θ_bias of an untabulated (d, k) takes seconds to measure (src/spec/theta.ts)
  const candSel = candSelSpec(c, norm);
  const hwHash = createHash('sha256')
    .update(canonicalJson(hwFields(c)))
    .digest('hex')
    .slice(0, 12);
  return { cfg: c, hwHash, qkv, out, hash, bank, norm, candSel, attention, outputDiv, top: topSpec(c) };
}

const divisorList = (n: number): string =>
  Array.from({ length: n }, (_, i) => i + 1)
    .filter((x) => n % x === 0)
    .join(', ');
