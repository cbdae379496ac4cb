// `report`: one offline HTML page per config (build/report/<name>.html by default).
import type { Command } from 'commander';
import { join } from 'node:path';
import { DEFAULT_PRESET, loadConfig } from '../../gen/config.ts';
import { writeFolderAtomic } from '../../gen/generate.ts';
import { renderReport } from '../../report/report.ts';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write a self-contained HTML report for configs: parameters, cycles, utilisation, and any area/bench/accuracy results in build/')
    .argument('[configs...]', 'preset names or JSON config files', [DEFAULT_PRESET])
    .option('-o, --out <dir>', 'output folder', join('build', 'report'))
    .action(async (specs: string[], opts: { out: string }) => {
      const files: { path: string; content: string }[] = [];
      for (const [i, s] of specs.entries()) {
        const D = loadConfig(s);
        process.stderr.write(`report ${i + 1}/${specs.length}: ${D.cfg.name}\n`);
        files.push({ path: `${D.cfg.name}.html`, content: await renderReport(D) });
      }
      writeFolderAtomic(opts.out, files);
      console.log(`wrote ${files.map((f) => join(opts.out, f.path)).join(', ')}`);
    });
}
