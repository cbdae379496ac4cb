// One error type for every user-facing configuration problem: names the field, the rule and a fix.
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

/** Errors the CLI reports as one line with a nonzero exit (no stack trace). */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}
