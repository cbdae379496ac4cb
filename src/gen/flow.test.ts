// FPGA flow files of every generated config: the FuseSoC core file (CAPI=2) lists exactly the RTL of
// files.f, the generated README documents the hardware hash, the ports, the register map and the
// cycles, and the whole output folder is byte-identical across runs.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PRESETS, resolveConfig } from './config.ts';
import { MATRIX } from './matrix.ts';
import { generate, renderDesign } from './generate.ts';
import { MODULES, moduleByName } from './modules.ts';
import { REPO_ROOT } from './render.ts';
import { AXI_ADDR_W, AXIL, axiRegisters } from '../units/axi/spec.ts';
import { coreName, execFigures } from './flow.ts';
import { predictCycles, predictPre } from '../perf/cycles.ts';
import { buildStimulus, standardInvocations } from '../sim/stimulus.ts';
import { findOnPath } from '../sim/run.ts';

type Yaml = string | null | Yaml[] | { [k: string]: Yaml };

/** The YAML subset the core file uses: block mappings and sequences, plain and double-quoted scalars,
 *  `#` comment lines, anchors on mappings (`key: &a`) and merge keys (`<<: *a`). Throws on anything else. */
export function parseYamlSubset(text: string): Yaml {
  const lines = text
    .split('\n')
    .map((raw, no) => ({ no: no + 1, raw }))
    .filter((l) => l.raw.trim() !== '' && !/^\s*#/.test(l.raw));
  const anchors = new Map<string, Yaml>();
  let i = 0;
  const indentOf = (s: string) => s.length - s.trimStart().length;
  const scalar = (s: string, no: number): Yaml => {
    s = s.trim();
    if (s.startsWith('"')) {
      if (!/^"[^"\\]*"$/.test(s)) throw new Error(`line ${no}: bad quoted scalar ${s}`);
      return s.slice(1, -1);
    }
    if (/^[&*!|>[\]{}'"]/.test(s) || / #/.test(s) || /: /.test(s))
      throw new Error(`line ${no}: unsupported scalar ${s}`);
    return s;
  };
  const block = (indent: number): Yaml => {
    const first = lines[i];
    if (first.raw.trimStart().startsWith('- ')) {
      const seq: Yaml[] = [];
      while (i < lines.length && indentOf(lines[i].raw) === indent && lines[i].raw.trimStart().startsWith('- ')) {
        seq.push(scalar(lines[i].raw.trimStart().slice(2), lines[i].no));
        i++;
      }
      return seq;
    }
    const map: { [k: string]: Yaml } = {};
    const explicit = new Set<string>(); // keys written here win over merged ones, in any order
    while (i < lines.length && indentOf(lines[i].raw) === indent) {
      const { raw, no } = lines[i];
      const m = /^\s*([^\s:][^:]*?):(?:\s+(.*))?$/.exec(raw);
      if (!m) throw new Error(`line ${no}: expected "key: value": ${raw}`);
      const [key, rest = ''] = [m[1], m[2]?.trim()];
      if (explicit.has(key)) throw new Error(`line ${no}: duplicate key ${key}`);
      i++;
      if (key === '<<') {
        const a = /^\*(\S+)$/.exec(rest);
        if (!a || !anchors.has(a[1])) throw new Error(`line ${no}: bad merge ${rest}`);
        for (const [k, v] of Object.entries(anchors.get(a[1]) as object)) if (!explicit.has(k)) map[k] = v;
        continue;
      }
      explicit.add(key);
      const anchor = /^&(\S+)$/.exec(rest);
      if (rest === '' || anchor) {
        const child = i < lines.length && indentOf(lines[i].raw) > indent ? block(indentOf(lines[i].raw)) : null;
        if (anchor) anchors.set(anchor[1], child);
        map[key] = child;
      } else {
        map[key] = scalar(rest, no);
      }
    }
    return map;
  };
  const doc = block(0);
  if (i !== lines.length) throw new Error(`line ${lines[i].no}: unexpected indentation`);
  return doc;
}

const CONFIGS = [...MATRIX, PRESETS.paper].map((c) => resolveConfig(c));
const byPath = (files: { path: string; content: string }[]) =>
  Object.fromEntries(files.map((f) => [f.path, f.content]));

describe.each(CONFIGS.map((D) => [D.cfg.name, D] as const))('flow files, config %s', (_n, D) => {
  const files = byPath(renderDesign(D));
  const vfiles = Object.keys(files).filter((p) => p.endsWith('.v'));
  const core = files[`${D.cfg.name}.core`];
  const readme = files['README.md'];

  it('the FuseSoC core file is CAPI=2 with every .v in files.f order, and default/lint/synth targets', () => {
    expect(core.split('\n')[0]).toBe('CAPI=2:');
    const y = parseYamlSubset(core) as Record<string, any>;
    expect(y.name).toBe(coreName(D));
    expect(y.name).toMatch(/^[\w-]+:[\w-]+:[\w-]+:\d+\.\d+\.\d+$/);
    const listed = files['files.f'].trim().split('\n');
    expect(listed.at(-1)).toBe('elsa_axi.v');
    expect(listed).toEqual(MODULES.map((m) => `${m.name}.v`));
    expect(y.filesets.rtl.files).toEqual(listed);
    expect([...listed].sort()).toEqual([...vfiles].sort());
    expect(y.filesets.rtl.file_type).toBe('verilogSource');
    expect(Object.keys(y.targets)).toEqual(['default', 'lint', 'synth']);
    expect(y.targets.default).toMatchObject({ filesets: ['rtl'], toplevel: 'elsa_axi' });
    // lint and synth inherit the default target through the YAML merge key
    expect(y.targets.lint).toMatchObject({
      filesets: ['rtl'],
      toplevel: 'elsa_axi',
      default_tool: 'verilator',
      tools: { verilator: { mode: 'lint-only', verilator_options: ['-Wall'] } },
    });
    expect(y.targets.synth).toMatchObject({
      filesets: ['rtl'],
      toplevel: 'elsa_axi',
      default_tool: 'yosys',
      tools: { yosys: { arch: 'xilinx' } },
    });
  });

  it('the README documents the hardware hash, parameters, ports, register map, cycles and simulation', () => {
    expect(readme).toContain(`Hardware hash \`${D.hwHash}\``);
    expect(readme).toContain(`HW_HASH_HI:HW_HASH_LO = \`0x${D.hwHash.slice(0, 4)}\`:\`0x${D.hwHash.slice(4)}\``);
    expect(readme).toContain(`| n_max (entities per invocation) | ${D.cfg.nMax} |`);
    expect(readme).toContain(`| hash: Kronecker factors (columns) | ${D.hash.factors.join(' ⊗ ')} |`);
    for (const m of ['elsa_top', 'elsa_axi']) {
      // every port, in header order, with its width, signedness and meaning
      const ports = moduleByName(m).ports!(D);
      expect(ports.length).toBeGreaterThanOrEqual(m === 'elsa_top' ? 20 : 33);
      const rows = ports.map((p) => `| \`${p.name}\` | ${p.dir} | ${p.bits}${p.signed ? ' signed' : ''} | ${p.doc} |`);
      const at = rows.map((r) => readme.indexOf(r));
      expect(
        at.every((i) => i >= 0),
        rows.filter((_, i) => at[i] < 0).join('\n'),
      ).toBe(true);
      expect(at).toEqual([...at].sort((a, b) => a - b));
      for (const p of ports) if (p.group) expect(readme).toContain(`| *${p.group}* | | | |\n${rows[ports.indexOf(p)]}`);
    }
    for (const r of axiRegisters(D))
      expect(readme).toContain(`| 0x${r.offset.toString(16).padStart(2, '0')} | ${r.name} | ${r.access} |`);
    expect(readme).toContain(`\`cycles_pre = (n−1)·P + max(2, P + H, normW+4) + 2\` with P = ${D.hash.period}`);
    expect(readme).toContain(`| ${D.cfg.nMax} | ${predictPre(D, D.cfg.nMax)} |`);
    expect(readme).toMatch(/elsa-gen\.js sim \S+ --sim iverilog/);
    for (const m of MODULES) expect(readme).toContain(`| \`${m.name}.v\` |`);
  });

  it('the register map is word-aligned, unique, inside the page, and matches the RTL', () => {
    const regs = axiRegisters(D);
    const offs = regs.map((r) => r.offset);
    expect(new Set(offs).size).toBe(offs.length);
    for (const o of offs) expect(o % 4 === 0 && o < 2 ** AXI_ADDR_W).toBe(true);
    const rtl = files['elsa_axi.v'];
    for (const r of regs) {
      expect(rtl).toMatch(
        new RegExp(`localparam \\[${AXIL.word.name}-1:0\\] A_${r.name}\\s+= ${AXIL.word.bits}'d${r.offset / 4};`),
      );
      expect(rtl).toMatch(
        new RegExp(
          `//   0x${r.offset.toString(16).padStart(2, '0')}\\s+${r.name}\\s+${r.access.replace('/', '\\/')}\\s`,
        ),
      );
    }
  });
});

describe('flow files', () => {
  const D = resolveConfig(PRESETS.small);

  it('generation is byte-identical twice, with no absolute paths or dates', () => {
    const tmp = join(REPO_ROOT, 'build', 'flow-test');
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const [a, b] = [join(tmp, 'a'), join(tmp, 'b')];
    generate(resolveConfig(PRESETS.small), a);
    generate(resolveConfig(PRESETS.small), b);
    const read = (d: string) =>
      Object.fromEntries(
        readdirSync(d)
          .sort()
          .map((f) => [f, readFileSync(join(d, f), 'utf8')]),
      );
    const fa = read(a);
    expect(fa).toEqual(read(b));
    expect(Object.keys(fa)).toEqual(
      expect.arrayContaining(['README.md', 'small.core', 'files.f', 'manifest.json', 'elsa_axi.v']),
    );
    for (const text of Object.values(fa)) {
      expect(text).not.toContain(REPO_ROOT);
      expect(text).not.toMatch(/20\d\d-\d\d-\d\d/);
    }
    expect(byPath(renderDesign(D))).toEqual(byPath(renderDesign(resolveConfig(PRESETS.small))));
  });

  it('the README cycle figures match the cycle model on real traces', () => {
    // exact attention (every key selected) depends on n alone: the first standard invocation has n = nMax, t = -2
    for (const c of [PRESETS.small, MATRIX[1], MATRIX[4]]) {
      const E = resolveConfig(c);
      const inv = standardInvocations(E, 7)[0];
      const tr = buildStimulus(E, [inv]).traces[0]!;
      expect(tr.queries.every((q) => q.candidates.every(Boolean))).toBe(true);
      const p = predictCycles(E, tr);
      const fig = execFigures(E, E.cfg.nMax, true);
      expect(fig.exec).toBe(p.exec);
      expect(byPath(renderDesign(E))['README.md']).toContain(
        `| every key selected (t = −2) | ${p.exec} | ${fig.steady} |`,
      );
    }
  });

  it('the YAML subset parser rejects what it does not understand', () => {
    expect(() => parseYamlSubset('a: [1, 2]')).toThrow(/unsupported/);
    expect(() => parseYamlSubset('a: 1\na: 2')).toThrow(/duplicate/);
    expect(() => parseYamlSubset('a:\n  - x\n - y')).toThrow();
  });

  it.skipIf(!findOnPath('python3'))(
    'a real YAML parser (PyYAML, when installed) reads the core file the same way',
    async () => {
      const core = byPath(renderDesign(D))['small.core'];
      const py = 'import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))';
      const r = await execa('python3', ['-c', py], { input: core, reject: false });
      // no PyYAML: the subset parser above is the check
      if (r.exitCode !== 0 && /No module named/.test(r.stderr)) return;
      expect(r.exitCode, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(parseYamlSubset(core));
    },
  );
});
