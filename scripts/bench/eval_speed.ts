// The evaluation's speed, old against new in one run: exports a git revision (default: the commit before the
// faster evaluation) into a temporary folder, then runs `evaluate` of that revision and of this tree one after
// the other on the same clips and the same number of jobs, and compares their results.json byte for byte.
// Both run the kwt1 preset with θ_bias pinned to this tree's value (the old revision measured θ_bias from
// fewer pairs, 0.1245 instead of 0.1268), so both compute the same thing; results.json is compared with
// config.hwHash masked, since the hardware hash covers config fields added after the old revision.
// Beside wall time it reports CPU time (user + sys of the whole process tree, the pool's workers included,
// from /usr/bin/time), which a shared machine's load disturbs far less.
// Usage: npx tsx scripts/bench/eval_speed.ts [--clips build/clips] [--every 1] [--rev e7c23eb] [--jobs 2]
//   --every k: every k-th calib and eval clip only (a subset for iteration; 1 = the full clip set).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '../../src/gen/render.ts';
import { loadManifest } from '../../src/eval/clips.ts';
import { PRESETS, resolveConfig } from '../../src/gen/config.ts';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const clipsDir = resolve(opt('clips', join(REPO_ROOT, 'build', 'clips')));
const every = Number(opt('every', '1'));
const rev = opt('rev', 'e7c23eb');
const jobs = opt('jobs', '2');

const tmp = mkdtempSync(join(tmpdir(), 'elsa-eval-speed-'));
try {
  // the old tree: `git archive` of the revision, sharing this tree's node_modules and KWT-1 model
  const old = join(tmp, 'old');
  execFileSync('mkdir', ['-p', old]);
  execFileSync('sh', ['-c', `git -C "${REPO_ROOT}" archive ${rev} | tar -x -C "${old}"`]);
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(old, 'node_modules'));
  // the clip subset: absolute paths into the clip folder, manifest order kept
  const sub = join(tmp, 'clips');
  execFileSync('mkdir', ['-p', sub]);
  const pick = (split: string) =>
    loadManifest(clipsDir)
      .filter((c) => c.split === split)
      .filter((_, i) => i % every === 0);
  const clips = [...pick('calib'), ...pick('eval')].map((c) => ({ file: c.path, label: c.label, split: c.split }));
  writeFileSync(join(sub, 'manifest.json'), JSON.stringify({ clips }, null, 1));
  const nEval = clips.filter((c) => c.split === 'eval').length;
  const cfgFile = join(tmp, 'kwt1.json');
  writeFileSync(cfgFile, JSON.stringify({ ...PRESETS.kwt1, thetaBias: resolveConfig(PRESETS.kwt1).candSel.thetaBias }));

  const run = (root: string, out: string, extra: string[] = []) => {
    const t0 = performance.now();
    const timeFile = join(tmp, 'time.txt');
    const cmd = [
      'tsx',
      join(root, 'src/cli/main.ts'),
      'evaluate',
      cfgFile,
      '--clips',
      sub,
      '--out',
      out,
      '--jobs',
      jobs,
    ];
    const r = spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', timeFile, 'npx', ...cmd, '-q', ...extra], {
      cwd: root,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`evaluate in ${root} failed: ${r.stderr}`);
    const [user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
    return {
      seconds: (performance.now() - t0) / 1000,
      cpu: user! + sys!,
      stdout: r.stdout.trim().split('\n').at(-1),
    };
  };
  const show = (x: ReturnType<typeof run>) => `${x.seconds.toFixed(1)} s wall, ${x.cpu.toFixed(1)} s CPU (${x.stdout})`;
  console.log(`${clips.length - nEval} calib + ${nEval} eval clips, ${jobs} jobs, old = ${rev}`);
  const a = run(old, join(tmp, 'out-old'));
  console.log(`old: ${show(a)}`);
  // the same work: Fig. 10 only (the curve is new)
  const b = run(REPO_ROOT, join(tmp, 'out-new'), ['--no-curve']);
  console.log(`new: ${show(b)}`);
  const results = (out: string) =>
    readFileSync(join(tmp, out, 'results.json'), 'utf8').replace(/"hwHash": "[0-9a-f]+"/, '"hwHash": "-"');
  const same = results('out-old') === results('out-new');
  const ratio = (x: number, y: number) => `${(x / y).toFixed(2)}×`;
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  const verdict = same ? 'byte-identical (hwHash masked)' : 'DIFFERS';
  console.log(
    `speedup ${ratio(a.seconds, b.seconds)} wall, ${ratio(a.cpu, b.cpu)} CPU; results.json ${verdict}; load ${load}`,
  );
  if (!same) process.exitCode = 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
