// Logic-depth analysis of mapped netlists: canned Yosys JSON (flip-flops, LUTs, carries, DSP registers, black
// boxes), a cross-check against Yosys `ltp` on a real module, the nextpnr critical-path parser, and the
// --max-levels check end to end.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../gen/render.ts';
import { longestPath, parseNextpnrPath, type JsonNetlist } from './timing.ts';

type Conn = Record<string, (number | string)[]>;
const cell = (type: string, dirs: Record<string, 'input' | 'output'>, connections: Conn, parameters = {}) => ({
  type,
  parameters,
  port_directions: dirs,
  connections,
});
const lut = (ins: number[], o: number) =>
  cell(
    'SB_LUT4',
    { I0: 'input', I1: 'input', I2: 'input', I3: 'input', O: 'output' },
    { I0: [ins[0]], I1: [ins[1] ?? '0'], I2: [ins[2] ?? '0'], I3: [ins[3] ?? '0'], O: [o] },
  );
const ff = (d: number, q: number) =>
  cell('SB_DFF', { C: 'input', D: 'input', Q: 'output' }, { C: [2], D: [d], Q: [q] });
const carry = (i0: number, ci: number, co: number) =>
  cell(
    'SB_CARRY',
    { I0: 'input', I1: 'input', CI: 'input', CO: 'output' },
    { I0: [i0], I1: ['0'], CI: [ci], CO: [co] },
  );
const net = (bits: number[], hidden = 0) => ({ hide_name: hidden, bits });

// clk = 2; a (ff q 10) → lut → 11 → lut → 12 → carry → 13 → carry → 14 → lut → 15 → ff b (q 16)
// and a shorter branch 10 → lut → 20 → ff c; an input port x (3) → lut → 21 → output y
const ICE: JsonNetlist = {
  modules: {
    m: {
      ports: {
        clk: { direction: 'input', bits: [2] },
        x: { direction: 'input', bits: [3] },
        y: { direction: 'output', bits: [21] },
      },
      cells: {
        fa: ff(16, 10),
        fb: ff(15, 16),
        fc: ff(20, 30),
        l1: lut([10], 11),
        l2: lut([11], 12),
        c1: carry(12, 12, 13),
        c2: carry(12, 13, 14),
        l3: lut([14, 11], 15),
        l4: lut([10], 20),
        l5: lut([3], 21),
      },
      netnames: {
        a_q: net([10]),
        b_q: net([16]),
        c_q: net([30]),
        sum: net([13, 14]),
        sum_SB_CARRY_CO: net([13]),
        t: net([11]),
        $auto$x: net([12], 1),
        b_d: net([15]),
      },
    },
  },
};

describe('longestPath', () => {
  it('counts LUT levels and carries between flip-flops and names the path by its nets', () => {
    const p = longestPath(ICE, 'm', 'ice40')!;
    expect(p.levels).toBe(3);
    expect(p.cells).toEqual({ lut: 3, carry: 2, mux: 0, dsp: 0, lutram: 0, other: 0 });
    expect(p.regToReg).toBe(true);
    expect(p.start).toEqual({ kind: 'ff', type: 'SB_DFF', net: 'a_q' });
    expect(p.end).toEqual({ kind: 'ff', type: 'SB_DFF', net: 'b_q' });
    // auto-named nets give way to RTL names; bit 12 has only a hidden (Yosys-internal) name and is not listed
    expect(p.nets).toEqual(['a_q', 't', 'sum[0]', 'sum[1]', 'b_d']);
    expect(longestPath(ICE, 'm', 'ice40', new Set(), 'cells')!.cells.carry).toBe(2);
  });

  it('cuts paths at black-boxed sub-modules and block RAMs', () => {
    const nl = structuredClone(ICE);
    // l2's output now goes into a sub-module; its output drives the carry chain
    nl.modules.m.cells.l2 = cell('child', { i: 'input', o: 'output' }, { i: [11], o: [12] });
    const p = longestPath(nl, 'm', 'ice40', new Set(['child']))!;
    expect(p.cells).toMatchObject({ lut: 2, carry: 0 }); // a_q → l1 → l3 now has the most LUT levels
    const byCells = longestPath(nl, 'm', 'ice40', new Set(['child']), 'cells')!;
    expect(byCells.cells).toMatchObject({ lut: 1, carry: 2 });
    expect(byCells.start).toEqual({ kind: 'submodule', type: 'child', net: 'l2.o' });
    expect(byCells.regToReg).toBe(false);
    nl.modules.m.cells.l2 = cell('SB_RAM40_4K', { RADDR: 'input', RDATA: 'output' }, { RADDR: [11], RDATA: [12] });
    expect(longestPath(nl, 'm', 'ice40', new Set(), 'cells')!.start).toEqual({
      kind: 'bram',
      type: 'SB_RAM40_4K',
      net: 't',
    });
  });

  it('counts a DSP once through, and cuts it at its registers (DSP48E1 AREG/BREG/MREG/PREG)', () => {
    const dspCell = (regs: Record<string, string>) =>
      cell(
        'DSP48E1',
        { A: 'input', B: 'input', CLK: 'input', P: 'output' },
        { A: [10], B: [11], CLK: [2], P: [12] },
        {
          AREG: '0',
          BREG: '0',
          MREG: '0',
          PREG: '0',
          ...regs,
        },
      );
    const lut6 = (i: number, o: number) => cell('LUT6', { I0: 'input', O: 'output' }, { I0: [i], O: [o] });
    const fd = (d: number, q: number) =>
      cell('FDRE', { C: 'input', D: 'input', Q: 'output' }, { C: [2], D: [d], Q: [q] });
    const nl = (regs: Record<string, string>): JsonNetlist => ({
      modules: {
        m: {
          ports: { clk: { direction: 'input', bits: [2] } },
          cells: {
            fa: fd(13, 3),
            la: lut6(3, 10),
            lb: lut6(3, 11),
            d: dspCell(regs),
            lp: lut6(12, 13),
          },
          netnames: { a: net([3]), p: net([12]) },
        },
      },
    });
    const comb = longestPath(nl({}), 'm', 'xilinx')!;
    expect(comb.cells).toMatchObject({ lut: 2, dsp: 1 });
    expect(comb.dspDepth).toBe(1);
    expect(comb.regToReg).toBe(true);
    // every register on: the DSP is its own stage (M → P), the LUTs before and after are one-level paths
    const reg = longestPath(nl({ AREG: '1', BREG: '1', MREG: '1', PREG: '1' }), 'm', 'xilinx')!;
    expect(reg.cells).toMatchObject({ lut: 1, dsp: 0 });
    expect(reg.dspDepth).toBe(1);
    // operand registers only: the multiplier starts the path inside the DSP
    const inReg = longestPath(nl({ AREG: '1', BREG: '1' }), 'm', 'xilinx')!;
    expect(inReg.start.kind).toBe('dsp');
    expect(inReg.cells).toMatchObject({ lut: 1, dsp: 1 });
    // PREG only: the LUTs before the DSP and the multiplier end at P
    const outReg = longestPath(nl({ PREG: '1' }), 'm', 'xilinx')!;
    expect(outReg.end.kind).toBe('dsp');
    expect(outReg.cells).toMatchObject({ lut: 1, dsp: 1 });
  });

  it('counts every DSP a post-adder chain crosses (P → C, PCOUT → PCIN), names that path; a P register ends it', () => {
    // d0 computes a·b into its M register; d1 adds d0's P (C port) to its own product; d2 adds d1's PCOUT (PCIN)
    // to its product into its P register: d0's M register → d0 → d1 → d2 → d2's P register when no P is registered
    const dsp = (ins: Record<string, number[]>, outs: Record<string, number[]>, regs: Record<string, string>) =>
      cell(
        'DSP48E1',
        {
          ...Object.fromEntries(Object.keys(ins).map((k) => [k, 'input' as const])),
          ...Object.fromEntries(Object.keys(outs).map((k) => [k, 'output' as const])),
          CLK: 'input',
        },
        { ...ins, ...outs, CLK: [2] },
        { AREG: '0', BREG: '0', CREG: '0', MREG: '1', PREG: '0', ...regs },
      );
    const fd = (d: number, q: number) =>
      cell('FDRE', { C: 'input', D: 'input', Q: 'output' }, { C: [2], D: [d], Q: [q] });
    const nl = (preg0: string, preg1: string): JsonNetlist => ({
      modules: {
        m: {
          ports: { clk: { direction: 'input', bits: [2] } },
          cells: {
            fa: fd(40, 3),
            d0: dsp({ A: [3], B: [3] }, { P: [10] }, { PREG: preg0 }),
            d1: dsp({ A: [3], B: [3], C: [10] }, { PCOUT: [11] }, { PREG: preg1 }),
            d2: dsp({ A: [3], B: [3], PCIN: [11] }, { P: [12] }, { PREG: '1' }),
            fo: fd(12, 40),
          },
          netnames: { a: net([3]), p0: net([10]), pc1: net([11]), p2: net([12]), q: net([40]) },
        },
      },
    });
    const chain = longestPath(nl('0', '0'), 'm', 'xilinx')!;
    expect(chain.dspDepth).toBe(3);
    expect(chain.dspPath).toEqual({
      start: { kind: 'dsp', type: 'DSP48E1', net: 'p0' },
      end: { kind: 'dsp', type: 'DSP48E1', net: 'p2' },
      nets: ['p0', 'pc1'],
    });
    // d0's P register ends its path: d1 → d2 remain
    expect(longestPath(nl('1', '0'), 'm', 'xilinx')!.dspDepth).toBe(2);
    // every DSP's output registered: one DSP per path, no cascade to name
    const registered = longestPath(nl('1', '1'), 'm', 'xilinx')!;
    expect(registered.dspDepth).toBe(1);
    expect(registered.dspPath).toBeUndefined();
  });

  it('reports a combinational loop instead of a wrong depth', () => {
    const nl = structuredClone(ICE);
    nl.modules.m.cells.l1 = lut([15], 11);
    expect(() => longestPath(nl, 'm', 'ice40')).toThrow(/combinational loop in m/);
  });
});

describe('Yosys netlists', () => {
  it('agrees with Yosys ltp on a mapped combinational module (elsa_cand_sel of small, ice40)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'elsa-ltp-'));
    try {
      const { loadConfig } = await import('../gen/config.ts');
      const { renderRtl } = await import('../gen/generate.ts');
      const D = loadConfig('small');
      const files = renderRtl(D).filter((f) => /cand_sel|cos_table/.test(f.path) && f.path.endsWith('.v'));
      for (const f of files) writeFileSync(join(dir, f.path), f.content);
      writeFileSync(
        join(dir, 's.ys'),
        [
          `read_verilog ${files.map((f) => f.path).join(' ')}`,
          'synth_ice40 -top elsa_cand_sel',
          'write_json n.json',
          // every wire, and only LUTs and carries as cells: ltp cannot cut at vendor flip-flops (there are none here)
          'tee -o ltp.txt ltp w:* t:SB_LUT4 t:SB_CARRY %u',
          '',
        ].join('\n'),
      );
      await execa('yosys', ['-q', '-s', 's.ys'], { cwd: dir });
      const ltp = Number(/length=(\d+)/.exec(readFileSync(join(dir, 'ltp.txt'), 'utf8'))![1]);
      const nl = JSON.parse(readFileSync(join(dir, 'n.json'), 'utf8')) as JsonNetlist;
      const byCells = longestPath(nl, 'elsa_cand_sel', 'ice40', new Set(), 'cells')!;
      expect(byCells.cells.lut + byCells.cells.carry).toBe(ltp);
      const byLevels = longestPath(nl, 'elsa_cand_sel', 'ice40')!;
      expect(byLevels.levels).toBeGreaterThanOrEqual(byCells.levels);
      expect(byLevels.levels).toBeGreaterThan(5);
      expect(byLevels.start.kind).toBe('port');
      expect(byLevels.nets.length).toBeGreaterThan(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('synth --max-levels exits 1 naming the module and its path, and 0 under a loose limit', async () => {
    const out = mkdtempSync(join(tmpdir(), 'elsa-maxlev-'));
    const bin = join(REPO_ROOT, 'bin', 'elsa-gen.js');
    try {
      const args = ['synth', 'small', '--target', 'ice40', '--top', 'elsa_cand_sel', '-o', out, '--no-cache'];
      const bad = await execa(process.execPath, [bin, ...args, '--max-levels', '-1'], { reject: false });
      expect(bad.exitCode).toBe(2);
      expect(bad.stderr).toMatch(/^elsa-gen: .*--max-levels.*'-1'/);
      const tight = await execa(process.execPath, [bin, ...args, '--max-levels', '2'], { reject: false });
      expect(tight.exitCode, tight.stderr).toBe(1);
      expect(tight.stderr).toMatch(/^elsa-gen: timing check failed: ice40: elsa_cand_sel has \d+ LUT levels.*from /m);
      expect(tight.stdout).toMatch(/whole design \(flattened\)\s+\d+/);
      const loose = await execa(process.execPath, [bin, ...args, '--max-levels', '500', '--json'], { reject: false });
      expect(loose.exitCode, loose.stderr).toBe(0);
      const r = JSON.parse(loose.stdout);
      expect(r.modules[0].timing.levels).toBeGreaterThan(2);
      expect(r.timing.flat.levels).toBeGreaterThanOrEqual(r.modules[0].timing.levels);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('parseNextpnrPath', () => {
  it('reads the last critical path block of a nextpnr-ice40 log', () => {
    const log = [
      "Info: Critical path report for clock 'clk$SB_IO_IN_$glb_clk' (posedge -> posedge):",
      'Info: curr total',
      'Info:  0.5  0.5  Source old_SB_DFF_Q_DFFLC.O',
      "Info: Max frequency for clock 'clk$SB_IO_IN_$glb_clk': 60.00 MHz (PASS at 50.00 MHz)",
      "Info: Critical path report for clock 'clk$SB_IO_IN_$glb_clk' (posedge -> posedge):",
      'Info: curr total',
      'Info:  0.5  0.5  Source u_dut.recip_r_SB_DFFE_Q_DFFLC.O',
      'Info:  1.2  1.8    Net u_dut.recip_r[1] budget 2.3 ns (5,6) -> (6,7)',
      'Info:                Sink u_dut.prod_SB_LUT4_O_LC.I0',
      'Info:  0.4  2.2  Source u_dut.prod_SB_LUT4_O_LC.O',
      'Info:  1.0  3.2    Net u_dut.prod[4] budget 2.0 ns (6,7) -> (6,8)',
      'Info:                Sink u_dut.o_data_SB_DFFESR_Q_DFFLC.I1',
      'Info:  0.3  3.5  Setup u_dut.o_data_SB_DFFESR_Q_DFFLC.I1',
      'Info: 1.2 ns logic, 2.3 ns routing',
      '',
      "Info: Max frequency for clock 'clk$SB_IO_IN_$glb_clk': 285.71 MHz (PASS at 50.00 MHz)",
    ].join('\n');
    expect(parseNextpnrPath(log)).toEqual({
      clock: 'clk$SB_IO_IN_$glb_clk',
      totalNs: 3.5,
      logicNs: 1.2,
      routingNs: 2.3,
      from: 'recip_r~',
      to: 'o_data~',
      cells: 2,
      nets: ['recip_r[1]', 'prod[4]'],
    });
    expect(parseNextpnrPath('Info: no timing')).toBeUndefined();
  });
});
