import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../core/errors.js';

/**
 * Checks, before any work, that an output file can be created where the user asked: its directory
 * must exist (a typo there is a usage error, exit 2, not an ENOENT from deep inside the command).
 */
export function checkOutputFile(file: string | undefined, flag: string, command: string): void {
  if (file === undefined || file === '-') return;
  const dir = dirname(resolve(file));
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new UserError(`${command}: ${flag} ${file}: directory ${dirname(file)} does not exist`);
  }
  if (!isDir) throw new UserError(`${command}: ${flag} ${file}: ${dirname(file)} is not a directory`);
}
