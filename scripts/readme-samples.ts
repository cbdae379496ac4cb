// Regenerates the sample outputs in README.md from the real command line, so that they cannot go stale:
// each fenced block after a `<!-- sample: <args> -->` line is replaced by what `elsa-gen <args>` prints
// (stdout, then stderr; a `$ ` command line first when the block shows one). Run: npx tsx scripts/readme-samples.ts
// scripts/readme-samples.test.ts fails when a block differs from what the command prints now.
import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../src/gen/render.ts';

export const README = join(REPO_ROOT, 'README.md');
const BIN = join(REPO_ROOT, 'bin', 'elsa-gen.js');
const SAMPLE = /<!-- sample: (.*?) -->\n```\n([\s\S]*?)```\n/g;

export interface Sample {
  args: string;
  block: string;
}
export const samples = (text: string): Sample[] => [...text.matchAll(SAMPLE)].map((m) => ({ args: m[1], block: m[2] }));

/** What the block for `args` must hold: the output, with the command line when the block shows one. */
export async function render(s: Sample): Promise<string> {
  const r = await execa(process.execPath, [BIN, ...s.args.split(' ')], { cwd: REPO_ROOT, reject: false });
  const out = r.exitCode === 0 ? r.stdout : r.stderr; // progress and timing go to stderr on success
  return `${s.block.startsWith('$ ') ? `$ ./bin/elsa-gen.js ${s.args}\n` : ''}${out}\n`;
}

if (process.argv[1]?.endsWith('readme-samples.ts')) {
  let text = readFileSync(README, 'utf8');
  for (const s of samples(text))
    text = text.replace(
      `<!-- sample: ${s.args} -->\n\`\`\`\n${s.block}\`\`\`\n`,
      `<!-- sample: ${s.args} -->\n\`\`\`\n${await render(s)}\`\`\`\n`,
    );
  writeFileSync(README, text);
  console.log(`README.md: ${samples(text).length} samples regenerated`);
}
