// Result types of the Fig. 10 evaluation, on their own so the chart (svg.ts) and the experiment
// (fig10.ts) both import them without importing each other.
import type { Thresholds } from './calibrate.ts';

export interface VariantMetrics {
  model: 'exact' | 'float' | 'fixed';
  p: number | null;
  /** fraction of (query, key) pairs selected, per layer and over all layers */
  selectedPerLayer: number[];
  selected: number;
  /** fraction of queries with no candidate (ELSA outputs zero for them) */
  emptyQueries: number;
  correct: number;
  agreeing: number;
  /** top-1 accuracy against the spoken label, and agreement with the exact model's prediction */
  top1: number;
  agree: number;
}

export interface Fig10Result {
  config: { name: string; hwHash: string; qkv: string; k: number; thetaBias: number };
  clips: { calib: number; eval: number; dir: string };
  ps: number[];
  thresholds: Record<string, Thresholds>;
  exact: VariantMetrics;
  float: VariantMetrics[];
  fixed: VariantMetrics[];
  /** largest p of the grid whose accuracy loss against the exact model is within each budget */
  settings: Record<'float' | 'fixed', Record<string, number | null>>;
  perClip: { file: string; label: string; exact: string; float: string[]; fixed: string[] }[];
}
