import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** Rampart's version from package.json (dist/src/core/ sits three levels below the package root). */
export function version(): string {
  if (cached === undefined) {
    const url = new URL('../../../package.json', import.meta.url);
    cached = (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  }
  return cached;
}
