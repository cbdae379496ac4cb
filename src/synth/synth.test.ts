// Synthesis flow: stat/RTLIL/nextpnr-log parsers on canned text, and real Yosys runs of the small preset.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../gen/config.ts';
import { parseStat } from './stat.ts';
import { parseRtlil, instanceCounts } from './rtlil.ts';
import { fmaxWrapper, overCapacity, parseFmax, parseUtilisation } from './pnr.ts';
import { classifyCells, COLUMNS } from './targets.ts';
import { formatReport, synthesize, type SynthReport } from './synth.ts';

// Yosys 0.23 `stat` after a hierarchical synth_ice40 (trimmed to three modules and the hierarchy).
const CANNED_STAT = `
3. Printing statistics.

=== $paramod$46d00e4864e89138683d33e091f1fa773e730c43\\elsa_ram ===

   Number of wires:                  8
   Number of wire bits:             44
   Number of public wires:           8
   Number of public wire bits:      44
   Number of memories:               0
   Number of memory bits:            0
   Number of processes:              0
   Number of cells:                 81
     SB_DFFE                        55
     SB_LUT4                        26

=== elsa_cand_sel ===

   Number of wires:                151
   Number of wire bits:            809
   Number of public wires:         151
   Number of public wire bits:     809
   Number of memories:               0
   Number of memory bits:            0
   Number of processes:              0
   Number of cells:                370
     SB_CARRY                       39
     SB_LUT4                       330
     elsa_cos_table                  1

=== elsa_cos_table ===

   Number of wires:                  9
   Number of wire bits:             28
   Number of public wires:           9
   Number of public wire bits:      28
   Number of memories:               0
   Number of memory bits:            0
   Number of processes:              0
   Number of cells:                 16
     SB_LUT4                        16

=== design hierarchy ===

   elsa_cand_sel                     1
     elsa_cos_table                  1

   Number of wires:                160
   Number of wire bits:            837
   Number of public wires:         160
   Number of public wire bits:     837
   Number of memories:               0
   Number of memory bits:            0
   Number of processes:              0
   Number of cells:                385
     SB_CARRY                       39
     SB_LUT4                       346
`;

describe('parsers', () => {
  it('parses Yosys 0.23 stat text: per-module cells, hierarchy and totals', () => {
    const st = parseStat(CANNED_STAT);
    expect(st.modules.map((m) => m.name)).toEqual([
      '$paramod$46d00e4864e89138683d33e091f1fa773e730c43\\elsa_ram',
      'elsa_cand_sel',
      'elsa_cos_table',
    ]);
    expect(st.modules[0].cells).toEqual({ SB_DFFE: 55, SB_LUT4: 26 });
    expect(st.modules[1]).toEqual({
      name: 'elsa_cand_sel',
      cellCount: 370,
      cells: { SB_CARRY: 39, SB_LUT4: 330, elsa_cos_table: 1 },
    });
    expect(st.hierarchy).toEqual({ elsa_cand_sel: 1, elsa_cos_table: 1 });
    expect(st.hierarchyCells).toEqual({ SB_CARRY: 39, SB_LUT4: 346 });
    const subs = new Set(['elsa_cos_table']);
    const a = classifyCells('ice40', st.modules[1].cells, subs);
    expect(a).toMatchObject({ lut: 330, carry: 39, ff: 0, other: 0 });
    // own cells of the parent + its child = the hierarchy totals
    const b = classifyCells('ice40', st.modules[2].cells);
    expect(a.lut + b.lut).toBe(st.hierarchyCells!.SB_LUT4);
    expect(() => parseStat('=== x ===\n\n        12 cells\n')).toThrow(/unrecognised/);
  });

  it('classifies vendor cells per target', () => {
    expect(
      classifyCells('xilinx', {
        LUT6: 3,
        LUT2: 1,
        INV: 1,
        FDRE: 4,
        CARRY4: 2,
        DSP48E1: 1,
        RAMB36E1: 1,
        RAMB18E1: 1,
        RAM32M: 2,
        SRL16E: 1,
        MUXF7: 5,
        BUFG: 1,
      }),
    ).toEqual({ lut: 5, ff: 4, carry: 2, dsp: 1, bram: 3, lutram: 3, mux: 5, other: 1 });
    expect(
      classifyCells('ecp5', {
        LUT4: 10,
        PFUMX: 3,
        L6MUX21: 1,
        TRELLIS_FF: 7,
        CCU2C: 2,
        MULT18X18D: 4,
        DP16KD: 1,
        TRELLIS_DPR16X4: 2,
      }),
    ).toEqual({ lut: 10, ff: 7, carry: 2, dsp: 4, bram: 1, lutram: 2, mux: 4, other: 0 });
    expect(
      classifyCells('ice40', { SB_LUT4: 9, SB_DFFESR: 2, SB_DFF: 1, SB_CARRY: 3, SB_RAM40_4K: 2, SB_MAC16: 1 }),
    ).toEqual({ lut: 9, ff: 3, carry: 3, dsp: 1, bram: 2, lutram: 0, mux: 0, other: 0 });
  });

  it('renames derived modules in RTLIL and counts instances', () => {
    const il = [
      'attribute \\dynports 1',
      'attribute \\hdlname "\\\\ram"',
      'module $paramod$abc\\ram',
      '  parameter \\WIDTH 11',
      "  parameter \\INIT 8'00001111",
      '  wire input 1 \\clk',
      '  wire width 11 output 2 \\rdata',
      'end',
      'attribute \\top 1',
      'module \\top',
      '  wire input 1 \\clk',
      '  wire width 3 input 2 \\x',
      '  wire width 22 output 3 \\y',
      '  cell $paramod$abc\\ram \\u0',
      '    connect \\clk \\clk',
      '  end',
      '  cell $paramod$abc\\ram \\u1',
      '  end',
      '  cell $add $add$1',
      '  end',
      'end',
      '',
    ].join('\n');
    const d = parseRtlil(il);
    expect(d.modules.map((m) => m.name)).toEqual(['ram__WIDTH_11__INIT_15', 'top']);
    expect(d.modules[0]).toMatchObject({ base: 'ram', params: { WIDTH: '11', INIT: '15' } });
    expect(d.modules[1].children).toEqual({ ram__WIDTH_11__INIT_15: 2 });
    expect(d.text).toContain('module \\ram__WIDTH_11__INIT_15\n');
    expect(d.text).toContain('  cell \\ram__WIDTH_11__INIT_15 \\u1\n');
    expect(d.text).not.toContain('$paramod');
    expect(Object.fromEntries(instanceCounts(d.modules, 'top'))).toEqual({ top: 1, ram__WIDTH_11__INIT_15: 2 });
    const w = fmaxWrapper(d.modules[1]);
    expect(w).toMatchObject({ inputBits: 3, outputBits: 22 });
    expect(w.verilog).toContain('.x(sr[2:0])');
    expect(w.verilog).toContain('.y(o[21:0])');
    // 22 output registers, then 6, 2 and 1 tree registers, plus the 3-bit shift register
    expect(w.wrapperFFs).toBe(3 + 22 + 6 + 2 + 1);
  });

  it('takes the last nextpnr "Max frequency" line and the utilisation block', () => {
    const log = [
      "Info: Max frequency for clock 'clk$SB_IO_IN_$glb_clk': 60.12 MHz (PASS at 50.00 MHz)",
      'Info: Device utilisation:',
      'Info: \t         ICESTORM_LC:  5877/ 7680    76%',
      'Info: \t        ICESTORM_RAM:     0/   32     0%',
      'Info: \t               SB_IO:     3/  256     1%',
      '',
      "Info: Max frequency for clock 'clk$SB_IO_IN_$glb_clk': 74.74 MHz (PASS at 50.00 MHz)",
    ].join('\n');
    expect(parseFmax(log)).toEqual({ clock: 'clk$SB_IO_IN_$glb_clk', mhz: 74.74 });
    expect(parseUtilisation(log)).toEqual({
      ICESTORM_LC: { used: 5877, available: 7680 },
      ICESTORM_RAM: { used: 0, available: 32 },
      SB_IO: { used: 3, available: 256 },
    });
    expect(overCapacity(log)).toBe(false);
  });
  it('counts an analytic placer failure over 100% utilisation as not fitting (the next device is tried)', () => {
    const log = [
      'Info: Device utilisation:',
      'Info: \t         ICESTORM_LC:  1352/ 1280   105%',
      'Info: \t        ICESTORM_RAM:     0/   16     0%',
      '',
      'ERROR: Failed to expand region (0, 0) |_> (13, 17) of 1352 ICESTORM_LCs',
    ].join('\n');
    expect(overCapacity(log)).toBe(true);
    expect(overCapacity(log.replace('1352/ 1280   105%', '1252/ 1280    98%'))).toBe(false);
  });
});

describe('yosys synthesis of the small preset', () => {
  const D = loadConfig('small');

  function checkConsistent(r: SynthReport): void {
    // the table's rule: total = Σ instances × own cells, for every column and every cell type
    for (const c of [...COLUMNS, 'other'] as const)
      expect(r.total.area[c]).toBe(r.modules.reduce((s, m) => s + m.instances * m.own[c], 0));
    const cells: Record<string, number> = {};
    for (const m of r.modules)
      for (const [k, v] of Object.entries(m.cells)) cells[k] = (cells[k] ?? 0) + v * m.instances;
    expect(r.total.cells).toEqual(cells);
    // the top's subtree is the total; instance counts follow the synthesised netlists
    expect(r.modules[0].name).toBe('elsa_top');
    expect(r.modules[0].subtree).toEqual(r.total.area);
    const bank = r.modules.find((m) => m.name === 'elsa_bank')!;
    expect(bank.instances).toBe(D.cfg.pA);
    expect(r.modules.find((m) => m.name === 'elsa_cand_sel')!.instances).toBe(D.cfg.pA * D.cfg.pC);
    expect(r.modules.filter((m) => m.base === 'elsa_ram').length).toBeGreaterThan(0);
    const top = r.modules[0];
    expect(top.own.lut).toBeGreaterThan(0);
    expect(top.own.ff).toBeGreaterThan(0);
    expect(r.yosys.version).toMatch(/^Yosys \d+\.\d+/);
    // the text table ends its module rows with the total row
    const txt = formatReport(r);
    expect(txt).toMatch(new RegExp(`total = sum of inst x row\\s+${r.total.area.lut}\\s+${r.total.area.ff}\\b`));
  }

  const title =
    'ice40 and xilinx: totals are the sum of the rows, elsa_dot multipliers map to DSP48E1 on xilinx, ' +
    'JSON has no paths or times';
  it(title, async () => {
    const out = mkdtempSync(join(tmpdir(), 'elsa-synth-'));
    try {
      const [ice, xil] = await Promise.all([
        synthesize(D, 'ice40', { outDir: out, cache: false, progress: false }),
        synthesize(D, 'xilinx', { outDir: out, cache: false, progress: false }),
      ]);
      checkConsistent(ice);
      checkConsistent(xil);
      expect(ice.total.area.dsp).toBe(0); // no -dsp on iCE40 (docs/toolchain.md P1)
      expect(ice.total.area.lut).toBeGreaterThan(xil.total.area.lut); // multipliers in LUTs
      // elsa_dot's d multipliers all map to DSP48E1: a whole number of DSPs per multiplier and no LUT
      // multipliers (the generated 18x18-bit unsigned products of sign-extended operands currently take
      // 2 DSP48E1 each; 9x9 signed operands would take 1).
      const dot = xil.modules.find((m) => m.name === 'elsa_dot')!;
      expect(dot.own.dsp).toBeGreaterThanOrEqual(D.cfg.d);
      expect(dot.own.dsp % D.cfg.d).toBe(0);
      expect(dot.cells.DSP48E1).toBe(dot.own.dsp);
      expect(dot.own.lut).toBeLessThan(ice.modules.find((m) => m.name === 'elsa_dot')!.own.lut / 4);
      expect(xil.total.cells.BUFG).toBeUndefined(); // -noclkbuf
      const json = readFileSync(join(out, 'synth-xilinx.json'), 'utf8');
      expect(json).not.toContain(out);
      expect(json).not.toMatch(/"seconds"|\d{4}-\d\d-\d\dT/);
      expect(JSON.parse(json).total.area).toEqual(xil.total.area);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
