// The error types the command line turns into one line and an exit code (README "Exit codes"):
// ConfigError and UserError exit 2 (usage, config or input), CheckError exits 1 (a check failed).

/** A configuration problem: the field the user wrote, the rule it breaks and a fix. */
export class ConfigError extends Error {
  constructor(
    readonly field: string,
    readonly rule: string,
    readonly fix?: string,
  ) {
    super(`config error: ${field} ${rule}${fix ? ` (fix: ${fix})` : ''}`);
    this.name = 'ConfigError';
  }
}

/** Usage, input or file-system errors: reported as one line, exit 2, no stack trace. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** A check that ran and failed (mismatch, incomplete run): one line, exit 1. */
export class CheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckError';
  }
}

const FS_HINT: Record<string, string> = {
  ENOENT: 'it does not exist: check the path',
  EACCES: 'permission denied: choose a folder you can write, or fix its permissions',
  EPERM: 'operation not permitted: choose a folder you can write, or fix its permissions',
  ENOTDIR: 'a part of the path is a file, not a folder: choose another path',
  EISDIR: 'it is a folder, not a file: choose a file path',
  EEXIST: 'it already exists: choose another path',
  ENOTEMPTY: 'the folder is not empty: choose another path',
  EROFS: 'the file system is read-only: choose another folder',
  ENOSPC: 'the disk is full: free some space and run again',
  EMFILE: 'too many open files: close some programs and run again',
};

/** What to do about a Node file-system error code, or null when it is not one. */
export function fsHint(e: unknown): string | null {
  const code = (e as NodeJS.ErrnoException)?.code;
  return typeof code === 'string' && code in FS_HINT ? FS_HINT[code] : null;
}

/** A Node file-system error as one line naming the path and what to do, or null for other errors. */
export function fsErrorLine(e: unknown): string | null {
  const err = e as NodeJS.ErrnoException;
  if (!err || typeof err !== 'object' || typeof err.code !== 'string' || !(err.code in FS_HINT)) return null;
  const path = err.path ?? (err as { dest?: string }).dest;
  if (!path) return null;
  return `cannot ${err.syscall ?? 'access'} ${path}: ${FS_HINT[err.code]}`;
}
