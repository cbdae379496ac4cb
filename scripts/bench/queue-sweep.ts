// Queue depth × candidate-selection stages, cycle model only: for every preset and matrix config at queueDepth 2–6,
// the steady-state cycles per query of pipeline.candSel 1, 2 and 3 over candSel 0's at the same depth, at each p
// (src/gen/config.ts withDerivedDefaults picks candSel from this: 3 from queues of 5, else 2). About 40 s.
// Usage: npx tsx scripts/bench/queue-sweep.ts [--ps 0,1,4]
import { resolveConfig } from '../../src/gen/config.ts';
import { boundConfigs, modelRatios } from './query-bound.ts';

const args = process.argv.slice(2);
const psAt = args.indexOf('--ps');
const ps = (psAt >= 0 ? args[psAt + 1] : '0,1,4').split(',').map(Number);
const SEED = 2021;
const DEPTHS = [2, 3, 4, 5, 6];
const STAGES = [0, 1, 2, 3];

const pCols = ps.map((p) => `p = ${p}`).join(' / ');
console.log(
  `| config | queueDepth | ${STAGES.slice(1)
    .map((L) => `candSel ${L}: ${pCols}`)
    .join(' | ')} |`,
);
console.log(
  '|---|---:|' +
    STAGES.slice(1)
      .map(() => '---|')
      .join(''),
);
const worst = new Map<string, number>(); // `${depth} ${L}` → worst ratio against candSel 0
for (const base of boundConfigs)
  for (const queueDepth of DEPTHS) {
    const [none, ...staged] = STAGES.map((candSel) =>
      modelRatios(resolveConfig({ ...base, queueDepth, pipeline: { ...base.pipeline, candSel } }), ps, SEED),
    );
    const cells = staged.map((row, i) => {
      const rel = row.map((r, j) => r / none[j]);
      const key = `${queueDepth} ${STAGES[i + 1]}`;
      worst.set(key, Math.max(worst.get(key) ?? 0, ...rel));
      return rel.map((r) => r.toFixed(3)).join(' / ');
    });
    console.log(`| ${base.name} | ${queueDepth} | ${cells.join(' | ')} |`);
  }
console.log('\nworst cycles per query against candSel 0 at the same queue depth:');
for (const queueDepth of DEPTHS)
  console.log(
    `- queueDepth ${queueDepth}: ` +
      STAGES.slice(1)
        .map((L) => `candSel ${L} ${worst.get(`${queueDepth} ${L}`)!.toFixed(3)}×`)
        .join(', '),
  );
