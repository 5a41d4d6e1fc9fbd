import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { compile, type JSONValue, TreeInterpreter } from '@jmespath-community/jmespath';
import { jmespathSearch } from '../../../src/policy/vars/index.js';
import { closureOf } from '../../../src/policy/vars/jmespath-closures.js';
import { REPO_ROOT } from '../../helpers/index.js';

// Kyverno's functions are registered on the library's runtime by the engine's JMESPath module.
jmespathSearch('`1`', {});

const container = {
  name: 'app',
  image: 'nvcr.io/nvidia/cuda:12.2-base',
  env: [
    { name: 'NVIDIA_VISIBLE_DEVICES', value: 'all' },
    { name: 'EMPTY', value: '' },
  ],
  resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { 'nvidia.com/gpu': 1, memory: '64Mi' } },
  securityContext: { privileged: false, capabilities: { add: ['SYS_ADMIN'], drop: ['ALL'] } },
  volumeMounts: [{ name: 'dev', mountPath: '/dev' }],
};
const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'team-a', labels: { app: 'x' }, annotations: { owner: 'me' } },
  spec: {
    hostPID: true,
    containers: [container, { name: 'side', image: 'busybox' }],
    initContainers: [{ name: 'init', image: 'alpine:latest', resources: {} }],
    volumes: [
      { name: 'dev', hostPath: { path: '/dev' } },
      { name: 'cfg', configMap: { name: 'c' } },
    ],
  },
};
const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd', namespace: 'team-a' },
  spec: { template: { metadata: { labels: { app: 'd' } }, spec: pod.spec } },
};

/** Contexts as the engine builds them, and values at the edges of JMESPath's types. */
const DATA: unknown[] = [
  { request: { operation: 'CREATE', object: pod, oldObject: null }, element: container, elementIndex: 0 },
  { request: { operation: 'UPDATE', object: deployment, oldObject: deployment }, element: { name: 'x' } },
  { request: { object: {} }, element: null },
  { a: [1, [2, [3, 4]], null, 'x', { b: 1 }], b: { c: [] }, e: '', f: false, z: 0 },
  pod,
  [],
  [pod, [pod], null],
  null,
  'text',
  7,
];

/** Exercises every node type the closures build, and some they leave to the interpreter. */
const HANDWRITTEN = [
  'a',
  'a.b.c',
  'a[0]',
  'a[-1]',
  'a[]',
  'a[][]',
  'a[*].b',
  'b.*',
  'b.* | [0]',
  '*.c',
  'a[?b == `1`]',
  'a[?@ == `1`]',
  'a[?@ != `1`]',
  'a[?@ > `1`]',
  'a[?@ >= `1`] | length(@)',
  'a[?@ < `2`]',
  'a[?@ <= `"x"`]',
  '[a, b]',
  '{x: a, y: b.c}',
  'e || f || z',
  'a[?@]',
  "a[3] || 'none'",
  '!a[3]',
  "b.c || 'none'",
  "b || 'none'",
  '`{}` || `1`',
  'a[4] && `true`',
  'e && f',
  'z && a',
  '!e',
  '!z',
  '`[1, 2]` == `[1, 2]`',
  '`{"a": 1, "b": [2]}` == `{"b": [2], "a": 1}`',
  '`{"a": null}` == `{"b": null}`',
  '`{"a": 1}` != `{"a": 1, "b": 2}`',
  "'a' == 'a'",
  'missing == null',
  'e ? a : b',
  'f ? a : b',
  '@',
  '@.a[0]',
  'length(a)',
  'keys(b)',
  'map(&length(@), [`"ab"`, `"c"`])',
  'sort_by(a[?type(@) == `"number"`] | [].{v: @}, &v)',
  'max_by(`[{"n": 1}, {"n": 3}]`, &n).n',
  "join(',', ['a', 'b'])",
  "contains(a, 'x')",
  'to_string(a)',
  'not_null(missing, e, z)',
  // Left to the interpreter: let, variables, root, slices, arithmetic, unary, a bare &expression.
  'let $x = a in $x[0]',
  '$.a',
  'a[0:2]',
  'a[::-1]',
  "'abc'[1:]",
  'z + `1`',
  '-z',
  '&a',
  'map(&$.a, a)',
];

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.ya?ml$/.test(name)) out.push(path);
  }
  return out;
}

/** Every `{{ expression }}` of the packs and the test fixtures: the expressions policies are written with. */
function policyExpressions(): string[] {
  const found = new Set<string>();
  const files = [...walk(join(REPO_ROOT, 'src', 'packs'), []), ...walk(join(REPO_ROOT, 'test'), [])];
  for (const file of files) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\{\{-?\s*([^{}]+?)\s*-?\}\}/g)) {
      const expression = m[1]!.replaceAll("\\'", "'");
      if (!/time_now|random|time_since/.test(expression)) found.add(expression);
    }
  }
  return [...found];
}

type Outcome = { value: unknown } | { error: string };

function outcome(run: () => unknown): Outcome {
  try {
    return { value: run() ?? null };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe('JMESPath closures', () => {
  test('give what the library interpreter gives, value or error, for every expression and value', () => {
    const expressions = [...HANDWRITTEN, ...policyExpressions()];
    assert.ok(expressions.length > 100, `only ${expressions.length} expressions`);
    let closures = 0;
    for (const expression of expressions) {
      let node: ReturnType<typeof compile>;
      try {
        node = compile(expression, { enable_legacy_literals: true });
      } catch {
        continue;
      }
      const run = closureOf(node as never);
      if (!run) continue;
      closures++;
      for (const data of DATA) {
        const expected = outcome(() => TreeInterpreter.search(node, data as JSONValue));
        const actual = outcome(() => run(data));
        assert.deepEqual(actual, expected, `${expression} on ${JSON.stringify(data)?.slice(0, 80)}`);
      }
    }
    // Most expressions are built as closures (the point of having them).
    assert.ok(closures > expressions.length * 0.7, `${closures} of ${expressions.length} built`);
  });

  test('leave scope, root, slices and arithmetic to the interpreter', () => {
    for (const expression of ['let $x = a in $x', '$.a', 'a[0:2]', 'z + `1`', '-z', '&a', 'map(&$.a, a)']) {
      assert.equal(closureOf(compile(expression) as never), undefined, expression);
    }
    assert.equal(typeof closureOf(compile('a[?b == `1`].c | [0]') as never), 'function');
  });
});
