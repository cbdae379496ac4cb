// Parser for the text that Yosys 0.23 `stat` prints: per-module cell counts and the design hierarchy
// ("   Number of cells:   1000" followed by "     SB_LUT4     629" lines). Newer Yosys versions print
// a different layout; parseStat then finds no "Number of cells" line and throws rather than guessing.

export interface StatModule {
  name: string;
  cells: Record<string, number>;
  /** The "Number of cells" line (includes sub-module instances). */
  cellCount: number;
}

export interface StatText {
  modules: StatModule[];
  /** From the "design hierarchy" section: module → instance count (top = 1), when present. */
  hierarchy?: Record<string, number>;
  /** Cell counts of the "design hierarchy" section (whole design, instances expanded), when present. */
  hierarchyCells?: Record<string, number>;
}

export function parseStat(text: string): StatText {
  const out: StatText = { modules: [] };
  let cur: StatModule | undefined;
  let inHier = false;
  let inCells = false;
  let sawCells = false;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+$/, '');
    const hdr = /^=== (.+) ===$/.exec(line);
    if (hdr) {
      inCells = false;
      if (hdr[1] === 'design hierarchy') {
        inHier = true;
        cur = undefined;
        out.hierarchy = {};
        out.hierarchyCells = {};
      } else {
        inHier = false;
        cur = { name: hdr[1], cells: {}, cellCount: 0 };
        out.modules.push(cur);
      }
      continue;
    }
    if (line.trim() === '' || (!cur && !inHier)) continue;
    let m = /^\s+Number of (.+?):\s+(\d+)$/.exec(line);
    if (m) {
      inCells = m[1] === 'cells';
      if (inCells) {
        sawCells = true;
        if (cur) cur.cellCount = Number(m[2]);
      }
      continue;
    }
    m = /^\s+(\S+)\s+(\d+)$/.exec(line);
    if (!m) continue;
    const n = Number(m[2]);
    if (inCells) {
      const t = inHier ? out.hierarchyCells! : cur!.cells;
      t[m[1]] = (t[m[1]] ?? 0) + n;
    } else if (inHier) out.hierarchy![m[1]] = (out.hierarchy![m[1]] ?? 0) + n;
  }
  if ((out.modules.length || out.hierarchy) && !sawCells)
    throw new Error('unrecognised Yosys stat layout (no "Number of cells:" line); expected Yosys 0.23 text output');
  return out;
}
