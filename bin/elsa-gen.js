#!/usr/bin/env node
// Launcher. Runs the CLI compiled in dist/ when it is built (npm ci runs the build) and no source file is
// newer than its stamp, else the TypeScript sources through tsx's loader (about 1 s more start-up).
// The CLI runs in its own process group, so an interrupt reaches everything it started: simulators,
// Verilator's make and g++, Yosys, evaluation workers. SIGINT/SIGTERM/SIGHUP go to the whole group as
// SIGTERM (the CLI removes its temporary folders and exits 130); whatever still runs 700 ms later is
// killed. Exit code: the CLI's, or 130.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

function distFresh() {
  let built;
  try {
    built = statSync(join(root, 'dist', '.built')).mtimeMs;
  } catch {
    return false;
  }
  const newer = (dir) =>
    readdirSync(dir, { withFileTypes: true }).some((e) =>
      e.isDirectory()
        ? newer(join(dir, e.name))
        : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && statSync(join(dir, e.name)).mtimeMs > built,
    );
  return !newer(join(root, 'src')) && !newer(join(root, 'tb'));
}

const entry = distFresh()
  ? [join(root, 'dist', 'src', 'cli', 'main.js')]
  : [
      '--import',
      pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href,
      join(root, 'src', 'cli', 'main.ts'),
    ];
const child = spawn(process.execPath, [...entry, ...process.argv.slice(2)], {
  // the IPC channel tells the CLI when this launcher dies, even by SIGKILL (src/cli/main.ts)
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
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
    setTimeout(
      () => {
        killGroup('SIGKILL');
        process.exit(130);
      },
      code === 130 ? 0 : 200,
    );
    return;
  }
  killGroup('SIGKILL'); // nothing the CLI started may outlive it
  process.exit(code ?? (signal ? 128 + ({ SIGKILL: 9, SIGTERM: 15, SIGINT: 2 }[signal] ?? 1) : 1));
});
