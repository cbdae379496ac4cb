// Config validation: good presets derive, bad configs fail with one message naming the field.
import { describe, expect, it } from 'vitest';
import { PRESETS, resolveConfig, loadConfig } from './config.ts';
import { ConfigError, UserError } from '../spec/errors.ts';

const base = { name: 't', nMax: 24, d: 16, k: 16, pA: 2, pC: 3, mH: 32, mO: 4 };
const msg = (raw: unknown): string => {
  try {
    resolveConfig(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('config was accepted');
};

describe('presets', () => {
  it('paper preset has the paper parameters and hash shape', () => {
    const D = resolveConfig(PRESETS.paper);
    expect([D.cfg.nMax, D.cfg.d, D.cfg.k, D.cfg.pA, D.cfg.pC, D.cfg.mH, D.cfg.mO]).toEqual([
      512, 64, 64, 4, 8, 256, 16,
    ]);
    expect(D.hash.factors).toEqual([4, 4, 4]);
    expect(D.hash.multiplies).toBe(768); // 3·d^(4/3)
    expect(D.hash.cycles).toBe(3); // 768 / 256
    expect(D.bank.keys).toBe(128);
    expect(D.qkv.bits).toBe(9);
  });
  it('every preset derives', () => {
    for (const p of Object.values(PRESETS)) expect(resolveConfig(p).hwHash).toMatch(/^[0-9a-f]{12}$/);
  });
  it('the hardware hash ignores thresholds and name but not hardware fields', () => {
    const a = resolveConfig(base).hwHash;
    expect(resolveConfig({ ...base, name: 'other', thresholds: { layer0: 0.3 } }).hwHash).toBe(a);
    expect(resolveConfig({ ...base, queueDepth: 5 }).hwHash).not.toBe(a);
  });
  it('key order in the JSON does not change the hash', () => {
    const rev = Object.fromEntries(Object.entries(base).reverse());
    expect(resolveConfig(rev).hwHash).toBe(resolveConfig(base).hwHash);
  });
});

describe('invalid configs', () => {
  it('d without a small-factor Kronecker factorisation', () => {
    expect(msg({ ...base, d: 22, k: 22, mO: 2 })).toBe(
      'config error: d must factor into Kronecker factors of 2..8 (prime factors 2, 3, 5, 7), not 22 ' +
        '(fix: choose e.g. 16, 32, 48, 64, 96, 128)',
    );
  });
  it('P_a not dividing n_max', () => {
    expect(msg({ ...base, pA: 5 })).toBe(
      'config error: pA must divide nMax = 24, not 5 (fix: choose pA from {1, 2, 3, 4, 6, 8, 12})',
    );
  });
  it('m_o not dividing d', () => {
    expect(msg({ ...base, mO: 3 })).toBe(
      'config error: mO must divide d = 16, not 3 (fix: choose mO from {1, 2, 4, 8, 16})',
    );
  });
  it('k neither dividing nor a multiple of d', () => {
    expect(msg({ ...base, k: 24 })).toBe(
      'config error: k must divide d or be a multiple of d (d = 16), not 24 (fix: use k = 8, 16 or 32)',
    );
  });
  it('too few hash multipliers', () => {
    expect(msg({ ...base, mH: 2 })).toBe(
      'config error: mH must be at least the largest Kronecker factor 4 of d, not 2 (fix: set mH ≥ 4)',
    );
  });
  it('P_c larger than a bank', () => {
    expect(msg({ ...base, pC: 13 })).toBe(
      'config error: pC must be at most the bank size nMax/pA = 12, not 13 (fix: set pC ≤ 12)',
    );
  });
  it('unknown field', () => {
    expect(msg({ ...base, pX: 1 })).toBe('config error: pX is not a config field (fix: did you mean pA?)');
    expect(msg({ ...base, formats: { accgard: 3 } })).toBe(
      'config error: formats.accgard is not a config field (fix: did you mean formats.accGuard?)',
    );
  });
  it('wrong type', () => {
    expect(msg({ ...base, d: '64' })).toBe('config error: d must be a number, not "64" (fix: write 64 without quotes)');
    expect(msg({ ...base, nMax: 24.5 })).toBe('config error: nMax must be an integer, not 24.5 (fix: use 25)');
    expect(msg({ ...base, d: undefined })).toBe(
      'config error: d is required (fix: add "d"; elsa-gen params lists every field)',
    );
  });
  it('out of range, nested', () => {
    expect(msg({ ...base, formats: { qkv: { int: 5, frac: 40 } } })).toBe(
      'config error: formats.qkv.frac must be ≤ 16, not 40 (fix: use a value of at most 16)',
    );
  });
  it('widths that would overflow the exact model', () => {
    // the field the user wrote that causes the width, not the one derive() checks it under
    expect(msg({ ...base, formats: { qkv: { int: 16, frac: 16 } } })).toMatch(
      new RegExp(
        /^config error: formats\.qkv = \{"int":16,"frac":16\} /.source +
          /makes the Σe·v accumulator \d+ bits wide, over the 52-bit limit/.source,
      ),
    );
    expect(msg({ ...base, formats: { accGuard: 20, qkv: { int: 16, frac: 16 } } })).toMatch(
      /^config error: formats\.qkv = /,
    );
    expect(msg({ ...base, nMax: 4096, d: 512, k: 512, pA: 4, mH: 512 })).toMatch(
      /^config error: d = 512 makes the hash buffers \d+ bits wide/,
    );
  });
  it('unknown preset and unreadable files give user errors', () => {
    expect(() => loadConfig('nope')).toThrow(UserError);
    expect(() => loadConfig('nope')).toThrow(
      'unknown preset "nope" (presets: paper, small, kwt1, ice40; or pass a .json file)',
    );
    expect(() => loadConfig('/nonexistent/x.json')).toThrow(
      'cannot read config file /nonexistent/x.json (check the path)',
    );
  });
});

describe('derived defaults', () => {
  const candSel = (raw: object) => resolveConfig({ ...base, ...raw }).cfg.pipeline.candSel;
  it('pipeline.candSel is 3 with queues of 5 or more, 2 below (where the third stage costs cycles)', () => {
    expect(candSel({})).toBe(3); // queueDepth 6
    expect(candSel({ queueDepth: 5 })).toBe(3);
    expect(candSel({ queueDepth: 4 })).toBe(2);
    expect(candSel({ queueDepth: 2 })).toBe(2);
  });
  it('a candSel the config sets is kept, whatever the queue depth', () => {
    expect(candSel({ queueDepth: 2, pipeline: { candSel: 3 } })).toBe(3);
    expect(candSel({ queueDepth: 6, pipeline: { candSel: 1 } })).toBe(1);
    expect(candSel({ queueDepth: 2, pipeline: { candSel: 0 } })).toBe(0);
  });
});
