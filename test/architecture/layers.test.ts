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
  ['kube'], // the cluster client, outside the library
  ['serve', 'gpu', 'podcp'], // the admission server, node probes, live-cluster tools: over the cluster client
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

/** The graph between the groups `groupOf` puts files in (files it returns undefined for are left out). */
function folderGraph(
  files: Map<string, string[]>,
  groupOf: (file: string) => string | undefined,
): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const [file, targets] of files) {
    const from = groupOf(file);
    if (from === undefined) continue;
    const list = groups.get(from) ?? [];
    for (const target of targets) {
      const to = groupOf(target);
      if (to !== undefined && to !== from && !list.includes(to)) list.push(to);
    }
    groups.set(from, list);
  }
  return groups;
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
    assert.deepEqual(cycles(folderGraph(graph, topFolder)), []);
  });

  test('no import cycles between the sub-folders of any folder', () => {
    // policy/engine and policy/model may not import each other round a loop, at any depth.
    const found: string[][] = [];
    for (const parent of new Set([...graph.keys()].map(dirname))) {
      const inParent = new Map([...graph].filter(([file]) => file.startsWith(`${parent}/`)));
      const child = (file: string) => {
        const rest = file.slice(parent.length + 1);
        return rest.includes('/') ? `${parent}/${rest.slice(0, rest.indexOf('/'))}` : undefined;
      };
      found.push(...cycles(folderGraph(inParent, child)));
    }
    assert.deepEqual(found, []);
  });

  test('every relative import names a file under src/ (an unresolved one would hide an edge)', () => {
    const missing = [...graph].flatMap(([file, targets]) =>
      targets.filter((t) => !graph.has(t) && !t.endsWith('.json')).map((t) => `${file} imports ${t}`),
    );
    assert.deepEqual(missing, []);
  });

  test('the checks catch what they are for', () => {
    const cyclic = new Map([
      ['a/x.ts', ['b/y.ts']],
      ['b/y.ts', ['a/x.ts']],
      ['c/z.ts', []],
    ]);
    assert.deepEqual(cycles(cyclic), [['a/x.ts', 'b/y.ts']]);
    // Files of one folder round a loop of three are a cycle too.
    const inFolder = new Map([
      ['a/x.ts', ['a/y.ts']],
      ['a/y.ts', ['a/z.ts']],
      ['a/z.ts', ['a/x.ts']],
    ]);
    assert.deepEqual(cycles(inFolder), [['a/x.ts', 'a/y.ts', 'a/z.ts']]);
    const subFolders = folderGraph(
      new Map([
        ['p/e/x.ts', ['p/m/y.ts']],
        ['p/m/y.ts', ['p/m/z.ts']],
        ['p/m/z.ts', ['p/e/w.ts']],
        ['p/e/w.ts', []],
      ]),
      (file) => file.split('/').slice(0, 2).join('/'),
    );
    assert.deepEqual(cycles(subFolders), [['p/e', 'p/m']]);
    assert.ok(layerOf('cli') > layerOf('scan') && layerOf('scan') > layerOf('packs'));
    assert.ok(layerOf('terraform') > layerOf('iam') && layerOf('policy') > layerOf('core'));
  });
});
