// FPGA targets: the Yosys synthesis command and how each vendor cell counts in the area table.

export const TARGETS = ['ice40', 'ecp5', 'xilinx'] as const;
export type Target = (typeof TARGETS)[number];

/** Columns of the area table. `lut` counts logic LUTs only; LUTs used as memory or shift registers are in `lutram`. */
export const COLUMNS = ['lut', 'ff', 'carry', 'dsp', 'bram', 'lutram', 'mux'] as const;
export type Column = (typeof COLUMNS)[number];
export type Area = Record<Column, number> & { other: number };

export interface TargetSpec {
  target: Target;
  /** The Yosys synthesis command, `-top <module>` is appended. */
  synth: string;
  /** What each column holds on this target (for the report). */
  columns: Record<Column, string>;
  /** Columns that can be nonzero on this target (the table shows only these). */
  shown: Column[];
  /** Vendor cell type → column and weight (e.g. RAMB36E1 counts as 2 RAMB18). Unknown types go to `other`. */
  classify: (cell: string) => { col: Column; weight: number } | undefined;
  notes: string[];
}

const one = (col: Column) => ({ col, weight: 1 });

export const TARGET_SPECS: Record<Target, TargetSpec> = {
  ice40: {
    target: 'ice40',
    // No -dsp: Yosys 0.23 (and 0.55) `synth_ice40 -dsp` silently drops multipliers (docs/toolchain.md P1).
    synth: 'synth_ice40',
    columns: {
      lut: 'SB_LUT4',
      ff: 'SB_DFF*',
      carry: 'SB_CARRY',
      dsp: 'SB_MAC16',
      bram: 'SB_RAM40_4K (4 Kbit)',
      lutram: '-',
      mux: '-',
    },
    shown: ['lut', 'ff', 'carry', 'dsp', 'bram'],
    classify: (c) => {
      if (c === 'SB_LUT4') return one('lut');
      if (c.startsWith('SB_DFF')) return one('ff');
      if (c === 'SB_CARRY') return one('carry');
      if (c.startsWith('SB_RAM40_4K')) return one('bram');
      if (c === 'SB_MAC16') return one('dsp');
      return undefined;
    },
    notes: [
      'synth_ice40 without -dsp (Yosys 0.23 -dsp drops multipliers), ' +
        'so every multiplier is built from SB_LUT4 + SB_CARRY.',
    ],
  },
  ecp5: {
    target: 'ecp5',
    synth: 'synth_ecp5',
    columns: {
      lut: 'LUT4',
      ff: 'TRELLIS_FF',
      carry: 'CCU2C (2 bits each)',
      dsp: 'MULT18X18D',
      bram: 'DP16KD (18 Kbit)',
      lutram: 'TRELLIS_DPR16X4',
      mux: 'PFUMX + L6MUX21',
    },
    shown: ['lut', 'ff', 'carry', 'dsp', 'bram', 'lutram', 'mux'],
    classify: (c) => {
      if (c === 'LUT4') return one('lut');
      if (c === 'TRELLIS_FF') return one('ff');
      if (c === 'CCU2C') return one('carry');
      if (c === 'MULT18X18D' || c === 'ALU54B') return one('dsp');
      if (c === 'DP16KD' || c === 'PDPW16KD') return one('bram');
      if (c === 'TRELLIS_DPR16X4') return one('lutram');
      if (c === 'PFUMX' || c === 'L6MUX21') return one('mux');
      return undefined;
    },
    notes: [
      'ecp5 LUT column = LUT4 cells. PFUMX / L6MUX21 (mux column) combine LUT4s of the same slice ' +
        'into LUT5 / LUT6 functions and use no extra LUT4.',
      'CCU2C is a 2-bit carry cell (it occupies the two LUT4s of a slice, which are not in the LUT column). ' +
        'TRELLIS_DPR16X4 is a 16x4 distributed RAM.',
    ],
  },
  xilinx: {
    target: 'xilinx',
    // -flatten -noiopad for area (docs/toolchain.md P12). Each per-module run has its children as blackboxes,
    // so -flatten only flattens nothing; -noclkbuf: a BUFG per module run would be an artefact.
    synth: 'synth_xilinx -flatten -noiopad -noclkbuf',
    columns: {
      lut: 'LUT1-6 + INV',
      ff: 'FD* (+LD* latches)',
      carry: 'CARRY4',
      dsp: 'DSP48E1',
      bram: 'RAMB18E1 + 2*RAMB36E1 (18 Kbit units)',
      lutram: 'RAM32M/RAM64M/RAM*X1* + SRL16E/SRLC32E',
      mux: 'MUXF7 + MUXF8',
    },
    shown: ['lut', 'ff', 'carry', 'dsp', 'bram', 'lutram', 'mux'],
    classify: (c) => {
      if (/^LUT[1-6]$/.test(c) || c === 'INV') return one('lut');
      if (/^FD[A-Z]*$/.test(c) || /^LD[CP]E?$/.test(c)) return one('ff');
      if (c === 'CARRY4') return one('carry');
      if (c.startsWith('DSP48')) return one('dsp');
      if (c === 'RAMB18E1') return one('bram');
      if (c === 'RAMB36E1') return { col: 'bram', weight: 2 };
      if (/^RAM(32M|64M|\d+X\d+[SDQ]?)/.test(c) || /^SRL(C)?(16|32)E?$/.test(c)) return one('lutram');
      if (c === 'MUXF7' || c === 'MUXF8') return one('mux');
      return undefined;
    },
    notes: [
      'synth_xilinx -flatten -noiopad -noclkbuf (no IO or clock buffers). Multipliers map to DSP48E1. ' +
        'INV cells count as LUTs (they become LUT1s).',
    ],
  },
};

export function isTarget(t: string): t is Target {
  return (TARGETS as readonly string[]).includes(t);
}

export const zeroArea = (): Area => ({ lut: 0, ff: 0, carry: 0, dsp: 0, bram: 0, lutram: 0, mux: 0, other: 0 });

/** Sum vendor cells into the area columns. Module-instance cells (names in `submodules`) are skipped. */
export function classifyCells(
  target: Target,
  cells: Record<string, number>,
  submodules: Set<string> = new Set(),
): Area {
  const spec = TARGET_SPECS[target];
  const a = zeroArea();
  for (const [type, n] of Object.entries(cells)) {
    if (submodules.has(type)) continue;
    const c = spec.classify(type);
    if (c) a[c.col] += n * c.weight;
    else a.other += n;
  }
  return a;
}

export function addArea(acc: Area, x: Area, mult = 1): Area {
  for (const k of Object.keys(acc) as (keyof Area)[]) acc[k] += x[k] * mult;
  return acc;
}

export function addCells(
  acc: Record<string, number>,
  x: Record<string, number>,
  mult = 1,
  skip: Set<string> = new Set(),
): Record<string, number> {
  for (const [k, v] of Object.entries(x)) if (!skip.has(k)) acc[k] = (acc[k] ?? 0) + v * mult;
  return acc;
}

export const sortedCells = (c: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(c).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
