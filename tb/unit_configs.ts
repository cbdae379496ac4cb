// Configs the unit testbenches run: the small preset and shapes that stress one rule each.
import { PRESETS, resolveConfig } from '../src/gen/config.ts';

export const small = resolveConfig(PRESETS.small);
/** Leaf modules: small and a wide shape (k = 2d, deep queues). */
export const leafConfigs = [
  small,
  resolveConfig({ name: 'leaf_wide', nMax: 40, d: 32, k: 64, pA: 4, pC: 3, mH: 16, mO: 8, queueDepth: 5 }),
];
/** Internal modules: small, a wide config (d = 32, k = 2d, P_c = 8) and P_c = 1 with queues of 2. The queue-of-2
 *  configs keep one selection stage (the early start, rule 5a): with run-ahead (candSel >= 2) queues of 2 are
 *  covered by the bank test's u_cs3_q2. */
export const unitConfigs = [
  small,
  resolveConfig({ name: 'u_wide', nMax: 36, d: 32, k: 64, pA: 4, pC: 8, mH: 16, mO: 8, queueDepth: 5 }),
  resolveConfig({
    name: 'u_pc1',
    nMax: 20,
    d: 16,
    k: 8,
    pA: 2,
    pC: 1,
    mH: 8,
    mO: 4,
    queueDepth: 2,
    pipeline: { candSel: 1 },
  }),
];
/** 18 keys in 9 rows of 2 slots, queues of 2: rows wait for room in both queues. */
export const stallConfig = resolveConfig({
  name: 'u_stall',
  nMax: 36,
  d: 16,
  k: 16,
  pA: 2,
  pC: 2,
  mH: 16,
  mO: 4,
  queueDepth: 2,
  pipeline: { candSel: 1 },
});
