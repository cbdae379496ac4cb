// The RTL folder of a second `sim` run is read back only when it holds exactly what the design renders to.
import { describe, expect, it } from 'vitest';
import { appendFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRESETS, resolveConfig } from '../gen/config.ts';
import { renderDesign } from '../gen/generate.ts';
import { MARKER } from '../gen/outdir.ts';
import { REPO_ROOT } from '../gen/render.ts';
import { generateStamped, reusableRtl } from './rtl_reuse.ts';

const D = resolveConfig(PRESETS.small);
const dir = join(REPO_ROOT, 'build', 'rtl-reuse-test', 'small');

describe('RTL folder reuse', () => {
  it('reads back exactly the rendered files, in their order, and nothing else', () => {
    rmSync(dir, { recursive: true, force: true });
    expect(reusableRtl(D, dir)).toBeNull();
    const written = generateStamped(D, dir);
    expect(written).toEqual(renderDesign(D));
    expect(reusableRtl(D, dir)).toEqual(written);
    // an edited file, an extra file, a missing file or marker: rendered again
    appendFileSync(join(dir, 'elsa_exp.v'), '// edited\n');
    expect(reusableRtl(D, dir)).toBeNull();
    generateStamped(D, dir);
    writeFileSync(join(dir, 'extra.v'), 'module extra; endmodule\n');
    expect(reusableRtl(D, dir)).toBeNull();
    unlinkSync(join(dir, 'extra.v'));
    expect(reusableRtl(D, dir)).toEqual(written);
    unlinkSync(join(dir, 'files.f'));
    expect(reusableRtl(D, dir)).toBeNull();
    generateStamped(D, dir);
    unlinkSync(join(dir, MARKER));
    expect(reusableRtl(D, dir)).toBeNull();
    generateStamped(D, dir, { force: true });
    expect(reusableRtl(D, dir)).toEqual(written);
  });

  it('another design for the same folder renders (the key holds the whole DesignSpec)', () => {
    generateStamped(D, dir);
    const other = resolveConfig({ ...PRESETS.small, nMax: 20 });
    expect(other.cfg.name).toBe(D.cfg.name);
    expect(reusableRtl(other, dir)).toBeNull();
    const files = generateStamped(other, dir);
    expect(reusableRtl(other, dir)).toEqual(files);
    expect(reusableRtl(D, dir)).toBeNull();
  });
});
