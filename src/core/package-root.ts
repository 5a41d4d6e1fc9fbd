import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The package's root folder (the one holding package.json). Found by walking up from this module,
 * because the module runs from several depths: src/core/ (tsx), dist/src/core/ (compiled) and
 * dist/bundle/ (the bundled CLI, see scripts/bundle.mjs).
 */
export function packageRoot(): string {
  if (cached !== undefined) return cached;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return (cached = dir);
    if (dirname(dir) === dir) throw new Error(`rampart: no package.json above ${start}`);
  }
}
