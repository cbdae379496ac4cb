// Atomic output under SIGKILL: a writer process is killed at seeded random instants while it replaces
// an rtl folder with one of two real generated file sets, over and over. After every kill the folder
// holds exactly one complete set (checked file by file against the marker and the sets), and the next
// run removes every temporary folder the killed one left.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRESETS, resolveConfig } from './config.ts';
import { renderDesign } from './generate.ts';
import { REPO_ROOT } from './render.ts';
import { listFiles, MARKER, matchesMarker, recoverOutput, writeFolderAtomic } from './outdir.ts';
import { Rng } from '../spec/rng.ts';
import { build } from 'esbuild';

const TMP = join(REPO_ROOT, 'build', 'outdir-kill');
const KILLS = 120;
const WRITER = join(REPO_ROOT, 'src', 'gen', 'testdata', 'outdir-writer.ts');

describe('atomic output folders under SIGKILL', () => {
  const title =
    `hold exactly the old or the new file set after each of ${KILLS} kills, ` +
    'and no temporary folder after the next run';
  it(title, { timeout: 120_000 }, async () => {
    rmSync(TMP, { recursive: true, force: true });
    mkdirSync(TMP, { recursive: true });
    const sets = [
      renderDesign(resolveConfig(PRESETS.small)),
      renderDesign(resolveConfig({ ...PRESETS.small, hashSeed: 2 })),
    ];
    const contents = sets.map((s) => Object.fromEntries(s.map((f) => [f.path, f.content])));
    writeFileSync(join(TMP, 'sets.json'), JSON.stringify(sets));
    // the writer bundled to plain JS once: a child then starts in tens of milliseconds
    const bundle = join(TMP, 'writer.mjs');
    await build({
      entryPoints: [WRITER],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      logLevel: 'error',
    });
    const dir = join(TMP, 'out');
    writeFolderAtomic(dir, sets[0], { kind: 'rtl' }); // the old set every kill starts from
    const rng = new Rng(2024);
    const seen = { old: 0, new: 0, absentWindow: 0, midWrite: 0 };
    for (let k = 0; k <= KILLS; k++) {
      const args = [bundle, dir, join(TMP, 'sets.json'), ...(k === KILLS ? ['once'] : [])];
      const child = spawn(process.execPath, [bundle, ...args.slice(1)], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      const ready = await new Promise<string>((res, rej) => {
        let buf = '';
        child.stdout.on('data', (b: Buffer) => {
          buf += b.toString();
          if (buf.includes('\n')) res(buf.split('\n')[0]);
        });
        void exited.then((code) => rej(new Error(`writer exited with ${code} before ready`)));
      });
      // the previous kill left nothing behind once this run's recovery has run
      expect(ready, `after kill ${k}`).toBe('ready []');
      if (k === KILLS) {
        expect(await exited).toBe(0); // the last run completes
        break;
      }
      // one write of 18 files takes about a millisecond: kill anywhere in the next few writes
      await new Promise((r) => setTimeout(r, rng.next() * 12));
      child.kill('SIGKILL');
      await exited;
      // a kill inside a write leaves its temporary folder for the next run to remove
      if (readdirSync(TMP).some((n) => /^\.out\.elsa-(tmp|old)-/.test(n))) seen.midWrite++;
      const holds = () => {
        const files = listFiles(dir);
        return contents.findIndex(
          (c) =>
            files.join('\n') === Object.keys(c).sort().join('\n') &&
            files.every((f) => readFileSync(join(dir, f), 'utf8') === c[f]),
        );
      };
      if (!existsSync(dir)) {
        // only possible between the two renames of a swap (Node has no atomic exchange of two folders):
        // the old set is complete beside it and so is the new one; recovery (the next run) takes the new one
        const left = readdirSync(TMP)
          .filter((n) => /^\.out\.elsa-(tmp|old)-/.test(n))
          .sort();
        expect(
          left.map((n) => n.replace(/-\d+$/, '')),
          `kill ${k}: folder absent`,
        ).toEqual(['.out.elsa-old', '.out.elsa-tmp']);
        expect(
          left.every((n) => matchesMarker(join(TMP, n))),
          `kill ${k}: folder absent, a set is incomplete`,
        ).toBe(true);
        recoverOutput(dir);
        expect(holds(), `kill ${k}: recovery`).toBeGreaterThanOrEqual(0);
        seen.absentWindow++;
        continue;
      }
      // exactly one of the two sets, every file, byte for byte, and the marker agrees
      const which = holds();
      expect(which, `kill ${k}: folder holds ${listFiles(dir).length} files, neither set`).toBeGreaterThanOrEqual(0);
      expect(existsSync(join(dir, MARKER)) && matchesMarker(dir), `kill ${k}: marker`).toBe(true);
      if (which === 0) seen.old++;
      else seen.new++;
    }
    console.log(
      `kills: ${KILLS}, set A ${seen.old}, set B ${seen.new}, ` +
        `between the two renames ${seen.absentWindow}, inside a write ${seen.midWrite}`,
    );
    expect(seen.midWrite).toBeGreaterThan(KILLS / 4);
    expect(seen.old + seen.new + seen.absentWindow).toBe(KILLS);
    // the kills landed at different points: both sets were seen
    expect(seen.old).toBeGreaterThan(0);
    expect(seen.new).toBeGreaterThan(0);
    expect(readdirSync(TMP).filter((n) => n.startsWith('.out.elsa-'))).toEqual([]);
    expect(matchesMarker(dir)).toBe(true);
  });
});
