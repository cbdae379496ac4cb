// Logic depth after technology mapping: the longest register-to-register path of a Yosys netlist
// (`write_json` after synth_ice40 / synth_ecp5 / synth_xilinx), counted in cells by kind, and named by its nets.
//
// Yosys 0.23 `ltp -noff` finds the longest path by cell count, but it cuts only at Yosys' internal flip-flops
// ($dff, $_DFF_*): vendor flip-flops (SB_DFF*, FD*, TRELLIS_FF), block RAMs and DSPs with internal registers
// count as combinational cells, and it does not say which cells the path crosses. So the netlist is analysed
// here, per bit:
//   - start points: module inputs, outputs of flip-flops, block RAMs, black-boxed sub-modules, and DSP internal
//     registers; end points: module outputs and every input of those cells;
//   - LUTs, carries, wide muxes and the asynchronous read of LUT RAMs are combinational arcs; a DSP is one arc
//     from its operand ports through the multiplier and post-adder, cut wherever its AREG/BREG/MREG/PREG
//     (iCE40 SB_MAC16, ECP5 MULT18X18D: the equivalent parameters) are set;
//   - the critical path maximises LUT levels first (LUT + LUT-RAM read + unknown combinational cells), then DSPs,
//     carries and muxes; `dspDepth` is the most DSPs on any one path, found separately.
import type { Target } from './targets.ts';

/** What a path crosses, by cell kind. */
export interface PathCells {
  lut: number;
  carry: number;
  mux: number;
  dsp: number;
  lutram: number;
  other: number;
}
const KINDS = ['lut', 'carry', 'mux', 'dsp', 'lutram', 'other'] as const;
type Kind = (typeof KINDS)[number];
const zero = (): PathCells => ({ lut: 0, carry: 0, mux: 0, dsp: 0, lutram: 0, other: 0 });

export interface PathPoint {
  /** ff | bram | dsp | submodule | port */
  kind: 'ff' | 'bram' | 'dsp' | 'submodule' | 'port';
  /** Cell type (SB_DFFE, RAMB18E1, elsa_cos_table, input, output). */
  type: string;
  /** The register's net (its Q output, the RAM's data out or in), or the port. */
  net: string;
}

export interface PathReport {
  /** LUT levels on the critical path: LUTs + LUT-RAM reads + unknown combinational cells. */
  levels: number;
  cells: PathCells;
  /** The most DSPs on any one path of the netlist (a cascade of combinational DSPs counts each). */
  dspDepth: number;
  start: PathPoint;
  end: PathPoint;
  /** True when both ends are registers (flip-flop, RAM, DSP register); false when a port or sub-module bounds it. */
  regToReg: boolean;
  /** Named nets along the path, start to end (at most MAX_NETS; auto-named nets shown by their RTL stem + '~'). */
  nets: string[];
  /** With a DSP depth over 1: one path that crosses that many DSPs (the critical path above may be another). */
  dspPath?: { start: PathPoint; end: PathPoint; nets: string[] };
  /** Flattened design: the longest path ending in each top-level instance (by the end point's hierarchical name;
   *  `(top)` for the top's own registers and ports). */
  byInstance?: Record<string, PathReport>;
}

export const MAX_NETS = 16;
/** Bump when the analysis changes: cached results carry it in their file name. */
export const TIMING_VERSION = 'timing-v4';

/** Yosys `write_json` netlist (the parts used here). */
type Bit = number | string;
interface JsonCell {
  type: string;
  parameters?: Record<string, string | number>;
  port_directions?: Record<string, 'input' | 'output' | 'inout'>;
  connections: Record<string, Bit[]>;
}
interface JsonModule {
  ports: Record<string, { direction: 'input' | 'output' | 'inout'; bits: Bit[] }>;
  cells: Record<string, JsonCell>;
  netnames: Record<string, { hide_name: number; bits: Bit[] }>;
}
export interface JsonNetlist {
  modules: Record<string, JsonModule>;
}

/** A Yosys JSON parameter as a number (binary strings, numbers); NaN for text such as "NONE". */
function paramNum(v: string | number | undefined): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (/^[01xz]+$/.test(v)) return parseInt(v.replace(/[xz]/g, '0'), 2);
  return NaN;
}
/** Register present: a nonzero count (AREG = 1, 2) or a clock name other than NONE (ECP5 REG_*_CLK). */
function regSet(v: string | number | undefined): boolean {
  if (v === undefined) return false;
  const n = paramNum(v);
  if (!Number.isNaN(n)) return n > 0;
  return String(v).trim().toUpperCase() !== 'NONE';
}

type CellClass = { seq: 'ff' | 'bram' | 'submodule' } | { comb: Kind } | { dsp: true } | { lutram: true };

function classify(target: Target, type: string, submodules: Set<string>): CellClass {
  if (submodules.has(type)) return { seq: 'submodule' };
  if (target === 'ice40') {
    if (type === 'SB_LUT4') return { comb: 'lut' };
    if (type === 'SB_CARRY') return { comb: 'carry' };
    if (type.startsWith('SB_DFF')) return { seq: 'ff' };
    if (type.startsWith('SB_RAM40_4K') || type === 'SB_SPRAM256KA') return { seq: 'bram' };
    if (type === 'SB_MAC16') return { dsp: true };
  } else if (target === 'ecp5') {
    if (type === 'LUT4') return { comb: 'lut' };
    if (type === 'CCU2C') return { comb: 'carry' };
    if (type === 'PFUMX' || type === 'L6MUX21') return { comb: 'mux' };
    if (type === 'TRELLIS_FF') return { seq: 'ff' };
    if (type === 'DP16KD' || type === 'PDPW16KD') return { seq: 'bram' };
    if (type === 'TRELLIS_DPR16X4') return { lutram: true };
    if (type === 'MULT18X18D' || type === 'ALU54B') return { dsp: true };
  } else {
    if (/^LUT[1-6]$/.test(type) || type === 'INV') return { comb: 'lut' };
    if (type === 'CARRY4') return { comb: 'carry' };
    if (type === 'MUXF7' || type === 'MUXF8') return { comb: 'mux' };
    if (/^FD[A-Z]*$/.test(type) || /^LD[CP]E?$/.test(type)) return { seq: 'ff' };
    if (/^RAMB(18|36)E1$/.test(type)) return { seq: 'bram' };
    if (/^RAM(32M|64M|\d+X\d+[SDQ]?)/.test(type) || /^SRLC?(16|32)E?$/.test(type)) return { lutram: true };
    if (type.startsWith('DSP48')) return { dsp: true };
  }
  return { comb: 'other' };
}

/** Read address ports of LUT RAMs / shift registers: combinational to the data outputs. */
const LUTRAM_READ = /^(A\d*|ADDR[A-H]|DPRA\d*|RAD\d*)$/;
/** Data outputs of LUT RAMs (SRLC32E's Q31 is the registered cascade output). */
const LUTRAM_OUT = /^(O|Q|SPO|DPO|DO[A-H]?\d*)$/;

/** The DSP's registers, in the words of each vendor: operand side (→ multiplier), the multiplier's output
 *  register, the post-adder/accumulator operands and the output register. */
function dspRegs(type: string, p: Record<string, string | number>) {
  if (type.startsWith('DSP48')) {
    const opReg: Record<string, boolean> = {
      A: regSet(p.AREG),
      ACIN: regSet(p.AREG),
      B: regSet(p.BREG),
      BCIN: regSet(p.BREG),
      D: regSet(p.DREG) || regSet(p.ADREG),
      INMODE: regSet(p.INMODEREG),
    };
    const aluReg: Record<string, boolean> = {
      C: regSet(p.CREG),
      OPMODE: regSet(p.OPMODEREG),
      ALUMODE: regSet(p.ALUMODEREG),
      CARRYIN: regSet(p.CARRYINREG),
      CARRYINSEL: regSet(p.CARRYINSELREG),
      PCIN: false,
      CARRYCASCIN: false,
      MULTSIGNIN: false,
    };
    return { opReg, aluReg, mreg: regSet(p.MREG), preg: regSet(p.PREG), cascade: ['ACOUT', 'BCOUT'] };
  }
  if (type === 'SB_MAC16') {
    return {
      opReg: { A: regSet(p.A_REG), B: regSet(p.B_REG) },
      aluReg: { C: regSet(p.C_REG), D: regSet(p.D_REG) },
      mreg: regSet(p.PIPELINE_16x16_MULT_REG2) || regSet(p.TOP_8x8_MULT_REG) || regSet(p.BOT_8x8_MULT_REG),
      // output select 1 = the accumulator register drives O
      preg: paramNum(p.TOPOUTPUT_SELECT) === 1 && paramNum(p.BOTOUTPUT_SELECT) === 1,
      cascade: [],
    };
  }
  // ECP5 MULT18X18D (ports A0..A17, B0..B17, C0..C17, P0..P35): REG_INPUTA_CLK etc. name a clock or NONE.
  return {
    opReg: { A: regSet(p.REG_INPUTA_CLK), B: regSet(p.REG_INPUTB_CLK), SIGNEDA: false, SIGNEDB: false },
    aluReg: { C: regSet(p.REG_INPUTC_CLK) },
    mreg: regSet(p.REG_PIPELINE_CLK),
    preg: regSet(p.REG_OUTPUT_CLK),
    cascade: [],
  };
}
/** Port group of a DSP port: ECP5 names bits A0..A17, the others name buses. */
const dspGroup = (port: string, groups: Record<string, boolean>): string | undefined =>
  port in groups ? port : Object.keys(groups).find((g) => new RegExp(`^${g}\\d+$`).test(port));
/** Data outputs of a DSP: after the post-adder (P, PCOUT, carries, pattern detect) — everything but the
 *  operand cascades and the ECP5 shift-out ports (SRO*, RO*). */
const dspDataOut = (type: string, port: string) =>
  type === 'MULT18X18D' ? /^P\d+$/.test(port) || port === 'SIGNEDP' : true;

/** Vendor cell types whose names Yosys' autoname appends to a net it derives from an RTL net. */
const CELL_TYPES = [
  'SB_[A-Z0-9_]+',
  'LUT[1-6]',
  'INV',
  'CARRY4',
  'FD[A-Z]*',
  'LD[CP]E?',
  'DSP48E1',
  'MUXF[78]',
  'RAM\\w+',
  'SRL\\w+',
  'TRELLIS_\\w+',
  'CCU2C',
  'PFUMX',
  'L6MUX21',
  'MULT18X18D',
  'ALU54B',
  'DP16KD',
  'PDPW16KD',
];
const AUTO_NAME = new RegExp(`^(.+?)_(${CELL_TYPES.join('|')})_[A-Z]`);

/** An auto-named net (`sim_SB_LUT4_O_I3`, `acc_reg_FDRE_Q`): the RTL stem, else undefined. */
function autoStem(name: string): string | undefined {
  const m = AUTO_NAME.exec(name);
  return m ? m[1] : undefined;
}

interface Graph {
  /** Nodes 0..n-1: net bits (renumbered) and cell-internal nodes. */
  n: number;
  edges: { to: number; cost: Kind | null; dspCost: number }[][];
  /** Start points: node → its description and the cost of the cell part it starts in (a DSP after its input
   *  register). */
  starts: Map<number, { point: PathPoint; cost: Kind | null }>;
  /** End points: node → description and the cost of the cell part it ends in. */
  ends: { node: number; point: PathPoint; cost: Kind | null }[];
  bitName: (node: number) => string | undefined;
}

function buildGraph(mod: JsonModule, target: Target, submodules: Set<string>): Graph {
  const ids = new Map<Bit, number>();
  const names: (string | undefined)[] = [];
  const node = (b: Bit): number | undefined => {
    if (typeof b === 'string') return undefined; // constant 0/1/x/z
    let id = ids.get(b);
    if (id === undefined) {
      id = names.length;
      ids.set(b, id);
      names.push(undefined);
    }
    return id;
  };
  const internal = (): number => {
    names.push(undefined);
    return names.length - 1;
  };
  // Best name per bit: public before hidden, RTL names before auto-named, then shorter, then alphabetical.
  const rank = (name: string, hidden: number) => [hidden, autoStem(name) ? 1 : 0, name.length] as const;
  const bestRank = new Map<number, readonly [number, number, number]>();
  const bestLabel = new Map<number, string>();
  const publicBits = new Set<number>();
  // a register, RAM or DSP is named by a public net of its outputs, else of its inputs, else by any name
  const pointNet = (outs: [string, number, number][], ins: [string, number, number][], cname: string) =>
    [...outs, ...ins].map(([, , id]) => id).find((id) => publicBits.has(id) && bestLabel.has(id)) ??
    [...outs, ...ins].map(([, , id]) => bestLabel.get(id)).find(Boolean) ??
    cname;
  for (const name of Object.keys(mod.netnames).sort()) {
    const nn = mod.netnames[name];
    const r = rank(name, nn.hide_name);
    nn.bits.forEach((b, i) => {
      const id = node(b);
      if (id === undefined) return;
      const old = bestRank.get(id);
      if (old && (old[0] < r[0] || (old[0] === r[0] && (old[1] < r[1] || (old[1] === r[1] && old[2] <= r[2]))))) return;
      bestRank.set(id, r);
      const stem = autoStem(name);
      bestLabel.set(id, stem ? `${stem}~` : nn.bits.length > 1 ? `${name}[${i}]` : name);
      if (!nn.hide_name) publicBits.add(id);
    });
  }

  const edges: Graph['edges'] = [];
  const addEdge = (from: number, to: number, cost: Kind | null) => {
    while (edges.length <= Math.max(from, to)) edges.push([]);
    edges[from].push({ to, cost, dspCost: cost === 'dsp' ? 1 : 0 });
  };
  const starts: Graph['starts'] = new Map();
  const ends: Graph['ends'] = [];

  for (const pname of Object.keys(mod.ports).sort()) {
    const p = mod.ports[pname];
    p.bits.forEach((b, i) => {
      const id = node(b);
      if (id === undefined) return;
      const point: PathPoint = {
        kind: 'port',
        type: p.direction,
        net: p.bits.length > 1 ? `${pname}[${i}]` : pname,
      };
      if (p.direction === 'input') starts.set(id, { point, cost: null });
      else if (p.direction === 'output') ends.push({ node: id, point, cost: null });
    });
  }

  for (const cname of Object.keys(mod.cells).sort()) {
    const c = mod.cells[cname];
    const dirs = c.port_directions ?? {};
    const ins: [string, number, number][] = []; // port, bit index, node
    const outs: [string, number, number][] = [];
    for (const [port, bits] of Object.entries(c.connections)) {
      const d = dirs[port];
      bits.forEach((b, i) => {
        const id = node(b);
        if (id === undefined) return;
        if (d === 'input') ins.push([port, i, id]);
        else if (d === 'output') outs.push([port, i, id]);
      });
    }
    const cls = classify(target, c.type, submodules);
    if ('seq' in cls) {
      // the register is named by its output net (a RAM or sub-module by its data out, else its data in)
      const named = pointNet(outs, ins, cname);
      const net = typeof named === 'number' ? bestLabel.get(named)! : named;
      for (const [port, , id] of outs)
        starts.set(id, {
          point: { kind: cls.seq, type: c.type, net: cls.seq === 'submodule' ? `${cname}.${port}` : net },
          cost: null,
        });
      for (const [port, , id] of ins)
        ends.push({
          node: id,
          point: { kind: cls.seq, type: c.type, net: cls.seq === 'submodule' ? `${cname}.${port}` : net },
          cost: null,
        });
    } else if ('comb' in cls) {
      if (c.type === 'CARRY4') {
        // bit i of S/DI reaches O and CO from bit i up; CI and CYINIT reach every output
        for (const [ip, ii, iid] of ins)
          for (const [, oi, oid] of outs) if (ip === 'CI' || ip === 'CYINIT' || oi >= ii) addEdge(iid, oid, 'carry');
      } else if (c.type === 'CCU2C') {
        for (const [ip, , iid] of ins)
          for (const [op, , oid] of outs) if (!ip.endsWith('1') || op !== 'S0') addEdge(iid, oid, 'carry');
      } else for (const [, , iid] of ins) for (const [, , oid] of outs) addEdge(iid, oid, cls.comb);
    } else if ('lutram' in cls) {
      const named = pointNet(outs, ins, cname);
      const net = typeof named === 'number' ? bestLabel.get(named)! : named;
      for (const [port, , iid] of ins) {
        if (LUTRAM_READ.test(port)) {
          for (const [op, , oid] of outs) if (LUTRAM_OUT.test(op)) addEdge(iid, oid, 'lutram');
        }
        // write port (and the write side of a shared read/write address): a synchronous end point
        if (!LUTRAM_READ.test(port) || /^(A\d*|ADDR[A-H])$/.test(port))
          ends.push({ node: iid, point: { kind: 'ff', type: c.type, net }, cost: null });
      }
      for (const [op, , oid] of outs)
        if (!LUTRAM_OUT.test(op)) starts.set(oid, { point: { kind: 'ff', type: c.type, net }, cost: null });
    } else {
      // DSP: operand ports → [opReg] → multiplier → M [mreg] → post-adder (+ ALU operands) → [preg] → outputs
      const r = dspRegs(c.type, c.parameters ?? {});
      const named = pointNet(outs, ins, cname);
      const net = typeof named === 'number' ? bestLabel.get(named)! : named;
      const point: PathPoint = { kind: 'dsp', type: c.type, net };
      const mIn = internal(); // reached by the operands
      const mOut = r.mreg ? internal() : mIn; // drives the post-adder
      const post = internal(); // the post-adder's result, before PREG
      if (r.mreg) {
        ends.push({ node: mIn, point, cost: null });
        starts.set(mOut, { point, cost: 'dsp' });
      }
      const opRegistered = ins.some(([port]) => {
        const g = dspGroup(port, r.opReg);
        return g !== undefined && r.opReg[g];
      });
      // with registered operands and no MREG, the multiplier starts a path inside the DSP (cost: the DSP);
      // an unregistered operand of the same multiplier then ends its path there
      if (opRegistered && !r.mreg) starts.set(mIn, { point, cost: 'dsp' });
      for (const [port, , iid] of ins) {
        const g = dspGroup(port, r.opReg);
        const a = g === undefined ? dspGroup(port, r.aluReg) : undefined;
        if (g !== undefined) {
          if (r.opReg[g]) ends.push({ node: iid, point, cost: null });
          else if (opRegistered && !r.mreg) ends.push({ node: iid, point, cost: 'dsp' });
          else addEdge(iid, mIn, 'dsp');
        } else if (a !== undefined) {
          if (r.aluReg[a]) ends.push({ node: iid, point, cost: null });
          else addEdge(iid, post, 'dsp');
        } else ends.push({ node: iid, point, cost: null }); // clock, enables, resets
      }
      addEdge(mOut, post, null);
      if (r.preg) ends.push({ node: post, point, cost: null });
      for (const [port, , oid] of outs) {
        if (r.cascade.includes(port) || !dspDataOut(c.type, port))
          starts.set(oid, { point, cost: null }); // operand cascade / shift-out: registered or a plain wire
        else if (r.preg) starts.set(oid, { point, cost: null });
        else addEdge(post, oid, null);
      }
    }
  }
  while (edges.length < names.length) edges.push([]);
  // the path lists public nets only: Yosys' internal names ($abc$…, $auto$alumacc…) say nothing about the RTL
  return {
    n: names.length,
    edges,
    starts,
    ends,
    bitName: (id) => (publicBits.has(id) ? bestLabel.get(id) : undefined),
  };
}

const levelsOf = (c: PathCells) => c.lut + c.lutram + c.other;
/** Path order: by LUT levels, then DSPs, carries, muxes; or (`cells`, as Yosys `ltp`) by the number of cells. */
export type PathOrder = 'levels' | 'cells';
const keyOf = (c: PathCells, order: PathOrder) =>
  order === 'levels' ? [levelsOf(c), c.dsp, c.carry, c.mux] : [KINDS.reduce((s, k) => s + c[k], 0)];
function better(a: PathCells, b: PathCells, order: PathOrder): boolean {
  const ka = keyOf(a, order);
  const kb = keyOf(b, order);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] > kb[i];
  return false;
}

/** The top-level instance a flattened name belongs to: `u_bank0.acc` and Yosys' `$flatten\\u_bank0.$…` or
 *  `$\\u_bank0.mem…` → u_bank0; a top-level net → (top); a name Yosys made up (`$auto$…`) → (unnamed). */
function instanceOf(net: string): string {
  const n = net.replace(/^\$(flatten)?\\?/, '');
  const dot = n.indexOf('.');
  if (dot < 0) return net.startsWith('$') ? '(unnamed)' : '(top)';
  const head = n.slice(0, dot);
  return /^[A-Za-z_][\w[\]]*$/.test(head) ? head : '(unnamed)';
}

/** Longest path of one module of a Yosys JSON netlist; undefined when the module has no path at all
 *  (no logic between any start and end point). `submodules` are the design's module names (black boxes). */
export function longestPath(
  netlist: JsonNetlist,
  top: string,
  target: Target,
  submodules: Set<string> = new Set(),
  order: PathOrder = 'levels',
  byInstance = false,
): PathReport | undefined {
  const mod = netlist.modules[top];
  if (!mod) throw new Error(`netlist has no module ${top}`);
  const g = buildGraph(mod, target, submodules);
  // Kahn's order over nodes reachable from start points
  const indeg = new Int32Array(g.n);
  for (const es of g.edges) for (const e of es) indeg[e.to]++;
  const arr: (PathCells | undefined)[] = new Array(g.n);
  const dsp = new Int32Array(g.n).fill(-1);
  const pred = new Int32Array(g.n).fill(-1);
  const origin = new Int32Array(g.n).fill(-1);
  // the path with the most DSPs into each node (its own predecessors: it need not be the one with the most levels)
  const dspPred = new Int32Array(g.n).fill(-1);
  const dspOrigin = new Int32Array(g.n).fill(-1);
  for (const [id, s] of g.starts) {
    const c = zero();
    if (s.cost) c[s.cost]++;
    arr[id] = c;
    dsp[id] = c.dsp;
    origin[id] = id;
    dspOrigin[id] = id;
  }
  const queue: number[] = [];
  for (let i = 0; i < g.n; i++) if (indeg[i] === 0) queue.push(i);
  let seen = 0;
  while (queue.length) {
    const u = queue.pop()!;
    seen++;
    for (const e of g.edges[u]) {
      if (arr[u]) {
        const c = { ...arr[u]! };
        if (e.cost) c[e.cost]++;
        // a start point is a register output: a path never runs through it
        if (!g.starts.has(e.to) && (!arr[e.to] || better(c, arr[e.to]!, order))) {
          arr[e.to] = c;
          pred[e.to] = u;
          origin[e.to] = origin[u];
        }
        if (!g.starts.has(e.to) && dsp[u] + e.dspCost > dsp[e.to]) {
          dsp[e.to] = dsp[u] + e.dspCost;
          dspPred[e.to] = u;
          dspOrigin[e.to] = dspOrigin[u];
        }
      }
      if (--indeg[e.to] === 0) queue.push(e.to);
    }
  }
  if (seen < g.n) {
    const stuck = [...indeg.keys()].filter((i) => indeg[i] > 0).map((i) => g.bitName(i) ?? `#${i}`);
    throw new Error(`combinational loop in ${top} through ${stuck.slice(0, 4).join(', ')}`);
  }
  type Best = { end: Graph['ends'][number]; cells: PathCells; dspDepth: number };
  let best: Best | undefined;
  const groups = new Map<string, Best>();
  let dspDepth = 0;
  let dspEnd: Graph['ends'][number] | undefined;
  for (const end of g.ends) {
    const a = arr[end.node];
    if (!a) continue;
    const c = { ...a };
    if (end.cost) c[end.cost]++;
    const dd = dsp[end.node] + (end.cost === 'dsp' ? 1 : 0);
    if (dd > dspDepth) dspEnd = end;
    dspDepth = Math.max(dspDepth, dd);
    // a start point wired straight to an end point (a register feeding a register) is not a path
    if (KINDS.every((k) => c[k] === 0)) continue;
    if (!best || better(c, best.cells, order)) best = { end, cells: c, dspDepth: 0 };
    if (byInstance) {
      const key = instanceOf(end.point.net);
      const old = groups.get(key);
      if (!old || better(c, old.cells, order))
        groups.set(key, { end, cells: c, dspDepth: Math.max(dd, old?.dspDepth ?? 0) });
      else old.dspDepth = Math.max(old.dspDepth, dd);
    }
  }
  if (!best) return undefined;
  const isReg = (p: PathPoint) => p.kind !== 'port' && p.kind !== 'submodule';
  const netsTo = (end: number, preds: Int32Array): string[] => {
    const nodes: number[] = [];
    for (let v = end; v >= 0; v = preds[v]) nodes.unshift(v);
    const nets: string[] = [];
    for (const v of nodes) {
      const nm = g.bitName(v);
      if (nm && nets.at(-1) !== nm) nets.push(nm);
    }
    return nets.length > MAX_NETS ? [...nets.slice(0, MAX_NETS / 2), '…', ...nets.slice(-MAX_NETS / 2 + 1)] : nets;
  };
  const report = (b: Best, depth: number): PathReport => {
    const nets = netsTo(b.end.node, pred);
    const start = g.starts.get(origin[b.end.node])!.point;
    return {
      levels: levelsOf(b.cells),
      cells: b.cells,
      dspDepth: depth,
      start,
      end: b.end.point,
      regToReg: isReg(start) && isReg(b.end.point),
      nets,
    };
  };
  const out = report(best, dspDepth);
  if (dspDepth > 1 && dspEnd)
    out.dspPath = {
      start: g.starts.get(dspOrigin[dspEnd.node])!.point,
      end: dspEnd.point,
      nets: netsTo(dspEnd.node, dspPred),
    };
  if (byInstance)
    out.byInstance = Object.fromEntries(
      [...groups.keys()].sort().map((k) => [k, report(groups.get(k)!, groups.get(k)!.dspDepth)]),
    );
  return out;
}

/** "7 LUT + 12 carry + 1 DSP" (only the kinds present). */
export function formatCells(c: PathCells): string {
  const parts = KINDS.filter((k) => c[k] > 0).map((k) => `${c[k]} ${k === 'lutram' ? 'LUTRAM read' : k.toUpperCase()}`);
  return parts.length ? parts.join(' + ').replace(/CARRY/g, 'carry').replace(/MUX/g, 'mux') : '0';
}

const pointText = (p: PathPoint) =>
  p.kind === 'port'
    ? `${p.type} ${p.net}`
    : p.kind === 'submodule'
      ? `sub-module pin ${p.net}`
      : `${p.net} (${p.type})`;

/** "key_norm[1] → sim~ → sel" with the start and end points. */
export function formatPath(p: Pick<PathReport, 'start' | 'end' | 'nets'>, maxNets = 6): string {
  const mid = p.nets.length > maxNets ? [...p.nets.slice(0, maxNets / 2), '…', ...p.nets.slice(-maxNets / 2)] : p.nets;
  return `from ${pointText(p.start)} to ${pointText(p.end)}: ${mid.join(' → ')}`;
}

// ------------------------------------------------------------------------------ nextpnr critical path

export interface NextpnrPath {
  clock: string;
  /** Total delay (ns) and its split. */
  totalNs: number;
  logicNs?: number;
  routingNs?: number;
  /** The source cell (start register) and the sink cell (end register) of the path. */
  from: string;
  to: string;
  /** Logic cells (LUT/carry/RAM) the path passes, its start cell included. */
  cells: number;
  /** Nets of the path in order; names synthesis derived from an RTL net are shown by that net's name + '~',
   *  consecutive repeats dropped, the wrapper's `u_dut.` prefix removed. */
  nets: string[];
}

/** A nextpnr cell or net name made readable: `u_dut.u_output_div.psh_0_SB_LUT4_O_28_I0…[1]` → `u_output_div.psh_0~`. */
function readable(name: string): string {
  const n = name.replace(/^u_dut\./, '');
  const stem = autoStem(n);
  return stem ? `${stem}~` : n.replace(/_(DFF)?LC\.(O|I\d|CIN|COUT)$/, '');
}

/** The last "Critical path report for clock" block of a nextpnr-ice40 log (post-route). */
export function parseNextpnrPath(log: string): NextpnrPath | undefined {
  const at = log.lastIndexOf('Critical path report for clock');
  if (at < 0) return undefined;
  const lines = log.slice(at).split('\n');
  const clock = /clock '([^']*)'/.exec(lines[0])?.[1] ?? '?';
  const nets: string[] = [];
  let cells = 0;
  let from: string | undefined;
  let to: string | undefined;
  let total = 0;
  let logicNs: number | undefined;
  let routingNs: number | undefined;
  for (const l of lines.slice(1)) {
    let m: RegExpExecArray | null;
    if ((m = /^Info:\s+([\d.]+)\s+([\d.]+)\s+Source\s+(\S+)/.exec(l))) {
      from ??= readable(m[3]);
      cells++;
      total = Number(m[2]);
    } else if ((m = /^Info:\s+([\d.]+)\s+([\d.]+)\s+Net\s+(\S+)/.exec(l))) {
      const nm = readable(m[3]);
      if (nets.at(-1) !== nm) nets.push(nm);
      total = Number(m[2]);
    } else if ((m = /^Info:\s+([\d.]+)\s+([\d.]+)\s+Setup\s+(\S+)/.exec(l))) {
      total = Number(m[2]);
      to = readable(m[3]);
    } else if ((m = /^Info:\s+Sink\s+(\S+)/.exec(l))) to = readable(m[1]);
    else if ((m = /^Info:\s*([\d.]+) ns logic, ([\d.]+) ns routing/.exec(l))) {
      logicNs = Number(m[1]);
      routingNs = Number(m[2]);
      break;
    } else if (/^Info: (Max frequency|Critical path report|Slack histogram)/.test(l)) break;
  }
  if (!from) return undefined;
  return { clock, totalNs: total, logicNs, routingNs, from, to: to ?? '?', cells, nets };
}
