// `generate`: config → RTL folder (one file per module, files.f, manifest.json with the hardware hash).
import type { Command } from 'commander';
import { join } from 'node:path';
import { loadConfig, DEFAULT_PRESET } from '../../gen/config.ts';
import { generate } from '../../gen/generate.ts';

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('generate the Verilog-2005 RTL of a config into a folder (written atomically)')
    .argument('[config]', 'preset name or JSON config file', DEFAULT_PRESET)
    .option('-o, --out <dir>', 'output folder (default rtl-out/<name>)')
    .option('--force', 'replace the output folder even if elsa-gen did not write it')
    .action((spec: string, opts: { out?: string; force?: boolean }) => {
      const D = loadConfig(spec);
      const out = opts.out ?? join('rtl-out', D.cfg.name);
      const files = generate(D, out, { force: opts.force, inputs: spec.endsWith('.json') ? [spec] : [] });
      console.log(`generated ${files.length} files for ${D.cfg.name} (hardware hash ${D.hwHash}) in ${out}`);
    });
}
