import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UserError } from '../../../../src/core/errors.js';
import '../../../../src/policy/builtins.js';
import { loadMpol } from '../../../../src/policy/kinds/mpol/policy.js';
import { runMutations } from '../admission/reinvocation-run.js';

const podRules = {
  resourceRules: [
    { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods'] },
  ],
};
const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'apps' },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
};
const mpol = (name: string, mutation: Record<string, unknown>, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'policies.kyverno.io/v1',
  kind: 'MutatingPolicy',
  metadata: { name },
  spec: { matchConstraints: podRules, mutations: [mutation], ...spec },
});
const hasAnnotation = (key: string) =>
  `has(object.metadata.annotations) && '${key}' in object.metadata.annotations`;
const annotation = (key: string) => `(${hasAnnotation(key)} ? object.metadata.annotations['${key}'] : '')`;
// A: copies the annotation `src` to the label `derived`, and changes nothing while there is none (Kyverno's
// `skip`: its mutations ran all the same, so it may be reinvoked).
const deriveLabel = (reinvocationPolicy?: string) =>
  mpol(
    'derive-label',
    {
      patchType: 'JSONPatch',
      jsonPatch: {
        expression: `${hasAnnotation('src')} ? [JSONPatch{op: "add", path: "/metadata/labels", value: {"derived": ${annotation('src')}}}] : []`,
      },
    },
    reinvocationPolicy ? { reinvocationPolicy } : {},
  );
const apply = (name: string, expression: string, reinvocationPolicy = 'Never') =>
  mpol(name, { patchType: 'ApplyConfiguration', applyConfiguration: { expression } }, { reinvocationPolicy });
// B: sets the annotation `src`.
const setSource = apply('set-source', 'Object{metadata: Object.metadata{annotations: {"src": "x"}}}');
const append = (name: string, letter: string, reinvocationPolicy = 'IfNeeded') =>
  apply(
    name,
    `Object{metadata: Object.metadata{annotations: {"trail": ${annotation('trail')} + "${letter}"}}}`,
    reinvocationPolicy,
  );

const run = (...policies: Record<string, unknown>[]) => runMutations(pod, policies);

describe('MutatingPolicy reinvocationPolicy', () => {
  test('IfNeeded: a policy that changed nothing runs again once a later policy changed the object', () => {
    const r = run(deriveLabel('IfNeeded'), setSource);
    assert.deepEqual(r.labels, { derived: 'x' });
    // The reinvocation's pass replaces the first run's skip.
    assert.deepEqual(r.results, [
      ['set-source', 'pass'],
      ['derive-label', 'pass'],
    ]);
  });

  test('Never (the default when the field is absent): the first verdict stands', () => {
    for (const p of [deriveLabel('Never'), deriveLabel()]) {
      const r = run(p, setSource);
      assert.deepEqual(r.labels, {});
      assert.deepEqual(r.results, [
        ['derive-label', 'skip'],
        ['set-source', 'pass'],
      ]);
    }
    assert.equal(loadMpol(deriveLabel()).reinvocationPolicy, 'Never');
  });

  test('an idempotent reinvocation changes nothing and keeps the first response', () => {
    const touch = apply('touch', 'Object{metadata: Object.metadata{labels: {"other": "y"}}}');
    const addTeam = (p: string) =>
      apply('add-team', 'Object{metadata: Object.metadata{labels: {"team": "core"}}}', p);
    const once = run(addTeam('Never'), touch);
    const twice = run(addTeam('IfNeeded'), touch);
    assert.deepEqual(twice.labels, { team: 'core', other: 'y' });
    assert.deepEqual(twice.labels, once.labels);
    assert.deepEqual(twice.results, once.results);
  });

  test('at most one extra round, only for the policies a later change made due', () => {
    assert.equal(run(append('a', 'a'), append('b', 'b')).annotations.trail, 'aba');
    assert.equal(run(append('a', 'a'), append('b', 'b'), append('c', 'c')).annotations.trail, 'abcab');
    assert.equal(run(append('n', 'n', 'Never'), append('a', 'a')).annotations.trail, 'na');
  });

  test('reinvocation spans kinds: a MutatingAdmissionPolicy change makes an earlier MutatingPolicy due', () => {
    const map = {
      apiVersion: 'admissionregistration.k8s.io/v1beta1',
      kind: 'MutatingAdmissionPolicy',
      metadata: { name: 'map-source' },
      spec: {
        matchConstraints: podRules,
        reinvocationPolicy: 'Never',
        mutations: [
          {
            patchType: 'ApplyConfiguration',
            applyConfiguration: {
              expression: 'Object{metadata: Object.metadata{annotations: {"src": "m"}}}',
            },
          },
        ],
      },
    };
    assert.deepEqual(run(deriveLabel('IfNeeded'), map).labels, { derived: 'm' });
  });

  test('a value other than Never or IfNeeded is rejected, naming the field', () => {
    assert.throws(
      () => loadMpol(deriveLabel('Sometimes')),
      (e: unknown) => e instanceof UserError && /spec\.reinvocationPolicy/.test(e.message),
    );
  });
});
