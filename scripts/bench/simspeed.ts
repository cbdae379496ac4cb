// Verilator simulation speed of a config, old against new in one run: exports a git revision (default: the
// commit before the shared bank code and the binary stimulus) into build/simspeed-bench/<rev> (kept, so its
// model cache survives), then runs `elsa-gen sim <config> --opt fast` of that revision and of this tree in
// turns on the same invocations, and reports simulated cycles per CPU-second of the simulation process alone
// (what `sim` prints; the model build is not counted: each tree simulates once before the measured rounds).
// The invocations are seeded random ones with n = nMax, one per threshold of --t.
// Usage: npx tsx scripts/bench/simspeed.ts [--config paper] [--rev 85cec36] [--rounds 3] [--t -2,0.5,1]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/gen/render.ts';
import { loadConfig } from '../../src/gen/config.ts';
import { Rng } from '../../src/spec/rng.ts';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const config = opt('config', 'paper');
const rev = opt('rev', '85cec36');
const rounds = Number(opt('rounds', '3'));
const ts = opt('t', '-2,0.5,1').split(',').map(Number);

const work = join(REPO_ROOT, 'build', 'simspeed-bench');
const old = join(work, rev);
if (!existsSync(join(old, 'package.json'))) {
  mkdirSync(old, { recursive: true });
  execFileSync('sh', ['-c', `git -C "${REPO_ROOT}" archive ${rev} | tar -x -C "${old}"`]);
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(old, 'node_modules'));
}

// real-valued invocations (standard normal, clipped to the qkv range), the same file for both trees
const D = loadConfig(config);
const rng = new Rng(7);
const lim = 2 ** (D.qkv.bits - 1 - D.qkv.frac) - 2 ** -D.qkv.frac;
const M = () =>
  Array.from({ length: D.cfg.nMax }, () =>
    Array.from({ length: D.cfg.d }, () => Math.max(-lim, Math.min(lim, rng.normal()))),
  );
const input = join(work, `inv-${config}-${ts.join('_')}.json`);
writeFileSync(input, JSON.stringify({ invocations: ts.map((t) => ({ t, K: M(), V: M(), Q: M() })) }));

interface Run {
  cycles: number;
  cpu: number;
  rate: number;
}
function sim(tree: string, label: string): Run {
  const out = join(work, `sim-${label}`);
  const r = spawnSync(
    'npx',
    ['tsx', 'src/cli/main.ts', 'sim', config, '--opt', 'fast', '-i', input, '-o', out, '--force'],
    { cwd: tree, encoding: 'utf8' },
  );
  const m = /\(([\d.]+) CPU-s\), (\d+) cycles, ([\d.]+) M cycles per CPU-second/.exec(r.stderr);
  if (r.status !== 0 || !m)
    throw new Error(`${label}: sim failed:\n${r.stdout.slice(-1500)}\n${r.stderr.slice(-1500)}`);
  return { cpu: Number(m[1]), cycles: Number(m[2]), rate: Number(m[3]) };
}

const trees = [
  { label: `old-${rev}`, dir: old },
  { label: 'new', dir: REPO_ROOT },
];
for (const t of trees) sim(t.dir, t.label); // builds (or finds) each tree's model
const results: Record<string, Run[]> = Object.fromEntries(trees.map((t) => [t.label, []]));
for (let i = 0; i < rounds; i++)
  for (const t of trees) {
    const load = loadavg()[0].toFixed(1);
    const r = sim(t.dir, t.label);
    results[t.label].push(r);
    console.log(
      `${t.label.padEnd(12)} round ${i + 1}: ${r.cycles} cycles, ${r.cpu.toFixed(2)} CPU-s, ` +
        `${r.rate.toFixed(3)} M cycles per CPU-second (load ${load})`,
    );
  }
for (const t of trees) {
  const rs = results[t.label];
  const cycles = rs.reduce((s, r) => s + r.cycles, 0);
  const cpu = rs.reduce((s, r) => s + r.cpu, 0);
  console.log(`${t.label.padEnd(12)} ${(cycles / cpu / 1e6).toFixed(3)} M cycles per CPU-second over ${rounds} runs`);
}
