// Reading the elaborated design (Yosys `write_rtlil` after `hierarchy -top`): modules, their
// parameters, ports and sub-module instances. Parameterised modules (`$paramod$<sha1>\elsa_ram`) get
// readable, Verilog-safe names so every later script, log, report row and wrapper can name them.

export interface RtlilPort {
  name: string;
  dir: 'input' | 'output' | 'inout';
  width: number;
  index: number;
}

export interface RtlilModule {
  /** Name in the design (after renaming): a plain Verilog identifier. */
  name: string;
  /** Source module name (`elsa_ram` for every parameterisation of it). */
  base: string;
  /** Parameter values of a derived module, in declaration order (empty for non-parameterised ones). */
  params: Record<string, string>;
  ports: RtlilPort[];
  /** Sub-module instances: cell type (a module of the design) → count. */
  children: Record<string, number>;
  /** The module's RTLIL text (attributes + module … end), after renaming. */
  text: string;
}

export interface RtlilDesign {
  modules: RtlilModule[];
  text: string;
}

const unescape = (id: string): string => (id.startsWith('\\') ? id.slice(1) : id);

/** A parameter value as written by write_rtlil: decimal integer, sized binary constant, or string. */
function paramValue(raw: string): string {
  const s = raw.trim();
  const bin = /^(\d+)'([01xz]+)$/.exec(s);
  if (bin) return /^[01]+$/.test(bin[2]) && bin[2].length <= 52 ? String(parseInt(bin[2], 2)) : `${bin[1]}'b${bin[2]}`;
  if (s.startsWith('"')) return s.slice(1, -1);
  return s;
}

const safeIdent = (s: string): string => s.replace(/[^A-Za-z0-9_]/g, '_');

/** Readable name of a derived module: elsa_ram__WIDTH_144__DEPTH_12__AW_2. */
export function derivedName(base: string, params: Record<string, string>): string {
  return [safeIdent(base), ...Object.entries(params).map(([k, v]) => `${safeIdent(k)}_${safeIdent(v)}`)].join('__');
}

/** Display name for tables: elsa_ram(WIDTH=144,DEPTH=12,AW=2). */
export function displayName(m: Pick<RtlilModule, 'base' | 'params'>): string {
  const ps = Object.entries(m.params);
  return ps.length ? `${m.base}(${ps.map(([k, v]) => `${k}=${v}`).join(',')})` : m.base;
}

/** Parse an elaborated RTLIL design and rename its derived modules. */
export function parseRtlil(text: string): RtlilDesign {
  const lines = text.split('\n');
  interface Raw {
    id: string;
    start: number;
    end: number;
    hdlname?: string;
    params: Record<string, string>;
    ports: RtlilPort[];
    cells: string[];
  }
  const raws: Raw[] = [];
  let pendingAttr = -1; // first line of the attribute block before `module`
  let pendingHdl: string | undefined; // its \hdlname attribute (the source name of a derived module)
  let cur: Raw | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (!cur) {
      if (l.startsWith('attribute ')) {
        if (pendingAttr < 0) pendingAttr = i;
        const hn = /^attribute \\hdlname "(.*)"$/.exec(l);
        if (hn) pendingHdl = hn[1].replace(/\\\\/g, '\\');
      } else if (l.startsWith('module ')) {
        cur = {
          id: l.slice(7).trim(),
          start: pendingAttr >= 0 ? pendingAttr : i,
          end: -1,
          hdlname: pendingHdl,
          params: {},
          ports: [],
          cells: [],
        };
        pendingAttr = -1;
        pendingHdl = undefined;
      } else if (l.trim() !== '' && !l.startsWith('#') && !l.startsWith('autoidx')) {
        pendingAttr = -1;
        pendingHdl = undefined;
      }
      continue;
    }
    if (l === 'end') {
      cur.end = i;
      raws.push(cur);
      cur = undefined;
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^ {2}parameter (\S+) (.+)$/.exec(l))) cur.params[unescape(m[1])] = paramValue(m[2]);
    else if ((m = /^ {2}wire (.*)$/.exec(l))) {
      const toks = m[1].split(/\s+/);
      const name = toks[toks.length - 1];
      let width = 1,
        dir: RtlilPort['dir'] | undefined,
        index = 0;
      for (let t = 0; t < toks.length - 1; t++) {
        if (toks[t] === 'width') width = Number(toks[++t]);
        else if (toks[t] === 'offset') t++;
        else if (toks[t] === 'input' || toks[t] === 'output' || toks[t] === 'inout') {
          dir = toks[t] as RtlilPort['dir'];
          index = Number(toks[++t]);
        }
      }
      if (dir) cur.ports.push({ name: unescape(name), dir, width, index });
    } else if ((m = /^ {2}cell (\S+) (\S+)$/.exec(l))) cur.cells.push(m[1]);
  }

  // Rename derived modules.
  const rename = new Map<string, string>();
  const used = new Set(raws.filter((r) => !r.id.startsWith('$')).map((r) => unescape(r.id)));
  for (const r of raws) {
    if (!r.id.startsWith('$')) continue;
    const base = r.hdlname ? unescape(r.hdlname) : unescape(r.id.slice(r.id.lastIndexOf('\\')));
    let n = derivedName(base, r.params);
    for (let k = 2; used.has(n); k++) n = `${derivedName(base, r.params)}__${k}`;
    used.add(n);
    rename.set(r.id, n);
  }
  const newId = (id: string) => (rename.has(id) ? rename.get(id)! : unescape(id));
  const moduleIds = new Set(raws.map((r) => r.id));

  const outLines = lines.slice();
  for (const r of raws) {
    for (let i = r.start; i <= r.end; i++) {
      const l = outLines[i];
      if (l.startsWith('module ') && rename.has(r.id)) outLines[i] = `module \\${rename.get(r.id)}`;
      else if (l.startsWith('  cell ')) {
        const m = /^ {2}cell (\S+) (\S+)$/.exec(l);
        if (m && rename.has(m[1])) outLines[i] = `  cell \\${rename.get(m[1])} ${m[2]}`;
      }
    }
  }
  const modules: RtlilModule[] = raws.map((r) => {
    const children: Record<string, number> = {};
    for (const c of r.cells) if (moduleIds.has(c)) children[newId(c)] = (children[newId(c)] ?? 0) + 1;
    const isDerived = rename.has(r.id);
    return {
      name: newId(r.id),
      base: isDerived
        ? r.hdlname
          ? unescape(r.hdlname)
          : unescape(r.id.slice(r.id.lastIndexOf('\\')))
        : unescape(r.id),
      params: isDerived ? r.params : {},
      ports: r.ports.sort((a, b) => a.index - b.index),
      children,
      text: outLines.slice(r.start, r.end + 1).join('\n') + '\n',
    };
  });
  return { modules, text: outLines.join('\n') };
}

/** Instance count of every module under `top` (top = 1). */
export function instanceCounts(modules: RtlilModule[], top: string): Map<string, number> {
  const byName = new Map(modules.map((m) => [m.name, m]));
  const counts = new Map<string, number>();
  const visit = (name: string, mult: number) => {
    counts.set(name, (counts.get(name) ?? 0) + mult);
    const m = byName.get(name);
    if (!m) throw new Error(`module ${name} is instantiated but not in the design`);
    for (const [c, n] of Object.entries(m.children)) visit(c, mult * n);
  };
  visit(top, 1);
  return counts;
}

/** Modules under `top` in depth-first order (children alphabetically), each listed once with its depth. */
export function hierarchyOrder(modules: RtlilModule[], top: string): { name: string; depth: number }[] {
  const byName = new Map(modules.map((m) => [m.name, m]));
  const out: { name: string; depth: number }[] = [];
  const seen = new Set<string>();
  const visit = (name: string, depth: number) => {
    if (seen.has(name)) return;
    seen.add(name);
    out.push({ name, depth });
    for (const c of Object.keys(byName.get(name)!.children).sort()) visit(c, depth + 1);
  };
  visit(top, 0);
  return out;
}

/** All modules reachable from `top`, including itself. */
export function descendants(modules: RtlilModule[], top: string): Set<string> {
  return new Set(hierarchyOrder(modules, top).map((x) => x.name));
}
