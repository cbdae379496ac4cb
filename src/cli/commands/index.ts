// Commands beyond generate/validate/params are registered here (one file each).
import type { Command } from 'commander';

export async function loadOptionalCommands(_program: Command): Promise<void> {
  // filled in as commands are added
}
