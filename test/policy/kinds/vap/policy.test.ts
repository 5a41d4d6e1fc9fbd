import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluateVap, loadBinding, loadVap } from '../../../../src/policy/kinds/vap/policy.js';

const vap = (spec: Record<string, unknown>) =>
  loadVap({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: 'replicas' },
    spec,
  });

const deploymentRules = {
  resourceRules: [
    {
      apiGroups: ['apps'],
      apiVersions: ['v1'],
      operations: ['CREATE', 'UPDATE'],
      resources: ['deployments'],
    },
  ],
};
const deployment = (replicas: number, labels: Record<string, string> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'prod', labels },
  spec: { replicas },
});

describe('ValidatingAdmissionPolicy', () => {
  test('validations with message, messageExpression and the default message', () => {
    const p = vap({
      matchConstraints: deploymentRules,
      validations: [
        { expression: 'object.spec.replicas <= 5', message: 'too many replicas' },
        {
          expression: 'object.spec.replicas >= 2',
          messageExpression: "'only ' + string(object.spec.replicas)",
        },
        { expression: "has(object.metadata.labels) && 'team' in object.metadata.labels" },
      ],
    });
    const run = (o: Record<string, unknown>) => evaluateVap(p, { object: o, resources: [] });
    assert.deepEqual(run(deployment(9)), {
      status: 'fail',
      message: 'too many replicas',
      index: 0,
      reason: undefined,
      auditAnnotations: {},
    });
    assert.equal(run(deployment(1))?.message, 'only 1');
    assert.equal(
      run(deployment(3))?.message,
      "failed expression: has(object.metadata.labels) && 'team' in object.metadata.labels",
    );
    assert.equal(run(deployment(3, { team: 'a' }))?.status, 'pass');
  });
  test('objects outside matchConstraints get no response', () => {
    const p = vap({ matchConstraints: deploymentRules, validations: [{ expression: 'false' }] });
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } };
    assert.equal(evaluateVap(p, { object: pod, resources: [] }), undefined);
    assert.equal(evaluateVap(p, { object: deployment(1), operation: 'DELETE', resources: [] }), undefined);
  });
  test('matchConditions skip, variables are lazy and shared', () => {
    const p = vap({
      matchConstraints: deploymentRules,
      matchConditions: [{ name: 'prod-only', expression: "object.metadata.namespace == 'prod'" }],
      variables: [
        { name: 'limit', expression: '3' },
        { name: 'boom', expression: 'object.nope' },
      ],
      validations: [{ expression: 'object.spec.replicas <= variables.limit' }],
    });
    const dev = { ...deployment(9), metadata: { name: 'x', namespace: 'dev' } };
    assert.deepEqual(evaluateVap(p, { object: dev, resources: [] }), {
      status: 'skip',
      message: "match conditions aren't met",
    });
    assert.equal(
      evaluateVap(p, { object: deployment(2), resources: [] })?.status,
      'pass',
      'unused erroring variable is never evaluated',
    );
    assert.equal(evaluateVap(p, { object: deployment(9), resources: [] })?.status, 'fail');
  });
  test('runtime errors are error results carrying the expression', () => {
    const p = vap({
      matchConstraints: deploymentRules,
      validations: [{ expression: 'object.spec.missing > 1' }],
    });
    const out = evaluateVap(p, { object: deployment(1), resources: [] });
    assert.equal(out?.status, 'error');
    assert.match(
      out?.message ?? '',
      /expression 'object.spec.missing > 1' resulted in error: No such key: missing/,
    );
  });
  test('a compile error names the field path and column', () => {
    assert.throws(
      () =>
        vap({
          matchConstraints: deploymentRules,
          validations: [{ expression: 'true' }, { expression: 'object.spec.replicas >' }],
        }),
      /ValidatingAdmissionPolicy\/replicas: spec\.validations\[1\]\.expression \(line 1, column 23\)/,
    );
  });
  test('bindings with paramRef read params from the given resources', () => {
    const p = vap({
      paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
      matchConstraints: deploymentRules,
      validations: [
        {
          expression: 'object.spec.replicas <= int(params.data.max)',
          messageExpression: "'max is ' + params.data.max",
        },
      ],
    });
    p.bindings.push(
      loadBinding({
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: 'b' },
        spec: {
          policyName: 'replicas',
          paramRef: { name: 'limits', namespace: 'prod' },
          validationActions: ['Deny'],
        },
      }),
    );
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'limits', namespace: 'prod' },
      data: { max: '4' },
    };
    assert.equal(evaluateVap(p, { object: deployment(3), resources: [cm] })?.status, 'pass');
    assert.equal(evaluateVap(p, { object: deployment(5), resources: [cm] })?.message, 'max is 4');
    assert.match(evaluateVap(p, { object: deployment(5), resources: [] })?.message ?? '', /no params found/);
  });
  test('a binding matchResources narrows the policy', () => {
    const p = vap({ matchConstraints: deploymentRules, validations: [{ expression: 'false' }] });
    p.bindings.push(
      loadBinding({
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: 'b' },
        spec: {
          policyName: 'replicas',
          matchResources: { objectSelector: { matchLabels: { enforce: 'yes' } } },
        },
      }),
    );
    assert.equal(evaluateVap(p, { object: deployment(1), resources: [] }), undefined);
    assert.equal(
      evaluateVap(p, { object: deployment(1, { enforce: 'yes' }), resources: [] })?.status,
      'fail',
    );
  });
});
