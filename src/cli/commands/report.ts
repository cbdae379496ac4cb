// `report`: one offline HTML page per config (build/report/<name>.html by default). Each page is
// written on its own (atomically): pages of other configs in the folder stay.
import type { Command } from 'commander';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../spec/errors.ts';
import { DEFAULT_PRESET, loadConfig } from '../../gen/config.ts';
import { writeOwnFile } from '../../gen/outdir.ts';
import { renderReport } from '../../report/report.ts';

/** Every report page starts its title like this: how an existing page is recognised as ours. */
const isReport = (html: string) => html.includes('<title>elsa-gen report: ');

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'write a self-contained HTML report for configs: parameters, cycles, utilisation, ' +
        'and any area/bench/accuracy results in build/',
    )
    .argument('[configs...]', 'preset names or JSON config files', [DEFAULT_PRESET])
    .option('-o, --out <dir>', 'output folder', join('build', 'report'))
    .option('--force', 'replace <name>.html even if elsa-gen did not write it')
    .action(async (specs: string[], opts: { out: string; force?: boolean }) => {
      const configs = specs.map(loadConfig); // every config checked before anything is written
      try {
        if (!statSync(opts.out).isDirectory())
          throw new UserError(
            `cannot write ${join(opts.out, `${configs[0].cfg.name}.html`)}: ` +
              `${opts.out} is a file, not a folder (choose another output folder)`,
          );
      } catch (e) {
        if (e instanceof UserError) throw e; // else absent: created on write
      }
      const files: { path: string; content: string }[] = [];
      for (const [i, D] of configs.entries()) {
        process.stderr.write(`report ${i + 1}/${specs.length}: ${D.cfg.name}\n`);
        files.push({ path: join(opts.out, `${D.cfg.name}.html`), content: await renderReport(D) });
      }
      for (const f of files) writeOwnFile(f.path, f.content, isReport, opts.force);
      console.log(`wrote ${files.map((f) => f.path).join(', ')}`);
    });
}
