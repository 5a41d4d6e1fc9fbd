import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { autogenSpecs, canAutogen } from '../../../../src/policy/kinds/admission/autogen.js';
import { evaluateVpol, evaluateVpolJson, loadVpol } from '../../../../src/policy/kinds/vpol/policy.js';

const podRules = {
  resourceRules: [
    { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods'] },
  ],
};
const policy = (
  spec: Record<string, unknown>,
  kind = 'ValidatingPolicy',
  apiVersion = 'policies.kyverno.io/v1',
) => loadVpol({ apiVersion, kind, metadata: { name: 'no-latest', namespace: 'team' }, spec });
const pod = (image: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'team' },
  spec: { containers: [{ name: 'c', image }] },
});
const deployment = (image: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd', namespace: 'team' },
  spec: { template: { metadata: { labels: {} }, spec: { containers: [{ name: 'c', image }] } } },
});
const cronjob = (image: string) => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'cj', namespace: 'team' },
  spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image }] } } } } },
});

const noLatest = {
  matchConstraints: podRules,
  validations: [
    { expression: "object.spec.containers.all(c, !c.image.endsWith(':latest'))", message: 'no latest tags' },
  ],
};

describe('ValidatingPolicy', () => {
  test('pass, fail and default messages as Kyverno gives them', () => {
    const p = policy(noLatest);
    assert.deepEqual(evaluateVpol(p, { object: pod('nginx:1') }), {
      status: 'pass',
      message: 'success',
      auditAnnotations: {},
    });
    assert.equal(evaluateVpol(p, { object: pod('nginx:latest') })?.message, 'no latest tags');
    const q = policy({
      matchConstraints: podRules,
      validations: [{ expression: 'true' }, { expression: 'false' }],
    });
    assert.equal(
      evaluateVpol(q, { object: pod('x') })?.message,
      'CEL expression validation failed at index 1',
    );
  });
  test('autogen applies pod rules to controllers and cronjobs with rewritten paths', () => {
    const p = policy(noLatest);
    assert.equal(evaluateVpol(p, { object: deployment('nginx:latest') })?.status, 'fail');
    assert.equal(evaluateVpol(p, { object: deployment('nginx:1') })?.status, 'pass');
    assert.equal(evaluateVpol(p, { object: cronjob('nginx:latest') })?.status, 'fail');
    const only = policy({ ...noLatest, autogen: { podControllers: { controllers: ['deployments'] } } });
    assert.equal(evaluateVpol(only, { object: cronjob('nginx:latest') }), undefined);
  });
  test('autogen keeps the object name and namespace', () => {
    const specs = autogenSpecs({
      matchConstraints: podRules,
      validations: [
        { expression: "object.metadata.name != '' && object.metadata.labels.app == 'x' && object.spec.x" },
      ],
    });
    assert.deepEqual(
      specs.map((s) => s.name),
      ['cronjobs', 'defaults'],
    );
    const defaults = specs.find((s) => s.name === 'defaults');
    assert.equal(
      ((defaults?.spec.validations ?? []) as { expression: string }[])[0]?.expression,
      "object.metadata.name != '' && object.spec.template.metadata.labels.app == 'x' && object.spec.template.spec.x",
    );
    assert.equal(canAutogen({ ...podRules, objectSelector: { matchLabels: { a: 'b' } } }), false);
  });
  test('namespaced policies apply only in their namespace, every API version loads', () => {
    const p = policy(noLatest, 'NamespacedValidatingPolicy', 'policies.kyverno.io/v1beta1');
    assert.equal(evaluateVpol(p, { object: pod('nginx:latest') })?.status, 'fail');
    assert.equal(
      evaluateVpol(p, { object: { ...pod('nginx:latest'), metadata: { name: 'p', namespace: 'other' } } }),
      undefined,
    );
    assert.equal(policy(noLatest, 'ValidatingPolicy', 'policies.kyverno.io/v1alpha1').variants.length, 3);
  });
  test('JSON mode evaluates arbitrary payloads', () => {
    const p = policy({
      evaluation: { mode: 'JSON' },
      validations: [
        {
          expression:
            "object.resource_changes.all(r, r.type != 'aws_s3_bucket_acl' || r.change.after.acl != 'public-read')",
          message: 'public bucket ACL',
        },
      ],
    });
    const plan = {
      resource_changes: [{ type: 'aws_s3_bucket_acl', change: { after: { acl: 'public-read' } } }],
    };
    assert.deepEqual(evaluateVpolJson(p, plan), {
      status: 'fail',
      message: 'public bucket ACL',
      index: 0,
      reason: undefined,
      auditAnnotations: {},
    });
    assert.equal(evaluateVpolJson(p, { resource_changes: [] }).status, 'pass');
  });
  test('an error in a validation is an error result', () => {
    const p = policy({ matchConstraints: podRules, validations: [{ expression: 'object.spec.nope == 1' }] });
    assert.deepEqual(evaluateVpol(p, { object: pod('x') }), {
      status: 'error',
      message: 'error: No such key: nope',
      index: 0,
    });
  });
});
