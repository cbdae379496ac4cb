// `elsa-gen sim` writes the config's RTL folder (rtl-out/<name>) before every run. A second run of the same
// config by the same generator finds that folder already holding those bytes and reads them back instead of
// rendering them again (0.1–0.15 s of its start). A stamp (build/rtl-stamps/<folder hash>.json), written after
// each render, records the key of what was rendered and the SHA-256 of every file written. The key hashes the
// design (the whole DesignSpec, so the config and everything derived from it), the running generator's code
// (its module tree: src/ under tsx, dist/src/ compiled), the templates, package.json and package-lock.json (ejs)
// and the Node version. The folder is reused only when the key matches and the folder holds exactly the files
// of the stamp with those contents and an elsa-gen rtl marker; the contents used are the bytes just checked.
// Anything else (an edited or missing file, another config, a changed generator) renders and writes the folder.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DesignSpec } from '../units/design.ts';
import { generate, type GeneratedFile } from '../gen/generate.ts';
import { listFiles, readMarker, type OutputOptions } from '../gen/outdir.ts';
import { REPO_ROOT } from '../gen/render.ts';
import { filesUnder, writeFileAtomic } from '../files.ts';

const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

let generatorHash: string | null = null;
/** The code that renders: the running module tree (tests excluded), the templates, the package files. */
function codeHash(): string {
  if (generatorHash) return generatorHash;
  const h = createHash('sha256').update(`node ${process.version}\0`);
  const add = (label: string, root: string, files: string[]) => {
    for (const f of files)
      h.update(`${label}/${f}\0`)
        .update(readFileSync(join(root, f)))
        .update('\0');
  };
  const code = dirname(dirname(fileURLToPath(import.meta.url)));
  const templates = join(REPO_ROOT, 'templates');
  const sources = filesUnder(code, (n) => /\.(ts|js)$/.test(n) && !n.endsWith('.test.ts'));
  const templateFiles = filesUnder(templates, () => true);
  const packageFiles = ['package.json', 'package-lock.json'].filter((f) => existsSync(join(REPO_ROOT, f)));
  add('code', code, sources);
  add('templates', templates, templateFiles);
  add('.', REPO_ROOT, packageFiles);
  return (generatorHash = h.digest('hex'));
}

interface Stamp {
  key: string;
  /** Every file written, in generate()'s order (the simulator's source order, part of the model's cache key). */
  files: { path: string; sha: string }[];
}

const stampPath = (dir: string) => join(REPO_ROOT, 'build', 'rtl-stamps', `${sha(resolve(dir)).slice(0, 16)}.json`);
const rtlKey = (D: DesignSpec) => sha(`elsa-gen rtl reuse 1\0${codeHash()}\0${JSON.stringify(D)}`);

/** The files of `dir` when they are exactly what rendering D would write there (see the header), else null. */
export function reusableRtl(D: DesignSpec, dir: string): GeneratedFile[] | null {
  try {
    const stamp = JSON.parse(readFileSync(stampPath(dir), 'utf8')) as Stamp;
    if (stamp.key !== rtlKey(D) || !Array.isArray(stamp.files) || readMarker(dir)?.kind !== 'rtl') return null;
    const names = stamp.files.map((f) => f.path);
    if (listFiles(dir).join('\n') !== [...names].sort().join('\n')) return null;
    const files: GeneratedFile[] = [];
    for (const f of stamp.files) {
      const content = readFileSync(join(dir, f.path), 'utf8');
      if (sha(content) !== f.sha) return null;
      files.push({ path: f.path, content });
    }
    return files;
  } catch {
    // no stamp or folder, or a run replacing the folder meanwhile: render
    return null;
  }
}

/** generate(), then the stamp that lets the next run reuse the folder. */
export function generateStamped(D: DesignSpec, dir: string, o: Omit<OutputOptions, 'kind'> = {}): GeneratedFile[] {
  const files = generate(D, dir, o);
  const stamp: Stamp = { key: rtlKey(D), files: files.map((f) => ({ path: f.path, sha: sha(f.content) })) };
  try {
    writeFileAtomic(stampPath(dir), JSON.stringify(stamp, null, 2) + '\n');
  } catch {
    // the stamp only saves the next run a render: without it the next run renders
  }
  return files;
}
