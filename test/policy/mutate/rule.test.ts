import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Rule } from '../../../src/policy/model/types.js';
import { mutateRule } from '../../../src/policy/mutate/index.js';
import { EvalContext } from '../../../src/policy/vars/index.js';

const sources = { configMap: () => undefined, apiCall: () => undefined };
const pod = () => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'prod', labels: { app: 'web' } },
  spec: {
    containers: [
      { name: 'a', image: 'nginx:1.25' },
      { name: 'b', image: 'redis:7' },
    ],
  },
});
function run(
  mutate: Record<string, unknown>,
  extra: Partial<Rule> = {},
  resource: Record<string, unknown> = pod(),
  targets?: Record<string, unknown>[],
) {
  const ctx = new EvalContext({ request: { operation: 'CREATE', object: resource } });
  return mutateRule({ name: 'r', match: {}, mutate, ...extra } as Rule, {
    ctx,
    sources,
    resource,
    targetResources: targets,
  })!;
}

describe('mutateRule', () => {
  test('a patch with variables passes and reports the mutated resource as Kyverno does', () => {
    const [out] = run({
      patchStrategicMerge: { metadata: { labels: { owner: '{{ request.object.metadata.namespace }}' } } },
    });
    assert.equal(out!.status, 'pass');
    assert.equal(out!.message, 'mutated Pod/web in namespace prod');
    assert.equal((out!.patched.metadata as any).labels.owner, 'prod');
  });
  test('a patch that changes nothing is a skip', () => {
    const [out] = run({ patchStrategicMerge: { metadata: { labels: { app: 'web' } } } });
    assert.deepEqual([out!.status, out!.message], ['skip', 'no patches applied']);
  });
  test('a JSON patch on a missing path is an error naming the rule step and path, not a crash', () => {
    const [out] = run({ patchesJson6902: '- op: replace\n  path: /spec/hostPID\n  value: false' });
    assert.equal(out!.status, 'error');
    assert.match(
      out!.message,
      /failed to patch resource: replace operation does not apply: doc is missing path: \/spec\/hostPID/,
    );
  });
  test('preconditions not met skip the rule; an unresolvable variable is an error', () => {
    const skipped = run(
      { patchStrategicMerge: { metadata: { labels: { x: 'y' } } } },
      {
        preconditions: {
          all: [{ key: '{{ request.object.metadata.namespace }}', operator: 'Equals', value: 'dev' }],
        },
      },
    );
    assert.deepEqual([skipped[0]!.status, skipped[0]!.message], ['skip', 'preconditions not met']);
    const [bad] = run({ patchStrategicMerge: { metadata: { labels: { x: '{{ nope.missing }}' } } } });
    assert.equal(bad!.status, 'error');
    assert.match(bad!.message, /variable substitution failed/);
  });
  test('foreach with a JSON patch uses elementIndex and chains element patches', () => {
    const [out] = run({
      foreach: [
        {
          list: 'request.object.spec.containers',
          patchesJson6902:
            '- op: add\n  path: /spec/containers/{{elementIndex}}/imagePullPolicy\n  value: Always',
        },
      ],
    });
    assert.equal(out!.status, 'pass');
    assert.deepEqual(
      (out!.patched.spec as any).containers.map((c: any) => c.imagePullPolicy),
      ['Always', 'Always'],
    );
  });
  test('foreach Descending visits the last element first with its own index; preconditions filter elements', () => {
    const [out] = run({
      foreach: [
        {
          list: 'request.object.spec.containers',
          order: 'Descending',
          preconditions: { all: [{ key: '{{ element.name }}', operator: 'NotEquals', value: 'a' }] },
          patchesJson6902: '- op: remove\n  path: /spec/containers/{{elementIndex}}',
        },
      ],
    });
    assert.deepEqual((out!.patched.spec as any).containers, [{ name: 'a', image: 'nginx:1.25' }]);
  });
  test('nested foreach reaches element0 and element1', () => {
    const resource = pod();
    (resource.spec.containers[0] as any).env = [{ name: 'X', value: '1' }];
    const [out] = run(
      {
        foreach: [
          {
            list: 'request.object.spec.containers',
            foreach: [
              {
                list: 'element.env || `[]`',
                patchStrategicMerge: {
                  spec: {
                    containers: [
                      {
                        name: '{{ element0.name }}',
                        env: [{ name: '{{ element1.name }}', value: 'patched' }],
                      },
                    ],
                  },
                },
              },
            ],
          },
        ],
      },
      {},
      resource,
    );
    assert.deepEqual((out!.patched.spec as any).containers[0].env, [{ name: 'X', value: 'patched' }]);
  });
  test('targets mutate the selected existing resources, each with its own response', () => {
    const cm = (name: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: 'prod' },
      data: {},
    });
    const out = run(
      {
        targets: [
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            namespace: '{{ request.object.metadata.namespace }}',
            name: 'cfg-*',
          },
        ],
        patchStrategicMerge: {
          data: { trigger: '{{ request.object.metadata.name }}', target: '{{ target.metadata.name }}' },
        },
      },
      {},
      pod(),
      [cm('cfg-1'), cm('other'), cm('cfg-2')],
    );
    assert.equal(out.length, 2);
    assert.deepEqual(
      out.map((o) => (o.patched as any).data),
      [
        { trigger: 'web', target: 'cfg-1' },
        { trigger: 'web', target: 'cfg-2' },
      ],
    );
    assert.deepEqual(
      out.map((o) => (o.target!.metadata as any).name),
      ['cfg-1', 'cfg-2'],
    );
  });
});
