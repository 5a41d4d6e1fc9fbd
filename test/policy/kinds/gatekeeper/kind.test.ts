import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluate } from '../../../../src/policy/engine/evaluate.js';
import { loadPolicyDocuments } from '../../../../src/policy/parse.js';
import { celTemplate, constraint, doc, pod } from './helpers.js';

const tagTemplate = celTemplate(
  'K8sDisallowedTags',
  {
    validations: [
      {
        expression:
          "variables.anyObject.spec.containers.all(c, !variables.params.tags.exists(t, c.image.endsWith(':' + t)))",
        messageExpression: "'disallowed tag in ' + params.metadata.name + '/' + object.metadata.name",
      },
    ],
  },
  { type: 'object', properties: { tags: { type: 'array', items: { type: 'string' } } } },
);
const tags = (name: string, spec: Record<string, unknown> = {}) =>
  constraint('K8sDisallowedTags', name, { parameters: { tags: ['latest'] }, ...spec });

function run(documents: Record<string, unknown>[], resources: Record<string, unknown>[]) {
  const loaded = loadPolicyDocuments(documents.map((d) => doc(d)));
  return {
    loaded,
    results: evaluate(
      loaded.policies,
      resources.map((r) => doc(r)),
    ),
  };
}

describe('Gatekeeper policy kind in the engine', () => {
  test('the constraint is the policy, the template the rule; enforcement actions map to statuses', () => {
    const { loaded, results } = run(
      [
        tagTemplate,
        tags('deny-tags'),
        tags('dryrun-tags', { enforcementAction: 'dryrun' }),
        tags('warn-tags', { enforcementAction: 'warn' }),
      ],
      [pod('web')],
    );
    assert.deepEqual(loaded.invalid, []);
    const byPolicy = Object.fromEntries(results.map((r) => [r.policy, r]));
    assert.deepEqual(Object.keys(byPolicy).sort(), ['deny-tags', 'dryrun-tags', 'warn-tags']);
    for (const r of results) assert.equal(r.rule, 'k8sdisallowedtags');
    assert.equal(byPolicy['deny-tags']?.status, 'fail');
    assert.equal(byPolicy['deny-tags']?.action, 'Enforce');
    assert.equal(byPolicy['dryrun-tags']?.status, 'fail');
    assert.equal(byPolicy['dryrun-tags']?.action, 'Audit');
    assert.equal(byPolicy['warn-tags']?.status, 'warn');
    assert.equal(byPolicy['deny-tags']?.message, 'disallowed tag in deny-tags/web');
    assert.equal(byPolicy['warn-tags']?.properties?.['gatekeeper.enforcementAction'], 'warn');
  });

  test('a compliant object passes and an unmatched one gives no result', () => {
    const pinned = pod('pinned');
    (pinned.spec.containers[0] as { image: string }).image = 'nginx:1.27';
    const { results } = run(
      [tagTemplate, tags('tags', { match: { kinds: [{ apiGroups: [''], kinds: ['Pod'] }] } })],
      [pinned, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' } }],
    );
    assert.deepEqual(
      results.map((r) => [r.resource.name, r.status]),
      [['pinned', 'pass']],
    );
  });

  test('a runtime CEL error is an error result, not a violation', () => {
    const broken = celTemplate('K8sBroken', {
      validations: [{ expression: 'object.spec.missing.field == 1' }],
    });
    const { results } = run([broken, constraint('K8sBroken', 'broken')], [pod('p')]);
    assert.equal(results.length, 1);
    assert.equal(results[0]?.status, 'error');
    assert.match(results[0]?.message ?? '', /resulted in error/);
  });

  test('Rego-only templates skip naming the template; orphans and bad parameters are invalid', () => {
    const rego = celTemplate('K8sRego', { validations: [{ expression: 'true' }] });
    (rego.spec as any).targets[0].code = [{ engine: 'Rego', source: { rego: 'package x' } }];
    const { loaded, results } = run(
      [
        rego,
        constraint('K8sRego', 'rego-constraint'),
        constraint('K8sMissing', 'orphan'),
        tagTemplate,
        constraint('K8sDisallowedTags', 'bad-params', { parameters: { tags: 'latest' } }),
      ],
      [pod('p')],
    );
    const skip = results.find((r) => r.policy === 'rego-constraint');
    assert.equal(skip?.status, 'skip');
    assert.equal(skip?.message, 'Rego templates need Open Policy Agent (ConstraintTemplate "k8srego")');
    assert.deepEqual(
      loaded.invalid.map((i) => i.error.message),
      [
        'inline.yaml:1:1: K8sMissing "orphan": no ConstraintTemplate defines kind K8sMissing',
        'inline.yaml:1:1: invalid K8sDisallowedTags "bad-params": spec.parameters.tags: must be array (schema of ConstraintTemplate "k8sdisallowedtags")',
      ],
    );
  });

  test('ExpansionTemplates: a Deployment is reviewed as its Pod, on the parent, with the template action', () => {
    const expansion = (name: string, spec: Record<string, unknown>) => ({
      apiVersion: 'expansion.gatekeeper.sh/v1alpha1',
      kind: 'ExpansionTemplate',
      metadata: { name },
      spec: {
        applyTo: [{ groups: ['apps'], kinds: ['Deployment'], versions: ['v1'] }],
        templateSource: 'spec.template',
        generatedGVK: { kind: 'Pod', group: '', version: 'v1' },
        ...spec,
      },
    });
    const deployment = (name: string, spec: Record<string, unknown>) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'shop' },
      spec,
    });
    const podsOnly = tags('pods-only', { match: { kinds: [{ apiGroups: [''], kinds: ['Pod'] }] } });
    const { results } = run(
      [tagTemplate, podsOnly, expansion('expand-deployments', { enforcementAction: 'warn' })],
      [
        deployment('web', {
          template: {
            metadata: { name: 'web-pod' },
            spec: { containers: [{ name: 'c', image: 'nginx:latest' }] },
          },
        }),
        deployment('broken', {}),
        deployment('pinned', { template: { spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } } }),
      ],
    );
    assert.deepEqual(
      results.map((r) => [r.resource.kind, r.resource.name, r.status, r.message]),
      [
        ['Deployment', 'web', 'warn', '[Implied by expand-deployments] disallowed tag in pods-only/web-pod'],
        [
          'Deployment',
          'broken',
          'error',
          '[Implied by expand-deployments] could not find source field "spec.template"',
        ],
        ['Deployment', 'pinned', 'pass', ''],
      ],
    );
  });
});
