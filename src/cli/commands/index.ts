// Commands beyond generate/validate/params are registered here (one file each).
import type { Command } from 'commander';
import { registerSynth } from './synth.ts';
import { registerCalibrate } from './calibrate.ts';
import { registerEvaluate } from './evaluate.ts';
import { registerReport } from './report.ts';
import { registerSweep } from './sweep.ts';

export function loadOptionalCommands(program: Command): void {
  registerCalibrate(program);
  registerEvaluate(program);
  registerReport(program);
  registerSynth(program);
  registerSweep(program);
}
