// Cycle model against the paper's per-query bound (no simulation): for every preset and every config of the
// test matrix, at each p, the steady-state cycles per query over the analytic bound. The bench (bench.ts) checks
// the same ratio on the RTL for its configs; this covers the whole matrix in seconds.
// Usage: npx tsx scripts/bench/bound.ts [--ps 0,1,4] [--set '{"partialBuffers":1}'] [--out build/bench]
// Pass 1 (top-m, emptySet = 'best') counts in the bound as a second read of the rows (query-bound.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstRtlOverrides, resolveConfig } from '../../src/gen/config.ts';
import { REPO_ROOT } from '../../src/gen/render.ts';
import { boundConfigs, modelRatios } from './query-bound.ts';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const ps = opt('ps', '0,1,4').split(',').map(Number);
// the defaults against the same datapath without any pipeline stage (every pipeline depth 0: what issue 12's
// "steady-state cycles per query change by at most 1%" compares), the first RTL's candidate selection (candSel 0)
// and two selection stages
const noStage = { pipeline: firstRtlOverrides().pipeline };
const defaults = {};
const settings: Record<string, unknown>[] = args.includes('--set')
  ? [JSON.parse(opt('set', '{}'))]
  : [noStage, { pipeline: { candSel: 0 } }, defaults, { pipeline: { candSel: 2 } }];
const defaultsAt = settings.indexOf(defaults); // -1 with --set: one setting and no comparison
const outDir = opt('out', join(REPO_ROOT, 'build', 'bench'));
const SEED = 2021;

const lines = ['| config | setting | ' + ps.map((p) => `p = ${p}`).join(' | ') + ' |'];
lines.push('|---|---|' + ps.map(() => '---:|').join(''));
const worst = settings.map(() => 0);
// threshold mode (no pass 1) against the paper's bound itself: the goal of ≤ 1.02×
const worstThr = settings.map(() => 0);
// the defaults' cycles per query over the no-stage datapath's, per config and p: the cost of the pipeline stages
const stageCost: { ratio: number; at: string }[] = [];
for (const base of boundConfigs) {
  const ratios = settings.map((set, si) => {
    const D = resolveConfig({ ...base, ...set });
    const row = modelRatios(D, ps, SEED);
    for (const r of row) {
      worst[si] = Math.max(worst[si], r);
      if (!D.candSel.passOne) worstThr[si] = Math.max(worstThr[si], r);
    }
    lines.push(`| ${D.cfg.name} | ${JSON.stringify(set)} | ${row.map((r) => r.toFixed(3)).join(' | ')} |`);
    return row;
  });
  // the bound is the same for both settings (it depends on the selection only), so the ratio of ratios is the
  // ratio of cycles per query
  if (defaultsAt >= 0)
    ps.forEach((p, i) =>
      stageCost.push({ ratio: ratios[defaultsAt][i] / ratios[0][i], at: `${base.name} at p = ${p}` }),
    );
}
lines.push('', 'worst steady-state cycles per query / bound:');
settings.forEach((set, si) =>
  lines.push(`- ${JSON.stringify(set)}: ${worst[si].toFixed(3)} (threshold mode: ${worstThr[si].toFixed(3)})`),
);
if (stageCost.length) {
  const most = stageCost.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const least = stageCost.reduce((a, b) => (b.ratio < a.ratio ? b : a));
  const over = stageCost.filter((c) => c.ratio > 1.01).length;
  lines.push(
    '',
    `defaults against no pipeline stage, cycles per query: ${least.ratio.toFixed(3)}× (${least.at}) to ` +
      `${most.ratio.toFixed(3)}× (${most.at}); ${over} of ${stageCost.length} more than 1% above`,
  );
}
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'bound.md'), lines.join('\n') + '\n');
console.log(lines.join('\n'));
