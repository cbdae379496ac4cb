// elsa-gen command line: one subcommand per file in ./commands, commander for parsing and help.
// Exit codes (README "Exit codes"): 0 ok, 1 a check failed, 2 usage/config/input error, 130 interrupted.
// Every error is one line on stderr; --debug (or ELSA_GEN_DEBUG=1) adds the stack trace.
import { Command, CommanderError } from 'commander';
import { CheckError, ConfigError, UserError, fsErrorLine } from '../spec/errors.ts';
import { abortAllOutputs } from '../gen/outdir.ts';
import { registerGenerate } from './commands/generate.ts';
import { registerConfigCommands } from './commands/config.ts';
import { registerSimCommands } from './commands/sim.ts';

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** Map any error to its exit code and one line (plus the stack with --debug). */
export function reportError(e: unknown, debug: boolean): number {
  const line = (msg: string, code: number) => {
    process.stderr.write(`elsa-gen: ${msg.split('\n')[0]}\n`);
    if (debug && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    return code;
  };
  if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT.usage;
  if (e instanceof ConfigError || e instanceof UserError) return line(e.message, EXIT.usage);
  if (e instanceof CheckError) return line(e.message, EXIT.failed);
  const fs = fsErrorLine(e);
  if (fs) return line(fs, EXIT.usage);
  const ex = e as { shortMessage?: string; stderr?: string; command?: string };
  if (ex && typeof ex.shortMessage === 'string') {
    // a tool (simulator, compiler, Yosys) failed: its last error line says why
    const why = (ex.stderr ?? '')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .find((l) => /error/i.test(l));
    return line(
      `${ex.shortMessage.split('\n')[0]}${why ? `: ${why}` : ''}${debug ? '' : ' (rerun with --debug for details)'}`,
      EXIT.failed,
    );
  }
  const msg = e instanceof Error ? e.message : String(e);
  return line(`internal error: ${msg}${debug ? '' : ' (rerun with --debug for the stack trace)'}`, EXIT.failed);
}

/** Commands that need none of ./commands/index.ts: a run of one of them does not load the others (synthesis,
 *  evaluation, report and sweep code; `sim` is asked to start fast). */
const CORE_COMMANDS = new Set(['sim', 'vectors', 'generate', 'validate', 'params']);

/** The command line's subcommand: its first argument that is not an option (the global --debug takes none). */
const subcommand = (argv: string[]) => argv.find((a) => !a.startsWith('-'));

async function buildProgram(argv: string[]): Promise<Command> {
  const program = new Command('elsa-gen')
    .description(
      'Hardware generator for ELSA approximate self-attention: ' +
        'config → Verilog-2005, bit-exact TS model, simulation, synthesis',
    )
    .option('--debug', 'print stack traces with errors')
    .exitOverride()
    .configureOutput({
      // commander's own usage errors: one line, exit 2 (see reportError)
      outputError: (str, write) =>
        write(
          `elsa-gen: ${
            str
              .replace(/^error: /, '')
              .trim()
              .split('\n')[0]
          } (see --help)\n`,
        ),
    });
  registerGenerate(program);
  registerConfigCommands(program);
  registerSimCommands(program);
  const cmd = subcommand(argv);
  if (!cmd || !CORE_COMMANDS.has(cmd)) (await import('./commands/index.ts')).loadOptionalCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug') || process.env.ELSA_GEN_DEBUG === '1';
  try {
    await (await buildProgram(argv)).parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (e) {
    return reportError(e, debug);
  }
}

/** SIGINT/SIGTERM: remove this run's temporary folders and exit 130. Child processes share our process
 *  group, which bin/elsa-gen.js signals as a whole, so simulators and compilers stop with us. */
let stopping = false;
function onSignal(sig: NodeJS.Signals) {
  if (stopping) return;
  stopping = true;
  // the children got the signal with us: give them 200 ms to stop writing before the clean-up
  setTimeout(() => {
    abortAllOutputs();
    process.stderr.write(`elsa-gen: interrupted (${sig})\n`);
    process.exit(EXIT.interrupted);
  }, 200);
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('SIGHUP', onSignal);

// bin/elsa-gen.js keeps an IPC channel open to us. When it dies without passing a signal on (SIGKILL), the
// channel closes: take the whole process group down, so no simulator, compiler or sweep job outlives the
// command (a killed sweep worker must lose its jobs' locks, not keep running them).
if (process.channel) {
  process.channel.unref();
  process.on('disconnect', () => {
    abortAllOutputs();
    try {
      process.kill(-process.pid, 'SIGKILL');
    } catch {
      process.exit(EXIT.interrupted);
    }
  });
}

const code = await main(process.argv.slice(2));
process.exit(code);
