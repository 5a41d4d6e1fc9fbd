import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Document } from '../../../src/core/document.js';
import { evaluateResources } from '../../../src/policy/engine/evaluate.js';
import { parsePolicy } from '../../../src/policy/parse.js';

const origin = { file: 'p.yaml', line: 1, column: 1, index: 0 };
const podMatch = { any: [{ resources: { kinds: ['Pod'] } }] };
function policy(name: string, rules: unknown[]) {
  return parsePolicy({
    content: { apiVersion: 'kyverno.io/v1', kind: 'ClusterPolicy', metadata: { name }, spec: { rules } },
    origin,
  });
}
const doc = (content: Record<string, unknown>): Document => ({
  id: 'd',
  origin: { file: 'r.yaml', line: 1, column: 1, index: 0 },
  format: 'kubernetes',
  content,
});
const pod = () =>
  doc({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default' },
    spec: { containers: [{ name: 'c', image: 'nginx:latest' }] },
  });

describe('mutate, generate and verifyImages in the engine', () => {
  test('a later mutate rule sees the earlier patch, and validation sees both', () => {
    const mutating = policy('defaults', [
      {
        name: 'team',
        match: podMatch,
        mutate: { patchStrategicMerge: { metadata: { labels: { team: 'platform' } } } },
      },
      {
        name: 'owner',
        match: podMatch,
        mutate: {
          patchesJson6902:
            '- op: add\n  path: /metadata/labels/owner\n  value: "{{ request.object.metadata.labels.team }}"',
        },
      },
    ]);
    const validating = policy('require-owner', [
      {
        name: 'owner',
        match: podMatch,
        validate: { pattern: { metadata: { labels: { owner: 'platform' } } } },
      },
    ]);
    const [r] = evaluateResources([validating, mutating], [pod()]).resources;
    assert.deepEqual((r!.patchedResource!.metadata as any).labels, { team: 'platform', owner: 'platform' });
    assert.deepEqual(
      r!.ruleResponses.map((x) => [x.policy, x.rule, x.status]),
      [
        ['defaults', 'team', 'pass'],
        ['defaults', 'owner', 'pass'],
        ['require-owner', 'owner', 'pass'],
      ],
    );
  });
  test('mutate rules for Pods are auto-generated for Deployments', () => {
    const p = policy('pull', [
      {
        name: 'always',
        match: podMatch,
        mutate: {
          patchStrategicMerge: {
            spec: { containers: [{ '(image)': '*:latest', imagePullPolicy: 'Always' }] },
          },
        },
      },
    ]);
    const deploy = doc({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'default' },
      spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:latest' }] } } },
    });
    const [r] = evaluateResources([p], [deploy]).resources;
    assert.equal(r!.ruleResponses[0]!.rule, 'autogen-always');
    assert.equal((r!.patchedResource!.spec as any).template.spec.containers[0].imagePullPolicy, 'Always');
  });
  test('a generate rule produces its object in the response; verifyImages skips offline', () => {
    const nsMatch = { any: [{ resources: { kinds: ['Namespace'] } }] };
    const gen = policy('netpol', [
      {
        name: 'deny',
        match: nsMatch,
        generate: {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          name: 'deny-all',
          namespace: '{{request.object.metadata.name}}',
          data: { spec: { podSelector: {} } },
        },
      },
    ]);
    const [r] = evaluateResources(
      [gen],
      [doc({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } })],
    ).resources;
    assert.equal(r!.ruleResponses[0]!.status, 'pass');
    assert.deepEqual((r!.generated[0]!.metadata as any).namespace, 'team-a');
    const verify = policy('signed', [
      {
        name: 'sig',
        match: podMatch,
        verifyImages: [
          { imageReferences: ['nginx*'], attestors: [{ entries: [{ keyless: { issuer: 'x' } }] }] },
        ],
      },
    ]);
    const [v] = evaluateResources([verify], [pod()]).resources;
    assert.deepEqual(
      [v!.ruleResponses[0]!.status, v!.ruleResponses[0]!.message],
      ['skip', 'image verification needs registry access'],
    );
  });
  test('a bad mutate body is rejected at load time naming the field', () => {
    assert.throws(
      () =>
        policy('bad', [
          {
            name: 'r',
            match: podMatch,
            mutate: { foreach: [{ list: 'x', order: 'Random', patchesJson6902: '[]' }] },
          },
        ]),
      /spec\.rules\[0\]\.mutate\.foreach\[0\]\.order: must be Ascending or Descending/,
    );
  });
});
