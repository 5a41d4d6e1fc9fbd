import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Runs every benchmark module (bench/<area>.ts exporting `bench()`), or those named on the command
 * line: `npm run bench -- policy scan`. Each prints its own figures.
 */
const AREAS = [
  'policy',
  'cel',
  'gatekeeper',
  'mutate',
  'scan',
  'apk',
  'rightsize',
  'iam',
  'terraform',
  'disk',
  'cp',
  'serve',
];

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const areas = wanted.length ? wanted : AREAS;
  for (const area of areas) {
    const file = fileURLToPath(new URL(`./${area}.js`, import.meta.url));
    if (!existsSync(file)) {
      console.log(`[${area}] no benchmark in this build`);
      continue;
    }
    const mod = (await import(`./${area}.js`)) as { bench?: () => Promise<void> };
    if (typeof mod.bench !== 'function') continue;
    console.log(`\n=== ${area} ===`);
    const started = performance.now();
    await mod.bench();
    console.log(`[${area}] done in ${((performance.now() - started) / 1000).toFixed(2)} s`);
  }
}

await main();
