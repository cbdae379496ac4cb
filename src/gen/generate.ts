// Config → RTL folder: one file per module, a file list, and a manifest stamped with the hardware hash.
// Written atomically by outdir.ts: a temporary sibling folder swapped in by renames at the end.
import { writeFolderAtomic, type OutputOptions } from './outdir.ts';
import type { DesignSpec } from '../units/design.ts';
import { MODULES, moduleFile, moduleName, moduleNames } from './modules.ts';
import { renderModule, GENERATOR } from './render.ts';
import { flowFiles } from './flow.ts';

export interface GeneratedFile {
  path: string;
  content: string;
}

/** The RTL of a design in memory (no I/O): one .v per module and files.f. */
export function renderRtl(D: DesignSpec): GeneratedFile[] {
  const files = MODULES.map((m) => ({ path: moduleFile(D, m.name), content: renderModule(D, m, moduleNames(D)) }));
  files.push({ path: 'files.f', content: MODULES.map((m) => moduleFile(D, m.name)).join('\n') + '\n' });
  return files;
}

/** The whole output set of a design in memory: the RTL, the manifest and the flow files (the generated
 *  README runs the cycle model for its cycle tables; simulation, lint and synthesis need only renderRtl). */
export function renderDesign(D: DesignSpec): GeneratedFile[] {
  const files = renderRtl(D);
  files.push({ path: 'manifest.json', content: JSON.stringify(manifest(D), null, 2) + '\n' });
  files.push(...flowFiles(D, MODULES)); // <name>.core (FuseSoC) and README.md
  return files;
}

export function manifest(D: DesignSpec) {
  return {
    generator: GENERATOR,
    config: D.cfg,
    hwHash: D.hwHash,
    modules: MODULES.map((m) => moduleName(D, m.name)),
    derived: {
      thetaBias: D.candSel.thetaBias,
      hashFactors: D.hash.factors,
      hashRows: D.hash.rows,
      hashBlocks: D.hash.blocks,
      hashCycles: D.hash.cycles,
      hashMultiplies: D.hash.multiplies,
      bankSize: D.bank.keys,
      rowsPerBank: D.bank.rows,
      widths: {
        qkv: D.qkv.bits,
        out: D.out.bits,
        score: D.attention.score.bits,
        norm: D.norm.norm.bits,
        threshold: D.candSel.thresholdProduct.bits,
        accS: D.attention.sumE.bits,
        accO: D.attention.sumEV.bits,
      },
    },
  };
}

/** Render and write a design into `outDir` (atomically; only replaces an elsa-gen rtl folder). */
export function generate(D: DesignSpec, outDir: string, o: Omit<OutputOptions, 'kind'> = {}): GeneratedFile[] {
  const files = renderDesign(D);
  writeFolderAtomic(outDir, files, { ...o, kind: 'rtl' });
  return files;
}
