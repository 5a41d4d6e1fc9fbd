import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyPatchSpec } from '../../../src/policy/mutate/patch.js';

const pod = (spec: Record<string, unknown>, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', labels },
  spec,
});
const smp = (resource: Record<string, unknown>, patch: unknown) =>
  applyPatchSpec(resource, { patchStrategicMerge: patch });

describe('anchors in patchStrategicMerge', () => {
  test('+() adds a field only when it is absent', () => {
    const patch = { metadata: { labels: { '+(team)': 'platform' } } };
    assert.deepEqual((smp(pod({}), patch).resource.metadata as any).labels, { team: 'platform' });
    const kept = smp(pod({}, { team: 'apps' }), patch);
    assert.equal(kept.changed, false);
  });
  test('() conditional on a map: a mismatch skips the whole patch', () => {
    const patch = { metadata: { labels: { '(env)': 'prod', tier: 'gold' } } };
    assert.equal(smp(pod({}, { env: 'dev' }), patch).changed, false);
    assert.deepEqual((smp(pod({}, { env: 'prod' }), patch).resource.metadata as any).labels, {
      env: 'prod',
      tier: 'gold',
    });
  });
  test('() conditional in a list: only matching elements are patched, named after the resource element', () => {
    const resource = pod({
      containers: [
        { name: 'a', image: 'nginx:latest' },
        { name: 'b', image: 'nginx:1.25' },
        { name: 'c', image: 'redis:latest' },
      ],
    });
    const out = smp(resource, {
      spec: { containers: [{ '(image)': '*:latest', imagePullPolicy: 'Always' }] },
    });
    assert.deepEqual(
      (out.resource.spec as any).containers.map((c: any) => c.imagePullPolicy ?? '-'),
      ['Always', '-', 'Always'],
    );
  });
  test('<() global anchor: the patch applies only when some element matches', () => {
    const patch = {
      spec: { containers: [{ '<(image)': '*:latest' }], imagePullSecrets: [{ name: 'regcred' }] },
    };
    const hit = smp(pod({ containers: [{ name: 'a', image: 'x:latest' }] }), patch);
    assert.deepEqual((hit.resource.spec as any).imagePullSecrets, [{ name: 'regcred' }]);
    const miss = smp(pod({ containers: [{ name: 'a', image: 'x:1' }] }), patch);
    assert.equal(miss.changed, false);
  });
  test('a nested +() inside a conditional list element', () => {
    const resource = pod({ containers: [{ name: 'a', image: 'x' }] });
    const out = smp(resource, {
      spec: { containers: [{ '(name)': 'a', securityContext: { '+(runAsNonRoot)': true } }] },
    });
    assert.deepEqual((out.resource.spec as any).containers, [
      { name: 'a', image: 'x', securityContext: { runAsNonRoot: true } },
    ]);
  });
  test('Kyverno reuses one copy of a list element across resource elements, so a resolved +() sticks', () => {
    // strategicPreprocessing.go processListOfMaps copies the element once; once `+(k)` became `k` for an
    // element without k, later elements that do have k get it overwritten. Kept for identical results.
    const resource = pod({
      containers: [
        { name: 'a', image: 'x' },
        { name: 'b', image: 'y', securityContext: { runAsNonRoot: false } },
      ],
    });
    const out = smp(resource, {
      spec: { containers: [{ '(name)': '*', securityContext: { '+(runAsNonRoot)': true } }] },
    });
    assert.deepEqual((out.resource.spec as any).containers[1].securityContext, { runAsNonRoot: true });
  });
  test('=() inside a condition value is matched as a validate anchor', () => {
    const patch = { spec: { '(securityContext)': { '=(runAsNonRoot)': true }, dnsPolicy: 'None' } };
    assert.equal(smp(pod({ securityContext: { runAsNonRoot: false } }), patch).changed, false);
    // The condition's value is kept in the patch (only scalars under () are dropped), so Kyverno merges the
    // literal `=(runAsNonRoot)` key too: strategicPreprocessing.go deletes only () and <() anchors.
    assert.deepEqual(smp(pod({ securityContext: {} }), patch).resource.spec, {
      securityContext: { '=(runAsNonRoot)': true },
      dnsPolicy: 'None',
    });
  });
  test('a condition on a missing key skips the patch', () => {
    const out = smp(pod({}), { metadata: { annotations: { '(owner)': '*', x: 'y' } } });
    assert.equal(out.changed, false);
  });
});
