import { readdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../core/errors.js';

export interface DiscoverOptions {
  /** File name test; default: YAML and JSON files. */
  accept?: (name: string) => boolean;
  /** Directory names never entered. */
  skipDirs?: readonly string[];
  /** Whether to enter hidden directories (names starting with "."), default true. */
  hidden?: boolean;
  /** Extra filter on relative paths (for .rampartignore). */
  ignore?: (relativePath: string, isDir: boolean) => boolean;
}

export const YAML_OR_JSON = (name: string) => /\.(ya?ml|json)$/i.test(name);
const DEFAULT_SKIP = ['node_modules', '.git'];

/** Expands files and directories (recursively, sorted for stable output) into file paths. `-` passes through. */
export async function discoverFiles(
  paths: readonly string[],
  options: DiscoverOptions = {},
): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    if (p === '-') {
      out.push(p);
      continue;
    }
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(p);
    } catch {
      throw new UserError(`no such file or directory: ${p}`);
    }
    if (info.isDirectory()) walk(p, '', options, out);
    else out.push(p);
  }
  return out;
}

/**
 * Synchronous on purpose: an awaited readdir per directory is a trip through the thread pool each,
 * and discovery of a 5,000-file repository took 80-150 ms that way against a few ms blocking.
 */
function walk(root: string, rel: string, options: DiscoverOptions, out: string[]): void {
  const accept = options.accept ?? YAML_OR_JSON;
  const skip = options.skipDirs ?? DEFAULT_SKIP;
  const dir = rel ? join(root, rel) : root;
  const entries = readdirSync(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const childRel = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (skip.includes(entry.name)) continue;
      if (options.hidden === false && entry.name.startsWith('.')) continue;
      if (options.ignore?.(childRel, true)) continue;
      walk(root, childRel, options, out);
    } else if (entry.isFile() && accept(entry.name)) {
      if (options.ignore?.(childRel, false)) continue;
      out.push(join(root, childRel));
    }
  }
}
