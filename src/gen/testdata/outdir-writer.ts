// Child of outdir.kill.test.ts: writes two file sets into one folder in turn, forever, until it is killed.
// argv: <dir> <sets.json> [once]. Prints "ready <leftovers>" once the first run's recovery is done.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { beginOutput, type OutFile } from '../outdir.ts';

const [dir, setsFile, once] = process.argv.slice(2);
const sets = JSON.parse(readFileSync(setsFile, 'utf8')) as OutFile[][];
for (let i = 0; ; i++) {
  const out = beginOutput(dir, { kind: 'rtl' });
  if (i === 0) {
    // recovery has run: no temporary folder of a killed run may be left (only our own, just made)
    const left = readdirSync(dirname(dir)).filter(
      (n) => n.startsWith(`.${basename(dir)}.elsa-`) && !n.endsWith(`-${process.pid}`) && !n.endsWith('.elsa-lock'),
    );
    process.stdout.write(`ready ${JSON.stringify(left)}\n`);
  }
  out.write(sets[i % 2]);
  out.commit();
  if (once) break;
}
