// Config → RTL folder: one file per module, a file list, and a manifest stamped with the hardware hash.
// Written atomically by outdir.ts: a temporary sibling folder swapped in by renames at the end.
import { writeFolderAtomic, type OutputOptions } from './outdir.ts';
import type { Derived } from './derive.ts';
import { MODULES } from './modules.ts';
import { renderModule, GENERATOR } from './render.ts';
import { flowFiles } from './flow.ts';

export interface GeneratedFile { path: string; content: string }

/** Render every module of a design in memory (no I/O). */
export function renderDesign(D: Derived): GeneratedFile[] {
  const files = MODULES.map((m) => ({ path: `${m.name}.v`, content: renderModule(D, m.template, m.view?.(D) ?? {}) }));
  files.push({ path: 'files.f', content: MODULES.map((m) => `${m.name}.v`).join('\n') + '\n' });
  files.push({ path: 'manifest.json', content: JSON.stringify(manifest(D), null, 2) + '\n' });
  files.push(...flowFiles(D, MODULES, files));   // <name>.core (FuseSoC) and README.md
  return files;
}

export function manifest(D: Derived) {
  return {
    generator: GENERATOR,
    config: D.cfg,
    hwHash: D.hwHash,
    modules: MODULES.map((m) => m.name),
    derived: {
      thetaBias: D.thetaBias, hashFactors: D.hash.factors, hashRows: D.hash.rows, hashBlocks: D.hash.blocks,
      hashCycles: D.hashCycles, hashMultiplies: D.hash.multiplies, bankSize: D.nB, rowsPerBank: D.rows,
      widths: { qkv: D.qW, out: D.outW, score: D.scoreW, norm: D.normW, threshold: D.thrW, accS: D.accSW, accO: D.accOW },
    },
  };
}

/** Render and write a design into `outDir` (atomically; only replaces an elsa-gen rtl folder). */
export function generate(D: Derived, outDir: string, o: Omit<OutputOptions, 'kind'> = {}): GeneratedFile[] {
  const files = renderDesign(D);
  writeFolderAtomic(outDir, files, { ...o, kind: 'rtl' });
  return files;
}
