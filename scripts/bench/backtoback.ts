// Back-to-back invocations (kvBuffers = 2) against one at a time (kvBuffers = 1) and the ideal accelerator
// (2n²d MACs per invocation on 2d·P_a multipliers): the cycle model for a sequence of invocations (e.g. the 12
// layers of KWT-1), optionally confirmed on the RTL under Verilator (--rtl: the top testbench's +b2b mode, every
// output row and every counter checked), and the memory the second key set costs (bits, and with --synth the
// RAM blocks Yosys maps each memory instance to for ice40 and xilinx).
// Usage: npx tsx scripts/bench/backtoback.ts [--config kwt1] [--set '<json>'] [--invocations 12] [--ps 0,1] [--rtl]
//        [--synth]
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRESETS, resolveConfig } from '../../src/gen/config.ts';
import { renderRtl } from '../../src/gen/generate.ts';
import { REPO_ROOT } from '../../src/gen/render.ts';
import { learnThreshold } from '../../src/model/calibrate.ts';
import { predictBackToBack, predictCycles } from '../../src/perf/cycles.ts';
import { randomInvocation, type Invocation } from '../../src/sim/stimulus.ts';
import { runTop } from '../../src/sim/top.ts';
import { Rng } from '../../src/spec/rng.ts';
import type { DesignSpec } from '../../src/units/design.ts';
import { elsaFixed, quantizeThreshold } from '../../src/units/top/model.ts';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const base = PRESETS[opt('config', 'kwt1') as keyof typeof PRESETS];
if (!base) throw new Error(`unknown preset ${opt('config', 'kwt1')}`);
const count = Number(opt('invocations', '12'));
const ps = opt('ps', '0,1').split(',').map(Number);
const set = JSON.parse(opt('set', '{}')) as Record<string, unknown>;
const one = resolveConfig({ ...base, ...set, kvBuffers: 1 });
const two = resolveConfig({ ...base, ...set, kvBuffers: 2 });
const n = one.cfg.nMax;

/** `count` seeded random invocations of n = nMax (one per layer), each with the paper's threshold for p. */
function layers(D: DesignSpec, p: number): Invocation[] {
  const rng = new Rng(2021);
  return Array.from({ length: count }, () => {
    const inv = randomInvocation(D, rng, n, -2);
    if (p === 0) return inv;
    const real = (m: number[][]) => m.map((r) => r.map((x) => x / 2 ** D.qkv.frac));
    const t = learnThreshold([{ Q: real(inv.Q), K: real(inv.K) }], D.attention.scoreScale, p);
    return { ...inv, tQ: quantizeThreshold(t, D) };
  });
}

const ideal = (count * n * n) / one.cfg.pA; // 2n²d MACs on 2d·P_a multipliers, per invocation
const lines = [
  `${count} invocations of n = ${n}, config ${one.cfg.name} ${JSON.stringify(set)} (P_a = ${one.cfg.pA}, d = ` +
    `${one.cfg.d}, hash period ${one.hash.period}); ideal ` +
    `${ideal} cycles (2n²d MACs on 2d·P_a multipliers each)`,
  '',
  '| p | kvBuffers 1: Σ(pre + exec) | / ideal | kvBuffers 2: first start → last done | / ideal | ' +
    'without the first preprocessing | / ideal |',
  '|---:|---:|---:|---:|---:|---:|---:|',
];
const rtlLines: string[] = [];
for (const p of ps) {
  const invs = layers(one, p);
  const traces = invs.map((v) => elsaFixed(one, v.K, v.V, v.Q, v.tQ));
  const seq = traces.reduce((s, tr) => {
    const c = predictCycles(one, tr);
    return s + c.pre + c.exec;
  }, 0);
  const b2b = predictBackToBack(
    two,
    invs.map((v) => elsaFixed(two, v.K, v.V, v.Q, v.tQ)),
  );
  const steady = b2b.span - (b2b.invocations[0].execStart - b2b.invocations[0].start);
  const r = (x: number) => (x / ideal).toFixed(3);
  lines.push(`| ${p} | ${seq} | ${r(seq)} | ${b2b.span} | ${r(b2b.span)} | ${steady} | ${r(steady)} |`);
  if (args.includes('--rtl')) {
    const run = await runTop(two, invs, 'verilator', { b2b: true, tag: `b2b-bench-p${p}` });
    const ok = run.failed === 0 && run.problems.length === 0 && run.passed === count * n;
    rtlLines.push(
      `- p = ${p}: RTL (Verilator, +b2b) ${run.passed} rows bit-exact, ${run.failed} failed, span ${run.span} ` +
        `(model ${b2b.span}), counters ${run.problems.length ? run.problems.join('; ') : 'equal to the model'}: ` +
        `${ok ? 'ok' : 'FAIL'}`,
    );
  }
}

// What no schedule can beat from the first start: every output row needs all n key hashes, and the hash unit
// takes one key per hash period, so the first invocation's n keys cost n·period cycles before its first row can
// finish, on top of the ideal accelerator (exact mode; at p > 0 ELSA skips keys and beats the ideal).
const firstKeys = n * two.hash.period;
lines.push(
  '',
  `Bound from the first start (exact mode): ideal + n × hash period = ${ideal} + ${firstKeys} = ` +
    `${ideal + firstKeys} cycles, ${((ideal + firstKeys) / ideal).toFixed(4)}× the ideal.`,
);

// memory bits per design: K and V (d·QKV_W per key), key hash (k bits) and key norm (NORM_W) per key
const memBits = (D: DesignSpec) => {
  const perKey = 2 * D.cfg.d * D.qkv.bits + D.hash.code.bits + D.norm.norm.bits;
  return D.cfg.kvBuffers * D.cfg.pA * D.bank.keys * perKey;
};
const sumsqBits = two.norm.serial.cycles > 1 ? two.cfg.d * two.qkv.bits : 0;
lines.push(
  '',
  `Memory: kvBuffers 1 ${memBits(one)} bits, kvBuffers 2 ${memBits(two)} bits (K, V, key hash, key norm of two ` +
    `key sets); the serial Σk² unit: ${two.norm.serial.lanes} squarers, ${two.norm.serial.cycles} cycle(s) a key, ` +
    `${sumsqBits + two.norm.sumSquares.bits} flip-flops of row and sum.`,
);

if (args.includes('--synth')) lines.push('', ...ramBlocks());
if (rtlLines.length) lines.push('', ...rtlLines);
const out = join(REPO_ROOT, 'build', 'bench');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'backtoback.md'), lines.join('\n') + '\n');
console.log(lines.join('\n'));

/** RAM blocks of every memory instance of both designs: Yosys synth_ice40 / synth_xilinx of elsa_ram with that
 *  instance's WIDTH and DEPTH, times the instances. */
function ramBlocks(): string[] {
  const dir = join(REPO_ROOT, 'build', 'bench', 'backtoback-ram');
  mkdirSync(dir, { recursive: true });
  const ram = renderRtl(one).find((f) => f.path.endsWith('elsa_ram.v'))!;
  writeFileSync(join(dir, 'elsa_ram.v'), ram.content);
  const ramTop = ram.path.replace(/\.v$/, '');
  const iceCell = /SB_RAM40_4K\s+(\d+)/;
  const shapes = (D: DesignSpec) => {
    const k = D.cfg.kvBuffers;
    return [
      { what: 'K, V', width: D.cfg.d * D.qkv.bits, depth: k * D.bank.keys, count: 2 * D.cfg.pA },
      { what: 'key hash', width: D.hash.code.bits, depth: k * D.bank.rows, count: D.cfg.pC * D.cfg.pA },
      { what: 'key norm', width: D.norm.norm.bits, depth: k * D.bank.rows, count: D.cfg.pC * D.cfg.pA },
    ];
  };
  const res = [
    '| kvBuffers | memory | WIDTH × DEPTH | instances | iCE40 SB_RAM40_4K | xilinx RAMB18/36 | xilinx LUT-RAM cells |',
  ];
  res.push('|---:|---|---|---:|---:|---:|---:|');
  for (const D of [one, two]) {
    let ice = 0,
      x18 = 0,
      x36 = 0,
      xlut = 0;
    for (const s of shapes(D)) {
      const aw = Math.max(1, Math.ceil(Math.log2(s.depth)));
      const ys = (target: string) =>
        execFileSync(
          'yosys',
          [
            '-p',
            `read_verilog ${join(dir, 'elsa_ram.v')}; chparam -set WIDTH ${s.width} -set DEPTH ${s.depth} ` +
              `-set AW ${aw} ${ramTop}; synth_${target} -top ${ramTop}; stat`,
          ],
          { encoding: 'utf8', maxBuffer: 1 << 26 },
        );
      const iceN = Number(iceCell.exec(ys('ice40'))?.[1] ?? 0);
      const xs = ys('xilinx');
      let r18 = 0,
        r36 = 0;
      for (const m of xs.matchAll(/RAMB(18|36)E1\s+(\d+)/g)) m[1] === '18' ? (r18 = +m[2]) : (r36 = +m[2]);
      // distributed RAM: RAM32M, RAM64M, RAM64X1D, RAM128X1D, ...
      const lut = [...xs.matchAll(/\bRAM(?:32|64|128|256)\w*\s+(\d+)/g)].reduce((a, m) => a + +m[1], 0);
      xlut += lut * s.count;
      ice += iceN * s.count;
      x18 += r18 * s.count;
      x36 += r36 * s.count;
      res.push(
        `| ${D.cfg.kvBuffers} | ${s.what} | ${s.width} × ${s.depth} | ${s.count} | ${iceN * s.count} | ` +
          `${r18 * s.count} / ${r36 * s.count} | ${lut * s.count} |`,
      );
    }
    res.push(`| ${D.cfg.kvBuffers} | **total** | | | **${ice}** | **${x18} / ${x36}** | **${xlut}** |`);
  }
  return res;
}
