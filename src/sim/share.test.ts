// The Verilator configuration that lets the banks share their code (src/sim/share.ts): exactly the bank
// inputs elsa_top connects differently per instance are public, read from the rendered top.
import { describe, expect, it } from 'vitest';
import { PRESETS, resolveConfig } from '../gen/config.ts';
import { renderRtl } from '../gen/generate.ts';
import { moduleFile } from '../gen/modules.ts';
import type { DesignSpec } from '../units/design.ts';
import { bankShareConfig, instanceConnections } from './share.ts';

const topOf = (D: DesignSpec) => renderRtl(D).find((f) => f.path === moduleFile(D, 'elsa_top'))!.content;
const publicVars = (vlt: string) =>
  [...vlt.matchAll(/^public_flat_rd -module "(\w+)" -var "(\w+)"$/gm)].map((m) => m[2]);

describe('bank code sharing (Verilator configuration)', () => {
  it('reads every connection of every instance, nested parentheses included', () => {
    const text = [
      '    sub u_a (',
      '        .clk(clk), .x((a & b) | f(c, d)),',
      '        .y(y[0])',
      '    );',
      '    other u_o (.clk(clk));',
      '    sub u_b (.clk(clk), .x(e), .y(y[1]));',
    ].join('\n');
    const conns = instanceConnections(text, 'sub');
    expect(conns.map((c) => Object.fromEntries(c))).toEqual([
      { clk: 'clk', x: '(a & b) | f(c, d)', y: 'y[0]' },
      { clk: 'clk', x: 'e', y: 'y[1]' },
    ]);
  });

  it('makes public the per-bank valid inputs of paper, and nothing shared by all banks', () => {
    const D = resolveConfig(PRESETS.paper);
    const vlt = bankShareConfig(D, topOf(D));
    expect(vlt.startsWith('`verilator_config\n')).toBe(true);
    expect(instanceConnections(topOf(D), 'elsa_bank')).toHaveLength(D.cfg.pA);
    expect(publicVars(vlt)).toEqual(['ld_valid', 'h_valid']);
  });

  it('follows the ports: a second key set adds its load strobe; one bank needs no rule', () => {
    const two = resolveConfig({ ...PRESETS.small, kvBuffers: 2 });
    expect(publicVars(bankShareConfig(two, topOf(two)))).toEqual(['ld_valid', 'h_valid', 'nv_valid']);
    const one = resolveConfig(PRESETS.ice40);
    expect(one.cfg.pA).toBe(1);
    expect(publicVars(bankShareConfig(one, topOf(one)))).toEqual([]);
  });

  it('names the bank of a prefixed config', () => {
    const D = resolveConfig({ ...PRESETS.small, prefix: 'a_' });
    expect(bankShareConfig(D, topOf(D))).toMatch(/^public_flat_rd -module "a_elsa_bank" -var "ld_valid"$/m);
  });
});
