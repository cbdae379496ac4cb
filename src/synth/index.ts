// Public API of the synthesis flow (used by `elsa-gen synth` and the bench scripts).
export { synthesize, formatReport, reportJson, TOP, type SynthOptions, type SynthReport, type ModuleRow } from './synth.ts';
export { TARGETS, TARGET_SPECS, isTarget, classifyCells, type Target, type Area, type Column } from './targets.ts';
export { parseStat, type StatText, type StatModule } from './stat.ts';
export { parseRtlil, type RtlilDesign, type RtlilModule } from './rtlil.ts';
export { fmaxWrapper, parseFmax, parseUtilisation, ICE40_DEVICES, type PnrOptions, type PnrReport } from './pnr.ts';
export { findNextpnr, yosysVersion } from './tools.ts';
