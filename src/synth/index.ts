// Public API of the synthesis flow (used by `elsa-gen synth` and the bench scripts).
export { synthesize, reportJson } from './synth.ts';
export type { SynthReport } from './synth.ts';
export type { Target } from './targets.ts';
