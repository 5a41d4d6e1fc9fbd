// Bundles the CLI and its worker threads into dist/bundle/ (bin/rampart.js runs the bundle).
//
// Why: compiled to one ES module per source file, a scan imports ~210 modules, and Node 20's ESM loader
// spends ~0.3 s resolving, reading and linking them before any work starts. The bundle is a few dozen
// chunks. Commands stay lazily loaded (code splitting), so `rampart --version` does not load the
// engine. The worker entry points sit beside the chunks, where parallel.ts looks for them. dist/src
// (tsc) stays what the tests import.
//
// Packages stay external (loaded from node_modules as before), except the small pure-JavaScript ones
// every scan loads (INLINED): inlined, they cost no resolving and no file reads of their own (a
// one-file scan 0.48 -> 0.43 s). `yaml` stays external: load/yaml.ts requires it lazily, and one
// instance must serve both.
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

const INLINED = new Set([
  '@jmespath-community/jmespath',
  '@marcbachmann/cel-js',
  'fast-json-patch',
  'ignore',
  'js-yaml',
  'jsonc-parser',
  're2js',
  'semver',
]);

/** The package a bare import names (`@scope/name/sub` -> `@scope/name`), or undefined for a path. */
function packageOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      const name = packageOf(args.path);
      if (name === undefined || INLINED.has(name)) return undefined;
      // Imports inside an inlined package resolve as usual (its own files, its dependencies).
      return { path: args.path, external: true };
    });
  },
};

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
  // ES module builds where a package has one (jsonc-parser's main build is UMD, with dynamic requires).
  mainFields: ['module', 'main'],
  // Inlined CommonJS packages may require Node's built-in modules: ES module output needs a require.
  banner: { js: "import { createRequire as __rampartRequire } from 'node:module'; const require = __rampartRequire(import.meta.url);" },
  plugins: [externalPackages],
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  sourcemap: 'linked',
  logLevel: 'warning',
});
