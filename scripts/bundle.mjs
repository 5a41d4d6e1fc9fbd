// Bundles the CLI and its worker threads into dist/bundle/ (bin/rampart.js runs the bundle).
//
// Why: compiled to one ES module per source file, a scan imports ~210 modules, and Node 20's ESM loader
// spends ~0.3 s resolving, reading and linking them before any work starts. The bundle is a few dozen
// chunks. Packages stay external (they load as before); commands stay lazily loaded (code splitting),
// so `rampart --version` does not load the engine. The worker entry points sit beside the chunks,
// where parallel.ts looks for them. dist/src (tsc) stays what the tests import.
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

const outdir = 'dist/bundle';
await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: ['src/cli/main.ts', 'src/scan/share-worker.ts', 'src/scan/read-ahead-worker.ts'],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  sourcemap: 'linked',
  logLevel: 'warning',
});
