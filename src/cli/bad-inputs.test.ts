// Bad inputs, table-driven: each case runs the real command line in its own sandbox folder and must exit
// with the documented code, print exactly one line naming the field or path, print no stack trace,
// and leave every file in the sandbox as it was.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { REPO_ROOT } from '../gen/render.ts';
import { PRESETS, resolveConfig } from '../gen/config.ts';
import { buildStimulus, standardInvocations } from '../sim/stimulus.ts';

const BIN = join(REPO_ROOT, 'bin', 'elsa-gen.js');
const TMP = join(REPO_ROOT, 'build', 'bad-inputs');
const small = { name: 'c', nMax: 24, d: 16, k: 16, pA: 2, pC: 3, mH: 32, mO: 4 };
const json = (o: unknown) => JSON.stringify(o);

/** Fixture files every sandbox starts with (relative path -> content). */
function fixtures(): Record<string, string> {
  const S = resolveConfig(PRESETS.small),
    K = resolveConfig(PRESETS.kwt1);
  const s = buildStimulus(S, standardInvocations(S, 1)),
    k = buildStimulus(K, standardInvocations(K, 1).slice(3));
  const lines = s.hex.trim().split('\n');
  return {
    'plain.txt': 'a user file\n',
    'foreign/notes.md': 'mine\n',
    'repo/.git/HEAD': 'ref: refs/heads/main\n',
    'repo/src.v': 'module m; endmodule\n',
    'broken.json': '{ "name": "x", ',
    'dir.json/x': 'a folder named like a config\n',
    'vec/stim.hex': s.hex,
    'vec/stim.meta': s.meta,
    'cut/stim.hex': lines.slice(0, lines.length - 5).join('\n') + '\n',
    'cut/stim.meta': s.meta,
    'long/stim.hex': s.hex + '0\n',
    'long/stim.meta': s.meta,
    'empty/stim.hex': '',
    'empty/stim.meta': `${'0'.repeat(4)}${S.hwHash}\n${'0'.repeat(16)}\n${'0'.repeat(16)}\n`,
    'corrupt/stim.hex': s.hex,
    'corrupt/stim.meta': 'garbage\n',
    'kwt/stim.hex': k.hex,
    'kwt/stim.meta': k.meta,
    'noinv.json': json({ invocations: [] }),
    'shape.json': json({ invocations: [{ t: 0.5, K: [[1, 2, 3]], V: [[1, 2, 3]], Q: [[1, 2, 3]] }] }),
    'badt.json': json({ invocations: [{ t: 7, K: [[1]], V: [[1]], Q: [[1]] }] }),
    'notjson.json': 'invocations: none',
  };
}
const cfgFiles: Record<string, unknown> = {
  'pa.json': { ...small, pA: 5 },
  'field.json': { ...small, pX: 1 },
  'str.json': { ...small, d: '16' },
  'name.json': { ...small, name: 'My Accel' },
  'wide.json': { ...small, formats: { qkv: { int: 16, frac: 16 } } },
  'big.json': { ...small, nMax: 4096, d: 512, k: 512, pA: 4, mH: 512 },
  'frac.json': { ...small, nMax: 24.5 },
  'arr.json': [small],
  'thr.json': { ...small, thresholds: { l0: 5 } },
  'mo.json': { ...small, mO: 3 },
  'missing.json': { ...small, d: undefined },
  'nested.json': { ...small, formats: { accgard: 2 } },
  'k.json': { ...small, k: 24 },
  'score.json': { ...small, scoreScale: -1 },
};

interface Case {
  args: string[];
  code: number;
  msg: RegExp;
  env?: Record<string, string>;
}
const C = (args: string, code: number, msg: RegExp, env?: Record<string, string>): Case => ({
  args: args.split(' '),
  code,
  msg,
  env,
});
const CASES: Case[] = [
  // usage: commander errors and numeric options
  C('frob', 2, /unknown command 'frob'/),
  C('generate --bogus', 2, /unknown option '--bogus'/),
  C('generate small extra', 2, /too many arguments for 'generate'/),
  C('validate', 2, /missing required argument 'config'/),
  C('sim --stall abc', 2, /--stall <percent>.*'abc'.*integer from 0 to 95/),
  C('sim --stall 150', 2, /--stall.*'150'/),
  C('sim --stall -5', 2, /--stall.*'-5'/),
  C('sim --stall 2.5', 2, /--stall.*'2\.5'/),
  C('vectors --seed abc', 2, /--seed.*'abc'/),
  C('vectors --seed -1', 2, /--seed.*'-1'/),
  C('vectors --seed 1e10', 2, /--seed.*'1e10'/),
  C('sim --sim modelsim', 2, /--sim.*'modelsim'.*iverilog, verilator/),
  C('sim --idle x', 2, /--idle.*'x'/),
  C('synth --jobs 0', 2, /--jobs.*'0'/),
  C('synth --freq abc', 2, /--freq.*'abc'/),
  C('synth --module-timeout -3', 2, /--module-timeout.*'-3'/),
  C('evaluate --jobs 1.5', 2, /--jobs.*'1\.5'/),
  C('calibrate --p abc', 2, /--p.*'abc'/),
  C('calibrate', 2, /calibrate needs exactly one of --p <p> and --max-loss <points>/),
  C('evaluate --p 1,x', 2, /--p must be a number from 0 to 1000, not "x"/),
  // configs
  C('validate nope', 2, /unknown preset "nope"/),
  C('validate none.json', 2, /cannot read config file none\.json/),
  C('validate broken.json', 2, /config file broken\.json is not valid JSON/),
  C('validate dir.json', 2, /cannot read config file dir\.json/),
  C('generate pa.json', 2, /config error: pA must divide nMax = 24, not 5 \(fix: /),
  C('generate field.json', 2, /config error: pX is not a config field \(fix: did you mean pA\?\)/),
  C('generate str.json', 2, /config error: d must be a number, not "16" \(fix: /),
  C('generate name.json', 2, /config error: name must be lower_snake_case.*\(fix: use e\.g\. "my_accel"\)/),
  C('generate wide.json', 2, /config error: formats\.qkv = .* over the 52-bit limit.*\(fix: /),
  C('generate big.json', 2, /config error: d = 512 makes .*\(fix: /),
  C('generate frac.json', 2, /config error: nMax must be an integer, not 24\.5 \(fix: use 25\)/),
  C('generate arr.json', 2, /config error: \(root\) must be a JSON object/),
  C('generate thr.json', 2, /config error: thresholds\.l0 must be ≤ 2, not 5 \(fix: /),
  C('generate mo.json', 2, /config error: mO must divide d = 16, not 3 \(fix: /),
  C('generate missing.json', 2, /config error: d is required \(fix: add "d"/),
  C('generate nested.json', 2, /formats\.accgard is not a config field \(fix: did you mean formats\.accGuard\?\)/),
  C('generate k.json', 2, /config error: k must divide d or be a multiple of d.*\(fix: /),
  C('generate score.json', 2, /config error: scoreScale must be .*\(fix: /),
  // outputs that are not elsa-gen's
  C('generate -o plain.txt', 2, /refusing to replace plain\.txt: it is a file.*--force/),
  C('generate -o foreign', 2, /refusing to replace foreign: it is not empty and elsa-gen did not write it.*--force/),
  C('generate -o repo', 2, /refusing to replace repo: it holds a \.git folder.*--force does not apply/),
  C('generate -o repo --force', 2, /refusing to replace repo: it holds a \.git folder/),
  C('generate -o .', 2, /refusing to replace \.: it is the current folder or a parent of it.*--force/),
  C('generate -o .. --force', 2, /refusing to replace \.\.: it is the current folder or a parent/),
  C('generate -o plain.txt/sub', 2, /cannot write plain\.txt\/sub: a part of the path is a file/),
  C('generate -o /proc/elsa-gen-x', 2, /cannot write \/proc\/elsa-gen-x: /),
  C('vectors -o plain.txt', 2, /refusing to replace plain\.txt: it is a file.*--force/),
  C('vectors -o vec -i vec/x.json', 2, /refusing to replace vec: it holds this run's input vec\/x\.json/),
  C('generate -o vec', 2, /refusing to replace vec: it holds elsa-gen vectors output, not rtl.*--force/),
  C('report -o plain.txt', 2, /cannot write plain\.txt\/small\.html: plain\.txt is a file/),
  C('report small nope', 2, /unknown preset "nope"/),
  C('synth -o foreign', 2, /refusing to write into foreign: it holds notes\.md.*--force/),
  C('sim --vectors vec -o vec', 2, /refusing to replace vec: it holds this run's input vec/),
  C('sim --waves out.txt', 2, /--waves out\.txt must be a \.fst or \.vcd file/),
  // inputs
  C('vectors -i none.json', 2, /cannot read input vectors none\.json: no such file/),
  C('vectors -i notjson.json', 2, /input vectors notjson\.json are not valid JSON/),
  C('vectors -i noinv.json', 2, /noinv\.json: nothing to check: "invocations" is empty/),
  C('vectors -i shape.json', 2, /invocations\[0\]\.K\[0\] must have d = 16 numbers/),
  C('vectors -i badt.json', 2, /invocations\[0\]\.t must be a number in \[-2, 2\]/),
  C('sim --vectors nowhere', 2, /nowhere has no stim\.hex\/stim\.meta/),
  C('sim --vectors empty', 2, /empty: nothing to check/),
  C('sim --vectors corrupt', 2, /corrupt\/stim\.meta is corrupted/),
  C('sim --vectors kwt', 2, /vectors in kwt are for hardware hash [0-9a-f]{12}, config small has/),
  C('sim --vectors cut', 1, /cut\/stim\.hex holds \d+ words, its stim\.meta says \d+ \(the file is truncated/),
  C('sim --vectors long', 1, /long\/stim\.hex holds \d+ words, its stim\.meta says \d+ \(the file is too long/),
  C('calibrate --p 1', 2, /KWT-1 model not found at \/nonexistent\/kwt1\.tflite/, {
    KWT1_TFLITE: '/nonexistent/kwt1.tflite',
  }),
  C('calibrate --p 1 --clips nowhere', 2, /no clip manifest at .*nowhere\/manifest\.json/),
];

/** Every file below `dir` with its content hash, and every folder: the state a run must not change. */
function snapshot(dir: string, base = ''): string[] {
  return readdirSync(join(dir, base))
    .sort()
    .flatMap((n) => {
      const rel = base ? `${base}/${n}` : n;
      return statSync(join(dir, rel)).isDirectory()
        ? [`${rel}/`, ...snapshot(dir, rel)]
        : [
            `${rel} ${createHash('sha256')
              .update(readFileSync(join(dir, rel)))
              .digest('hex')}`,
          ];
    });
}

describe('bad inputs', () => {
  rmSync(TMP, { recursive: true, force: true });
  const files = { ...fixtures(), ...Object.fromEntries(Object.entries(cfgFiles).map(([k, v]) => [k, json(v)])) };
  it(`${CASES.length} cases are listed`, () => expect(CASES.length).toBeGreaterThanOrEqual(40));
  it.concurrent.each(CASES.map((c, i) => [i, c.args.join(' '), c] as const))('%i: elsa-gen %s', async (i, _a, c) => {
    const box = join(TMP, String(i));
    for (const [p, content] of Object.entries(files)) {
      mkdirSync(join(box, p, '..'), { recursive: true });
      writeFileSync(join(box, p), content);
    }
    const before = snapshot(box);
    const r = await execa(process.execPath, [BIN, ...c.args], { cwd: box, reject: false, env: c.env });
    expect(r.exitCode, r.stderr).toBe(c.code);
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines.length, r.stderr).toBe(1);
    expect(lines[0]).toMatch(/^elsa-gen: /);
    expect(lines[0]).toMatch(c.msg);
    expect(r.stderr).not.toMatch(/\n\s+at |Error:|node:internal/);
    expect(snapshot(box)).toEqual(before);
  });
});
