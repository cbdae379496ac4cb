#!/usr/bin/env node
// Launcher: runs the TypeScript CLI (through tsx's loader, no build step) in its own process group, so
// that an interrupt reaches everything the CLI started: simulators, Verilator's make and g++, Yosys,
// evaluation workers. SIGINT/SIGTERM/SIGHUP are passed to the whole group as SIGTERM (the CLI removes its
// temporary folders and exits 130); whatever still runs 700 ms later is killed. Exit code: the CLI's, or 130.
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const loader = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const child = spawn(process.execPath, ['--import', loader, join(root, 'src', 'cli', 'main.ts'), ...process.argv.slice(2)], {
  stdio: ['ignore', 'inherit', 'inherit'],
  detached: true, // a new process group led by the CLI: one kill(-pid) reaches all its descendants
});

let interrupted = false;
const killGroup = (sig) => {
  try {
    process.kill(-child.pid, sig);
  } catch {
    /* the group is gone */
  }
};
const onSignal = () => {
  if (interrupted) return;
  interrupted = true;
  killGroup('SIGTERM');
  setTimeout(() => killGroup('SIGKILL'), 700).unref();
};
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, onSignal);

child.on('exit', (code, signal) => {
  if (interrupted) {
    // the CLI is gone; stop any straggler of its group before we report
    setTimeout(() => {
      killGroup('SIGKILL');
      process.exit(130);
    }, code === 130 ? 0 : 200);
    return;
  }
  killGroup('SIGKILL'); // nothing the CLI started may outlive it
  process.exit(code ?? (signal ? 128 + ({ SIGKILL: 9, SIGTERM: 15, SIGINT: 2 }[signal] ?? 1) : 1));
});
