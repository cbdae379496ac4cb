// elsa-gen command line: one subcommand per file in ./commands, commander for parsing and help.
import { Command, CommanderError } from 'commander';
import { ConfigError, UserError } from '../spec/errors.ts';
import { registerGenerate } from './commands/generate.ts';
import { registerConfigCommands } from './commands/config.ts';
import { loadOptionalCommands } from './commands/index.ts';
import { registerSimCommands } from './commands/sim.ts';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('elsa-gen')
    .description('Hardware generator for ELSA approximate self-attention: config → Verilog-2005, bit-exact TS model, simulation, synthesis')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  registerGenerate(program);
  registerConfigCommands(program);
  registerSimCommands(program);
  await loadOptionalCommands(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof ConfigError || e instanceof UserError) {
      console.error(`elsa-gen: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

const code = await main(process.argv.slice(2));
process.exit(code);
