// The per-point results of a sweep, as results.json stores them and the Pareto page reads them.
import type { TaskResult } from './tasks.ts';

export type PointStatus = 'ok' | 'fail' | 'error' | 'invalid' | 'pending';
export interface PointResult {
  index: number;
  name: string;
  axes: Record<string, unknown>;
  hwHash: string | null;
  status: PointStatus;
  error?: string;
  tasks: Record<string, TaskResult | null>;
}
export interface SweepResults {
  sweep: string;
  fingerprint: string;
  axes: string[];
  tasks: string[];
  points: PointResult[];
}
