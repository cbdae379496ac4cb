// `validate` and `params`: check a config and describe every field.
import type { Command } from 'commander';
import { z } from 'zod';
import { loadConfig, PRESETS } from '../../gen/config.ts';
import { ElsaConfigSchema } from '../../spec/schema.ts';

export function registerConfigCommands(program: Command): void {
  program
    .command('validate')
    .description('validate a config (preset name or JSON file) and print its derived values')
    .argument('<config>', `preset (${Object.keys(PRESETS).join(', ')}) or path to a .json config`)
    .action((spec: string) => {
      const D = loadConfig(spec);
      console.log(`${D.cfg.name}: ok (hardware hash ${D.hwHash})`);
      console.log(
        `  n_max=${D.cfg.nMax} d=${D.cfg.d} k=${D.cfg.k} P_a=${D.cfg.pA} P_c=${D.cfg.pC} ` +
          `m_h=${D.cfg.mH} m_o=${D.cfg.mO} queueDepth=${D.cfg.queueDepth}`,
      );
      console.log(
        `  hash: factors [${D.hash.factors}] rows [${D.hash.rows}] × ${D.hash.blocks} block(s), ` +
          `${D.hash.multiplies} multiplies, ${D.hash.cycles} cycles/vector`,
      );
      console.log(`  θ_bias=${D.candSel.thetaBias} rad, bank size ${D.bank.keys}, ${D.bank.rows} selection rows/bank`);
      console.log(
        `  widths: qkv ${D.qkv.bits}, score ${D.attention.score.bits}, norm ${D.norm.norm.bits}, ` +
          `threshold ${D.candSel.thresholdProduct.bits}, Σe ${D.attention.sumE.bits}, ` +
          `Σe·v ${D.attention.sumEV.bits}, out ${D.out.bits}`,
      );
    });
  program
    .command('params')
    .description('list every config field with its description and default')
    .action(() => {
      const walk = (schema: z.ZodType, path: string) => {
        const s = unwrap(schema);
        if (s instanceof z.ZodObject && path !== 'formats.qkv' && path !== 'formats.out') {
          for (const [k, v] of Object.entries(s.shape)) walk(v as z.ZodType, path ? `${path}.${k}` : k);
          return;
        }
        const def = defaultOf(schema);
        const defText = def !== undefined ? `  [default ${JSON.stringify(def)}]` : '';
        console.log(`${path.padEnd(26)} ${schema.description ?? s.description ?? ''}${defText}`);
      };
      walk(ElsaConfigSchema, '');
    });
}

function unwrap(s: z.ZodType): z.ZodType {
  let cur: z.ZodType = s;
  for (;;) {
    const def = (cur as unknown as { def: { type: string; innerType?: z.ZodType } }).def;
    if (def.innerType && ['default', 'prefault', 'nullable', 'optional'].includes(def.type)) cur = def.innerType;
    else return cur;
  }
}
function defaultOf(s: z.ZodType): unknown {
  const def = (s as unknown as { def: { type: string; defaultValue?: unknown } }).def;
  return def.type === 'default' ? def.defaultValue : undefined;
}
