import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Document } from '../../src/core/document.js';
import { podSpecQosClass as qosClass } from '../../src/core/k8s/qos.js';
import { rules as governanceRules } from '../../src/packs/governance/rules.js';
import { rules as resourceRules } from '../../src/packs/resources/rules.js';
import { DEFAULT_PARAMETERS } from '../../src/scan/config.js';

let n = 0;
function doc(content: Record<string, unknown>): Document {
  n++;
  return {
    id: `d${n}`,
    origin: { file: 'f.yaml', line: n, column: 1, index: n },
    format: 'kubernetes',
    content,
  };
}
const ctx = { parameters: { ...DEFAULT_PARAMETERS } };
const container = (resources?: Record<string, unknown>, name = 'c') => ({
  name,
  image: 'r/a:1',
  ...(resources ? { resources } : {}),
});
const pod = (name: string, ns: string, containers: unknown[], labels: Record<string, string> = {}) =>
  doc({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels }, spec: { containers } });
const byId = (list: typeof resourceRules, id: string) => list.find((r) => r.meta.id === id)!;

describe('qosClass', () => {
  test('follows the Kubernetes QoS rules', () => {
    assert.equal(qosClass({ containers: [container()] }), 'BestEffort');
    assert.equal(
      qosClass({ containers: [container({ limits: { cpu: '1', memory: '1Gi' } })] }),
      'Guaranteed',
    );
    assert.equal(
      qosClass({
        containers: [
          container({ requests: { cpu: '1000m', memory: '1Gi' }, limits: { cpu: '1', memory: '1024Mi' } }),
        ],
      }),
      'Guaranteed',
    );
    assert.equal(
      qosClass({
        containers: [
          container({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }),
        ],
      }),
      'Burstable',
    );
    assert.equal(
      qosClass({ containers: [container({ limits: { cpu: '1', memory: '1Gi' } }), container()] }),
      'Burstable',
    );
    assert.equal(
      qosClass({
        containers: [container({ limits: { cpu: '1', memory: '1Gi' } })],
        initContainers: [container({ requests: { cpu: '1' } })],
      }),
      'Burstable',
    );
  });
});

describe('resources pack TS rules', () => {
  test('qos-class reports every workload with its class', () => {
    const r = byId(resourceRules, 'qos-class').check(
      [pod('a', 'x', [container()]), pod('b', 'x', [container({ limits: { cpu: '1', memory: '1Gi' } })])],
      ctx,
    );
    assert.deepEqual(
      r.map((x) => [x.resource.name, x.properties?.qos, x.status]),
      [
        ['a', 'BestEffort', 'pass'],
        ['b', 'Guaranteed', 'pass'],
      ],
    );
  });

  test('besteffort-in-production fails only BestEffort workloads in production namespaces', () => {
    const docs = [
      doc({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'shop', labels: { environment: 'production' } },
      }),
      pod('be-prod', 'prod', [container()]),
      pod('be-shop', 'shop', [container()]),
      pod('be-dev', 'dev', [container()]),
      pod('sized-prod', 'prod', [container({ requests: { cpu: '1', memory: '1Gi' } })]),
    ];
    const r = byId(resourceRules, 'besteffort-in-production').check(docs, ctx);
    assert.deepEqual(
      r.map((x) => [x.resource.name, x.status]),
      [
        ['be-prod', 'fail'],
        ['be-shop', 'fail'],
        ['sized-prod', 'pass'],
      ],
    );
  });

  test('critical-not-guaranteed checks workloads labelled critical', () => {
    const docs = [
      pod('crit-burst', 'x', [container({ requests: { cpu: '1' } })], { tier: 'critical' }),
      pod('crit-label', 'x', [container()], { critical: 'true' }),
      pod('crit-ok', 'x', [container({ limits: { cpu: '1', memory: '1Gi' } })], { tier: 'critical' }),
      pod('normal', 'x', [container()]),
    ];
    const r = byId(resourceRules, 'critical-not-guaranteed').check(docs, ctx);
    assert.deepEqual(
      r.map((x) => [x.resource.name, x.status]),
      [
        ['crit-burst', 'fail'],
        ['crit-label', 'fail'],
        ['crit-ok', 'pass'],
      ],
    );
  });
});

describe('governance pack TS rules', () => {
  const np = (ns: string, spec: Record<string, unknown>) =>
    doc({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'np', namespace: ns },
      spec,
    });
  const docs = [
    doc({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'guarded' } }),
    np('guarded', { podSelector: {}, policyTypes: ['Ingress'] }),
    doc({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'guarded' }, spec: {} }),
    doc({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'l', namespace: 'guarded' }, spec: {} }),
    pod('p', 'open', [container()]),
    np('open', { podSelector: { matchLabels: { app: 'x' } }, policyTypes: ['Ingress'] }),
    pod('q', 'allows-all', [container()]),
    np('allows-all', { podSelector: {}, ingress: [{}] }),
    pod('sys', 'kube-system', [container()]),
  ];
  for (const [id, guardedOk] of [
    ['namespace-default-deny', true],
    ['namespace-resourcequota', true],
    ['namespace-limitrange', true],
  ] as const) {
    test(`${id}: pass where present, fail where missing, system namespaces ignored`, () => {
      const r = governanceRules.find((x) => x.meta.id === id)!.check(docs, ctx);
      const status = Object.fromEntries(r.map((x) => [x.resource.name, x.status]));
      assert.equal(status.guarded, guardedOk ? 'pass' : 'fail');
      assert.equal(status.open, 'fail');
      assert.equal(status['allows-all'], 'fail');
      assert.equal(status['kube-system'], undefined);
      assert.ok(r.every((x) => x.origin !== null && x.resource.kind === 'Namespace'));
    });
  }
});
