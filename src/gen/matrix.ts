// The test matrix: configs that together cover d ∈ {16, 32, 48, 64}, k ∈ {d/2, d, 2d}, P_a ∈ {1, 2, 3, 4},
// P_c ∈ {1, 3, 8}, n_max not a power of two, lanes = 1 in the hash unit, and deep/shallow queues; two configs
// with top-m selection (one bank of 3 slots, 16 bins; four banks of one slot with queues of 2, 64 bins and
// emptySet = 'best') and one with the threshold rule and emptySet = 'best'.
import type { ElsaConfigInput } from '../spec/schema.ts';
import { PRESETS } from './config.ts';

export const MATRIX: ElsaConfigInput[] = [
  PRESETS.small,
  { name: 'm_d16_k8', nMax: 13, d: 16, k: 8, pA: 1, pC: 1, mH: 4, mO: 16 },
  { name: 'm_d32_k64', nMax: 36, d: 32, k: 64, pA: 4, pC: 8, mH: 16, mO: 8, queueDepth: 3 },
  { name: 'm_d64_k32', nMax: 30, d: 64, k: 32, pA: 2, pC: 3, mH: 64, mO: 4 },
  { name: 'm_d32_k32', nMax: 20, d: 32, k: 32, pA: 4, pC: 1, mH: 32, mO: 2, queueDepth: 2 },
  { name: 'm_d64_k128', nMax: 40, d: 64, k: 128, pA: 1, pC: 8, mH: 128, mO: 64, queueDepth: 6 },
  { name: 'm_d48_k48', nMax: 27, d: 48, k: 48, pA: 3, pC: 3, mH: 24, mO: 6, formats: { out: { int: 5, frac: 6 } } },
  PRESETS.kwt1,
  { name: 'm_topm_d16', nMax: 21, d: 16, k: 16, pA: 1, pC: 3, mH: 16, mO: 4, selection: 'topm' },
  {
    name: 'm_topm_d32',
    nMax: 20,
    d: 32,
    k: 32,
    pA: 4,
    pC: 1,
    mH: 32,
    mO: 2,
    queueDepth: 2,
    selection: 'topm',
    topmBinBits: 6,
    emptySet: 'best',
  },
  { name: 'm_best_d16', nMax: 18, d: 16, k: 8, pA: 3, pC: 2, mH: 8, mO: 8, emptySet: 'best' },
];
