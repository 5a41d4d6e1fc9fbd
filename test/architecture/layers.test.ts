import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';
import { REPO_ROOT } from '../helpers/index.js';

/**
 * Dependencies point down. Each top-level folder of src/ sits in one layer and may import only from
 * folders in lower layers (and from itself); no two files import each other, directly or round a loop.
 * A new top-level folder must be placed here before anything can import it.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['core'], // documents, results, rules, errors, units, Kubernetes basics
  ['load', 'net', 'report'], // reading inputs, serving, rendering results
  ['policy'], // the Kyverno-compatible engine
  ['iam', 'disk', 'apk', 'rightsize', 'aws'], // domain libraries
  ['packs', 'terraform'], // guardrail packs (over the engine), Terraform rules (over IAM)
  ['rules', 'inputs'], // the registry of every rule; readers that join several areas
  ['scan'], // `rampart scan`'s pipeline
  ['serve', 'kube'], // servers and cluster clients, outside the library
  ['gpu', 'podcp'], // node probes and live-cluster tools over the cluster client
  ['cli'], // commands
];

const SRC = join(REPO_ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Relative imports of every src/ file (static, re-exports, type-only and dynamic `import()`). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map((f) => f.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => resolve(dirname(file), name).replace(/\.js$/, '.ts'));
    graph.set(relative(SRC, file), [...new Set(targets.map((t) => relative(SRC, t)))]);
  }
  return graph;
}

const topFolder = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '.');

function layerOf(folder: string): number {
  return LAYERS.findIndex((layer) => layer.includes(folder));
}

/** Strongly connected components with more than one member, or a file importing itself (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)?.includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('architecture: src/ dependencies point down', () => {
  const graph = importGraph();

  test('the graph is read (a broken reader would pass every other check)', () => {
    assert.ok(graph.size > 100, `only ${graph.size} files found under src/`);
    assert.ok(graph.get('cli/main.ts')?.includes('core/errors.ts'));
  });

  test('every top-level folder of src/ has a layer', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    const unplaced = folders.filter((f) => layerOf(f) < 0);
    assert.deepEqual(unplaced, [], 'add new top-level folders to LAYERS in this test');
    assert.deepEqual(
      [...graph.keys()].filter((f) => topFolder(f) === '.'),
      [],
      'source files belong in a folder',
    );
  });

  test('no import goes up or sideways between top-level folders', () => {
    const violations: string[] = [];
    for (const [file, targets] of graph) {
      const from = topFolder(file);
      for (const target of targets) {
        const to = topFolder(target);
        if (to !== from && layerOf(to) >= layerOf(from)) violations.push(`${file} imports ${target}`);
      }
    }
    assert.deepEqual(violations, []);
  });

  test('no import cycles between files', () => {
    assert.deepEqual(cycles(graph), []);
  });

  test('no import cycles between top-level folders', () => {
    const folders = new Map<string, string[]>();
    for (const [file, targets] of graph) {
      const from = topFolder(file);
      const list = folders.get(from) ?? [];
      for (const t of targets)
        if (topFolder(t) !== from && !list.includes(topFolder(t))) list.push(topFolder(t));
      folders.set(from, list);
    }
    assert.deepEqual(cycles(folders), []);
  });

  test('the checks catch what they are for', () => {
    const cyclic = new Map([
      ['a/x.ts', ['b/y.ts']],
      ['b/y.ts', ['a/x.ts']],
      ['c/z.ts', []],
    ]);
    assert.deepEqual(cycles(cyclic), [['a/x.ts', 'b/y.ts']]);
    assert.ok(layerOf('cli') > layerOf('scan') && layerOf('scan') > layerOf('packs'));
    assert.ok(layerOf('terraform') > layerOf('iam') && layerOf('policy') > layerOf('core'));
  });
});
