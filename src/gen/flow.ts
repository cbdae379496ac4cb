// FPGA flow files of a generated design, and the AXI register map shared by templates/elsa_axi.v.ejs
// and the generated README: a FuseSoC core file (<name>.core, CAPI=2) and README.md for the config.
// Everything here is a pure function of the config: no dates, no absolute paths.
import type { DesignSpec } from '../units/design.ts';
import type { ModuleSpec } from './modules.ts';
import { GENERATOR } from './render.ts';
import { outputDivTiming } from '../units/output_div/timing.ts';
import { predictExec, predictPre } from '../perf/cycles.ts';
import { bankOrder, bankSize } from '../units/bank/model.ts';
import { type InvocationTrace } from '../units/top/model.ts';
import { PRESETS, resolveConfig } from './config.ts';

interface FileOut { path: string; content: string }

// ---------------------------------------------------------------- AXI register map
/** Byte-address width of the AXI4-Lite port (a 4 KiB register page). */
export const AXI_ADDR_W = 12;
/** ID register: ASCII "ELSA". */
export const AXI_ID = 0x454c5341;
/** Revision of the register map (VERSION[31:24]); bump when offsets or fields change. */
export const AXI_MAP_REVISION = 1;

/** major.minor.patch of the generator (from GENERATOR, e.g. "elsa-gen 0.1.0"). */
export function generatorVersion(): [number, number, number] {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(GENERATOR);
  if (!m) throw new Error(`no version in ${GENERATOR}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** VERSION register: [31:24] map revision, [23:16] major, [15:8] minor, [7:0] patch. */
export function axiVersionWord(): number {
  const [a, b, c] = generatorVersion();
  return ((AXI_MAP_REVISION << 24) | ((a & 255) << 16) | ((b & 255) << 8) | (c & 255)) >>> 0;
}

export interface AxiRegister {
  offset: number;
  name: string;
  access: string;
  reset: string;
  fields: string[];
  /** Verilog expression of the read data (32 bits) inside elsa_axi. */
  read: string;
}

const hex = (x: number | bigint, digits = 8) => `0x${x.toString(16).padStart(digits, '0')}`;
const v32 = (x: number) => `32'h${(x >>> 0).toString(16).padStart(8, '0')}`;

/** The register map of elsa_axi (32-bit registers, byte offsets). */
export function axiRegisters(D: DesignSpec): AxiRegister[] {
  const [ma, mi, pa] = generatorVersion();
  const TW = D.candSel.threshold.bits;
  const hash = BigInt(`0x${D.hwHash}`);
  return [
    { offset: 0x00, name: 'ID', access: 'RO', reset: hex(AXI_ID), fields: ['[31:0] 0x454c5341 = ASCII "ELSA"'], read: v32(AXI_ID) },
    { offset: 0x04, name: 'VERSION', access: 'RO', reset: hex(axiVersionWord()),
      fields: [`[31:24] register map revision (${AXI_MAP_REVISION}); [23:0] generator version ${ma}.${mi}.${pa} (8 bits each)`], read: v32(axiVersionWord()) },
    { offset: 0x08, name: 'CTRL', access: 'RW', reset: hex(0),
      fields: ['[0] START: write 1 to start an invocation with N and THRESHOLD; reads 0 (SLVERR while BUSY)', '[1] IRQ_EN: irq = STATUS.DONE && IRQ_EN'],
      read: "{30'd0, irq_en, 1'b0}" },
    { offset: 0x0c, name: 'STATUS', access: 'RO/W1C', reset: hex(0),
      fields: ['[0] BUSY (RO): an invocation is running', '[1] DONE (W1C): sticky, set when an invocation ends or a start is rejected',
        `[2] ERR (W1C): sticky, set with DONE when the start was rejected (N = 0 or N > ${D.cfg.nMax})`, 'DONE and ERR are also cleared by START'],
      read: "{29'd0, err_now, done_now, top_busy}" },
    { offset: 0x10, name: 'N', access: 'RW', reset: hex(0), fields: [`[31:0] runtime n: entities per invocation, 1..${D.cfg.nMax}`], read: 'n_reg' },
    { offset: 0x14, name: 'THRESHOLD', access: 'RW', reset: hex(0),
      fields: [`[${TW - 1}:0] t_q = round(t * 2^${D.candSel.simFrac}), signed, t in [-2, 2); reads back sign-extended`, `-2^${TW - 1} (0x${((2 ** 32 - 2 ** (TW - 1)) >>> 0).toString(16)}, t = -2) selects every key`],
      read: 't_cur' },
    { offset: 0x18, name: 'CYCLES_PRE', access: 'RO', reset: hex(0), fields: ['[31:0] preprocessing cycles of the last invocation'], read: 'cycles_pre' },
    { offset: 0x1c, name: 'CYCLES_EXEC', access: 'RO', reset: hex(0), fields: ['[31:0] execution cycles of the last invocation'], read: 'cycles_exec' },
    { offset: 0x20, name: 'HW_HASH_LO', access: 'RO', reset: hex(hash & 0xffffffffn), fields: [`[31:0] hardware hash bits 31:0 (hash 0x${D.hwHash})`], read: 'HW_HASH[31:0]' },
    { offset: 0x24, name: 'HW_HASH_HI', access: 'RO', reset: hex(hash >> 32n), fields: ['[15:0] hardware hash bits 47:32; [31:16] 0'], read: "{16'd0, HW_HASH[47:32]}" },
    { offset: 0x28, name: 'NMAX', access: 'RO', reset: hex(D.cfg.nMax), fields: ['[31:0] largest valid N (nMax)'], read: v32(D.cfg.nMax) },
  ];
}

/** View values of templates/elsa_axi.v.ejs. */
export const axiView = (D: DesignSpec): Record<string, unknown> => ({ regs: axiRegisters(D), addrW: AXI_ADDR_W });

// ---------------------------------------------------------------- ports of a rendered module
export interface Port { dir: 'input' | 'output'; width: number; signed: boolean; name: string; group: string }

/** The ports of `module` in rendered Verilog (ANSI header, one port per line; `//` lines name groups). */
export function parsePorts(verilog: string, module: string): Port[] {
  const start = verilog.indexOf(`module ${module} (`);
  if (start < 0) throw new Error(`module ${module} not found`);
  const end = verilog.indexOf(');', start);
  const ports: Port[] = [];
  let group = '';
  for (const line of verilog.slice(start, end).split('\n').slice(1)) {
    const c = /^\s*\/\/\s*(.*)$/.exec(line);
    if (c) {
      group = c[1];
      continue;
    }
    const m = /^\s*(input|output)\s+(?:wire|reg)?\s*(signed)?\s*(?:\[(\d+):(\d+)\])?\s*(\w+)\s*,?\s*$/.exec(line);
    if (m) ports.push({ dir: m[1] as Port['dir'], signed: !!m[2], width: m[3] ? Number(m[3]) - Number(m[4]) + 1 : 1, name: m[5], group });
  }
  return ports;
}

// ---------------------------------------------------------------- cycle figures
/** A trace with only what the cycle model reads: per query, per bank, bankOrder()'s timing. */
function syntheticTrace(D: DesignSpec, n: number, selected: boolean): InvocationTrace {
  const banks = Array.from({ length: D.cfg.pA }, (_, b) => ({ ...bankOrder(D, new Array(bankSize(D, b, n)).fill(selected)), partial: { started: false, e: 0, s: 0, o: [] } }));
  const q = { hash: [], candidates: [], banks, out: [] };
  return { keyHash: [], keyNorm: [], maxNorm: 0, thr: 0, queries: Array.from({ length: n }, () => q), out: [] };
}

export interface ExecFigures { exec: number; steady: number }
/** Execution cycles (cycle model, no stream stalls) at n with every key or no key selected, and the
 *  steady-state cycles per query (the last query's spacing). */
export function execFigures(D: DesignSpec, n: number, selected: boolean): ExecFigures {
  const r = predictExec(D, syntheticTrace(D, n, selected));
  return { exec: r.exec, steady: r.perQuery.at(-1)! };
}

// ---------------------------------------------------------------- FuseSoC core file
export const coreName = (D: DesignSpec) => `elsa-gen:elsa:${D.cfg.name}:${generatorVersion().join('.')}`;

/** FuseSoC CAPI=2 core file: fileset rtl (every .v, in files.f order), targets default, lint, synth. */
export function coreFile(D: DesignSpec, vfiles: string[]): string {
  return [
    'CAPI=2:',
    `# Generated by ${GENERATOR}. Do not edit; regenerate instead.`,
    `# config: ${D.cfg.name}   hardware hash: ${D.hwHash}`,
    `name: ${coreName(D)}`,
    `description: "ELSA attention accelerator, config ${D.cfg.name} (hardware hash ${D.hwHash}): elsa_top and its AXI wrapper elsa_axi"`,
    '',
    'filesets:',
    '  rtl:',
    '    files:',
    ...vfiles.map((f) => `      - ${f}`),
    '    file_type: verilogSource',
    '',
    'targets:',
    '  default: &default',
    '    description: "RTL of the AXI wrapper elsa_axi and everything it instantiates"',
    '    filesets:',
    '      - rtl',
    '    toplevel: elsa_axi',
    '',
    '  lint:',
    '    <<: *default',
    '    description: "Verilator lint, every warning enabled"',
    '    default_tool: verilator',
    '    tools:',
    '      verilator:',
    '        mode: lint-only',
    '        verilator_options:',
    '          - -Wall',
    '',
    '  synth:',
    '    <<: *default',
    '    description: "Yosys synthesis for Xilinx 7-series (change arch for ice40 or ecp5)"',
    '    default_tool: yosys',
    '    tools:',
    '      yosys:',
    '        arch: xilinx',
    '        output_format: edif',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------- README of the generated folder
const PORT_DOC: Record<string, string> = {
  clk: 'clock', rst: 'synchronous reset, active high',
  start: 'pulse while busy = 0: start an invocation with n and t_q', n: 'runtime n (1..nMax), sampled at start',
  t_q: 'threshold t, signed, sampled at start', busy: 'an invocation is running',
  done: 'one-cycle pulse after the last output row (or with err)', err: 'the last start was rejected (n = 0 or n > nMax)',
  kv_valid: 'key/value row valid', kv_ready: 'key/value row accepted', kv_k: 'key row', kv_v: 'value row',
  q_valid: 'query row valid', q_ready: 'query row accepted', q_data: 'query row',
  o_valid: 'output row valid', o_ready: 'output row taken', o_data: 'output row',
  cycles_pre: 'preprocessing cycles of the last invocation', cycles_exec: 'execution cycles of the last invocation',
  aclk: 'clock', aresetn: 'synchronous reset, active low',
  s_axis_kv_tdata: '{v, k}: key row in the low half', s_axis_kv_tvalid: '', s_axis_kv_tready: '', s_axis_kv_tlast: 'ignored',
  s_axis_q_tdata: 'query row', s_axis_q_tvalid: '', s_axis_q_tready: '', s_axis_q_tlast: 'ignored',
  m_axis_o_tdata: 'output row', m_axis_o_tvalid: '', m_axis_o_tready: '', m_axis_o_tlast: 'last row of the invocation',
  s_axil_awprot: 'ignored', s_axil_arprot: 'ignored', s_axil_wstrb: 'byte enables', s_axil_bresp: 'OKAY or SLVERR', s_axil_rresp: 'OKAY or SLVERR',
};

const portTable = (ports: Port[]): string[] => [
  '| port | dir | width | group / meaning |',
  '|---|---|---|---|',
  ...ports.map((p) => `| \`${p.name}\` | ${p.dir} | ${p.width}${p.signed ? ' signed' : ''} | ${[p.group, PORT_DOC[p.name]].filter(Boolean).join(': ')} |`),
];

const fmt = (f: { int: number; frac: number }) => `1.${f.int}.${f.frac} (${1 + f.int + f.frac} bits)`;

/** How to name this config on the command line: the preset when it is exactly that hardware. */
function cliSpec(D: DesignSpec): string | null {
  const p = PRESETS[D.cfg.name];
  return p && resolveConfig(p).hwHash === D.hwHash ? D.cfg.name : null;
}

export function designReadme(D: DesignSpec, modules: ModuleSpec[], rendered: FileOut[]): string {
  const c = D.cfg;
  const src = (m: string) => rendered.find((f) => f.path === `${m}.v`)?.content ?? '';
  const S = D.hash.cycles;
  const nMid = Math.max(1, Math.ceil(c.nMax / 2));
  const ns = [...new Set([1, nMid, c.nMax])];
  const exact = execFigures(D, c.nMax, true);
  const none = execFigures(D, c.nMax, false);
  const spec = cliSpec(D);
  const cfgArg = spec ?? 'my_config.json';
  const regs = axiRegisters(D);
  return [
    `# ELSA accelerator, config \`${c.name}\``,
    '',
    `Generated by ${GENERATOR}. **Hardware hash \`${D.hwHash}\`** (12 hex digits of SHA-256 over the hardware fields of the`,
    'config): it is stamped into every file here, into `manifest.json` and into every vector file, and `elsa_axi` returns it',
    `in the registers HW_HASH_HI:HW_HASH_LO = \`0x${D.hwHash.slice(0, 4)}\`:\`0x${D.hwHash.slice(4)}\`, so software can check that it talks to this core.`,
    'Do not edit these files; change the config and regenerate.',
    '',
    '## Files',
    '',
    '| file | what it is |',
    '|---|---|',
    ...modules.map((m) => `| \`${m.name}.v\` | ${m.doc} |`),
    '| `files.f` | every `.v` in dependency order (leaves first): `verilator -f`, `iverilog -c` |',
    `| \`${c.name}.core\` | FuseSoC core \`${coreName(D)}\` (CAPI=2): fileset \`rtl\`, targets \`default\`, \`lint\`, \`synth\` |`,
    '| `manifest.json` | the config, the derived values and the hardware hash |',
    '',
    '## Parameters',
    '',
    '| parameter | value |',
    '|---|---|',
    `| n_max (entities per invocation) | ${c.nMax} |`,
    `| d (vector dimension) | ${c.d} |`,
    `| k (hash bits) | ${c.k} |`,
    `| P_a (banks = attention modules) | ${c.pA} |`,
    `| P_c (candidate selection modules per bank) | ${c.pC} |`,
    `| m_h (hash multipliers) | ${c.mH} |`,
    `| m_o (output division multipliers) | ${c.mO} |`,
    `| candidate queue depth | ${c.queueDepth} |`,
    `| hash seed | ${c.hashSeed} |`,
    `| θ_bias | ${D.candSel.thetaBias.toFixed(4)} rad${c.thetaBias === null ? ' (measured)' : ''} |`,
    `| score scale | ${c.scoreScale === 'inv_sqrt_d' ? `1/√d = ${D.attention.scoreScale.toFixed(6)}` : c.scoreScale} |`,
    `| Q/K/V format | ${fmt(c.formats.qkv)} |`,
    `| output format | ${fmt(c.formats.out ?? c.formats.qkv)} |`,
    '',
    '## Derived shape',
    '',
    '| quantity | value |',
    '|---|---|',
    `| hash: Kronecker factors (columns) | ${D.hash.factors.join(' ⊗ ')} |`,
    `| hash: rows per factor | ${D.hash.rows.join(' × ')} (${D.hash.kb} bits per block, ${D.hash.blocks} block${D.hash.blocks > 1 ? 's' : ''}) |`,
    `| hash: steps S per vector | ${S} (${D.hash.multiplies} multiplies per vector) |`,
    `| preprocessing: cycles per key | ${D.hash.period} (${D.hash.overlap ? 'S: the next key is sampled during the last step' : 'S + 1: the last step still reads the input buffer'}) |`,
    `| keys per bank (n_max / P_a) | ${D.bank.keys} |`,
    `| candidate-selection rows per bank | ${D.bank.rows} |`,
    `| output division: cycles per row | ${D.outputDiv.chunks} (d / m_o), a new row at best every ${outputDivTiming(D).next} cycles |`,
    `| key norm: square-root latency | ${D.norm.sqrtLatency} cycles |`,
    `| widths: Q/K/V element, output element | ${D.qkv.bits}, ${D.out.bits} bits |`,
    `| widths: score, key norm, threshold register | ${D.attention.score.bits}, ${D.norm.norm.bits}, ${D.candSel.thresholdProduct.bits} bits |`,
    `| widths: Σe and Σe·v accumulators per bank | ${D.attention.sumE.bits}, ${D.attention.sumEV.bits} bits |`,
    `| widths: runtime n, threshold t_q | ${D.top.n.bits}, ${D.candSel.threshold.bits} bits (t_q has ${D.candSel.simFrac} fraction bits) |`,
    `| stream rows: kv, q, o | ${2 * c.d * D.qkv.bits}, ${c.d * D.qkv.bits}, ${c.d * D.out.bits} bits |`,
    '',
    '## Ports of `elsa_top`',
    '',
    'Valid/ready streams transfer when valid && ready on a rising clock edge. Vector element i sits at `[i*W +: W]`.',
    '',
    ...portTable(parsePorts(src('elsa_top'), 'elsa_top')),
    '',
    '## Ports of `elsa_axi`',
    '',
    'AXI4-Stream for the rows, AXI4-Lite for the registers. Every tdata is exactly one row (no width conversion,',
    'no tkeep/tstrb); the slaves ignore tlast, the runtime n in register N decides where an invocation ends; the',
    'master sets tlast on the n-th output row. One clock, synchronous active-low reset.',
    '',
    ...portTable(parsePorts(src('elsa_axi'), 'elsa_axi')),
    '',
    '## Register map (`elsa_axi`, AXI4-Lite, 32-bit)',
    '',
    `Byte offsets in a ${2 ** AXI_ADDR_W}-byte page (address bits [1:0] ignored). Other offsets read 0 with SLVERR; writes to`,
    'read-only registers, to other offsets, and START while BUSY are ignored with SLVERR. Write strobes select the',
    'bytes of N and THRESHOLD; CTRL and STATUS act only when WSTRB[0] is set.',
    '',
    '| offset | register | access | reset | fields |',
    '|---|---|---|---|---|',
    ...regs.map((r) => `| 0x${r.offset.toString(16).padStart(2, '0')} | ${r.name} | ${r.access} | ${r.reset} | ${r.fields.join('; ')} |`),
    '',
    'Sequence: write N and THRESHOLD, write CTRL = 1, stream n key/value rows and n query rows (they may be',
    'presented before START; they are accepted when the core wants them), take n output rows, poll STATUS until',
    'DONE (or enable irq), read CYCLES_PRE and CYCLES_EXEC, write STATUS = 2 to clear DONE.',
    '',
    '## Expected cycles',
    '',
    'Without stream stalls the counters are exactly what the cycle model (`src/perf/cycles.ts`) predicts.',
    '',
    `Preprocessing: \`cycles_pre = (n−1)·P + max(2, P, normW+4) + 2\` with P = ${D.hash.period} cycles per key hash (S = ${S}${D.hash.overlap ? ', the next key sampled during the last step' : ' + 1 input cycle'}), normW = ${D.norm.norm.bits}:`,
    '',
    '| n | cycles_pre |',
    '|---|---|',
    ...ns.map((n) => `| ${n} | ${predictPre(D, n)} |`),
    '',
    'Execution: a query costs at least `max(S, rows, c, d/m_o)` cycles (rows = ⌈⌈n/P_a⌉/P_c⌉ selection rows per bank,',
    `c = selected keys of the busiest bank). Back to back, a bank takes the next query ${D.bank.overlapTail ? 'once every row is issued and pushed and at most two keys of the current one are queued: `max(2, rows + 1, c)` cycles per query' : 'once it has drained (queues of 2 cannot overlap two queries): `max(rows, c) + 2` cycles per query'}, and the output`,
    `division delivers at best one row every d/m_o + 2 = ${outputDivTiming(D).next} cycles; the slower sets the pace. The cycle model at n = ${c.nMax}`,
    `(per-query bound: ${exact.steady} cycles in exact attention, ${none.steady} when no key is selected):`,
    '',
    `| n = ${c.nMax} | cycles_exec | cycles per query (steady state) |`,
    '|---|---|---|',
    `| every key selected (t = −2) | ${exact.exec} | ${exact.steady} |`,
    `| no key selected | ${none.exec} | ${none.steady} |`,
    '',
    '## Simulate and lint',
    '',
    'From the elsa-gen repository:',
    '',
    '```bash',
    ...(spec ? [] : ['# my_config.json = the "config" object of manifest.json']),
    `./bin/elsa-gen.js sim ${cfgArg} --sim iverilog    # or --sim verilator; --stall 30 adds random stream gaps`,
    `./bin/elsa-gen.js sim ${cfgArg} --waves build/${c.name}.fst`,
    'npx vitest run tb/axi.test.ts    # elsa_axi through AXI4-Lite and AXI4-Stream (configs small and m_d48_k48)',
    '```',
    '',
    '`elsa-gen sim` regenerates this folder, runs whole invocations through `elsa_top` and compares every output row with',
    'the fixed-point model (`N passed, N failed`). In this folder:',
    '',
    '```bash',
    'verilator --lint-only -Wall --top-module elsa_axi -f files.f',
    'iverilog -g2005 -Wall -o /dev/null -s elsa_axi -c files.f',
    `fusesoc --cores-root . run --target lint ${coreName(D)}`,
    '```',
    '',
  ].join('\n');
}

/** The flow files of a design: `<name>.core` and `README.md` (files.f and manifest.json are in generate.ts). */
export function flowFiles(D: DesignSpec, modules: ModuleSpec[], rendered: FileOut[]): FileOut[] {
  return [
    { path: `${D.cfg.name}.core`, content: coreFile(D, modules.map((m) => `${m.name}.v`)) },
    { path: 'README.md', content: designReadme(D, modules, rendered) },
  ];
}
