import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { UserError } from '../../../../src/core/errors.js';
import { evaluateGpol, loadGpol } from '../../../../src/policy/kinds/gpol/policy.js';
import { fixture, runRampart } from '../../../helpers/index.js';

const nsRules = {
  resourceRules: [
    { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['namespaces'] },
  ],
};
const gpol = (spec: Record<string, unknown>, kind = 'GeneratingPolicy', namespace?: string) =>
  loadGpol({
    apiVersion: 'policies.kyverno.io/v1',
    kind,
    metadata: { name: 'default-deny', ...(namespace ? { namespace } : {}) },
    spec: { matchConstraints: nsRules, ...spec },
  });
const ns = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels },
});
const denyAll = {
  generate: [
    {
      expression:
        'generator.Apply(object.metadata.name, [{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "deny-all"}, "spec": {"podSelector": {}}}])',
    },
  ],
};

describe('GeneratingPolicy', () => {
  test('generator.Apply records each object in the namespace given: pass with the generated objects', () => {
    const out = evaluateGpol(gpol(denyAll), { object: ns('team-a') });
    assert.equal(out?.status, 'pass');
    assert.deepEqual(out?.status === 'pass' && out.generated, [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'deny-all', namespace: 'team-a' },
        spec: { podSelector: {} },
      },
    ]);
  });

  test('matchConditions not met: skip; another kind: no response', () => {
    const policy = gpol({
      ...denyAll,
      matchConditions: [{ name: 'tenant', expression: "object.metadata.labels.?tenant.orValue('') != ''" }],
    });
    assert.deepEqual(evaluateGpol(policy, { object: ns('a') }), { status: 'skip', message: 'skip' });
    assert.equal(evaluateGpol(policy, { object: ns('a', { tenant: 't' }) })?.status, 'pass');
    assert.equal(
      evaluateGpol(policy, { object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } } }),
      undefined,
    );
  });

  test('a failing expression or a non-object element is an error', () => {
    const missing = evaluateGpol(
      gpol({ generate: [{ expression: 'generator.Apply("x", [object.nope])' }] }),
      {
        object: ns('a'),
      },
    );
    assert.equal(missing?.status, 'error');
    assert.match(missing?.message ?? '', /object\.nope/);
    const scalar = evaluateGpol(gpol({ generate: [{ expression: 'generator.Apply("x", [dyn(1)])' }] }), {
      object: ns('a'),
    });
    assert.equal(scalar?.status, 'error');
    assert.match(scalar?.message ?? '', /every element must be an object/);
  });

  test('a type error rejects the policy naming spec.generate[i].expression', () => {
    assert.throws(
      () => gpol({ generate: [{ expression: 'generator.Apply(1, [])' }] }),
      (e: unknown) => e instanceof UserError && /spec\.generate\[0\]\.expression/.test(e.message),
    );
  });
});

describe("GeneratingPolicy suites of Kyverno's policy library under `rampart test`", () => {
  const root = fixture('policy', 'kinds', 'gpol', 'suites');
  for (const suite of readdirSync(root)) {
    test(suite, async () => {
      const r = await runRampart(['test', `${root}/${suite}`]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /Test Summary: [1-9]\d* tests passed and 0 tests failed/);
    });
  }

  test('apply -o yaml prints the generated object', async () => {
    const dir = `${root}/create-default-pdb`;
    const r = await runRampart([
      'apply',
      `${dir}/create-default-pdb.yaml`,
      '-r',
      `${dir}/.kyverno-test/resource.yaml`,
      '-o',
      'yaml',
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /kind: PodDisruptionBudget[\s\S]*name: nginx-deployment-default-pdb[\s\S]*namespace: hello-world/,
    );
  });
});
