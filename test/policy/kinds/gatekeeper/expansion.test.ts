import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UserError } from '../../../../src/core/errors.js';
import { expand, loadExpansion } from '../../../../src/policy/kinds/gatekeeper/expansion.js';

const template = (spec: Record<string, unknown>) =>
  loadExpansion({
    apiVersion: 'expansion.gatekeeper.sh/v1alpha1',
    kind: 'ExpansionTemplate',
    metadata: { name: 'expand-workloads' },
    spec: {
      applyTo: [{ groups: ['apps'], kinds: ['Deployment'], versions: ['v1'] }],
      templateSource: 'spec.template',
      generatedGVK: { kind: 'Pod', group: '', version: 'v1' },
      ...spec,
    },
  });

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
  },
};

describe('Gatekeeper ExpansionTemplate', () => {
  test('the pod template becomes a Pod in the parent namespace', () => {
    const [r] = expand(deployment, [template({})]);
    assert.deepEqual(r?.object, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { labels: { app: 'web' }, namespace: 'shop' },
      spec: { containers: [{ name: 'c', image: 'x' }] },
    });
    assert.ok(r?.object);
    (r.object.spec as { containers: { image: string }[] }).containers[0]!.image = 'changed';
    assert.equal(deployment.spec.template.spec.containers[0]?.image, 'x', 'the parent is not modified');
  });

  test('applyTo needs group, version and kind to match; a missing source is an error to report', () => {
    assert.deepEqual(expand({ ...deployment, apiVersion: 'apps/v1beta1' }, [template({})]), []);
    assert.deepEqual(expand({ ...deployment, kind: 'DaemonSet' }, [template({})]), []);
    const [r] = expand({ ...deployment, spec: {} }, [template({})]);
    assert.equal(r?.error, 'could not find source field "spec.template"');
    const grouped = template({ generatedGVK: { kind: 'Widget', group: 'example.com', version: 'v2' } });
    assert.equal(expand(deployment, [grouped])[0]?.object?.apiVersion, 'example.com/v2');
  });

  test('bad templates are user errors naming the field', () => {
    for (const [spec, message] of [
      [{ applyTo: [] }, /spec\.applyTo: at least one entry/],
      [{ applyTo: [{ groups: ['apps'], versions: ['v1'] }] }, /spec\.applyTo\[0\]\.kinds/],
      [{ templateSource: '' }, /spec\.templateSource is required/],
      [{ generatedGVK: { kind: 'Pod' } }, /spec\.generatedGVK: kind and version are required/],
      [{ enforcementAction: 'block' }, /spec\.enforcementAction: "block"/],
    ] as const)
      assert.throws(
        () => template(spec),
        (e: Error) => e instanceof UserError && message.test(e.message),
      );
  });
});
