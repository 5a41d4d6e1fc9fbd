import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './package-root.js';

let cached: string | undefined;

/** Rampart's version from package.json. */
export function version(): string {
  if (cached === undefined) {
    cached = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string })
      .version;
  }
  return cached;
}
