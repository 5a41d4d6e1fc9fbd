import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UserError } from '../../../../src/core/errors.js';
import '../../../../src/policy/builtins.js';
import { loadMap } from '../../../../src/policy/kinds/map/policy.js';
import { runMutations } from '../admission/reinvocation-run.js';

const cmRules = {
  resourceRules: [
    { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] },
  ],
};
const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'a' } };
const map = (name: string, expression: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'admissionregistration.k8s.io/v1beta1',
  kind: 'MutatingAdmissionPolicy',
  metadata: { name },
  spec: {
    matchConstraints: cmRules,
    mutations: [{ patchType: 'ApplyConfiguration', applyConfiguration: { expression } }],
    ...spec,
  },
});
const annotation = (key: string) =>
  `(has(object.metadata.annotations) && '${key}' in object.metadata.annotations ? object.metadata.annotations['${key}'] : '')`;
// A: the label `derived` copies the annotation `src` (empty while there is none).
const deriveLabel = (reinvocationPolicy?: string, spec: Record<string, unknown> = {}) =>
  map('derive-label', `Object{metadata: Object.metadata{labels: {"derived": ${annotation('src')}}}}`, {
    ...(reinvocationPolicy ? { reinvocationPolicy } : {}),
    ...spec,
  });
// B: sets the annotation `src`.
const setSource = map('set-source', 'Object{metadata: Object.metadata{annotations: {"src": "x"}}}', {
  reinvocationPolicy: 'Never',
});
// Appends a letter to the annotation `trail`: not idempotent, so every run shows.
const append = (name: string, letter: string, reinvocationPolicy = 'IfNeeded') =>
  map(
    name,
    `Object{metadata: Object.metadata{annotations: {"trail": ${annotation('trail')} + "${letter}"}}}`,
    { reinvocationPolicy },
  );

const run = (...policies: Record<string, unknown>[]) => runMutations(cm, policies);

describe('MutatingAdmissionPolicy reinvocationPolicy', () => {
  test('IfNeeded: a policy changed by a later one runs again on the current object', () => {
    const r = run(deriveLabel('IfNeeded'), setSource);
    assert.equal(r.labels.derived, 'x');
    // The reinvocation's response replaces the first one.
    assert.deepEqual(r.results, [
      ['set-source', 'pass'],
      ['derive-label', 'pass'],
    ]);
  });

  test('Never (and no field, which defaults to Never): no second run', () => {
    assert.equal(run(deriveLabel('Never'), setSource).labels.derived, '');
    assert.equal(run(deriveLabel(), setSource).labels.derived, '');
    assert.equal(loadMap(deriveLabel()).reinvocationPolicy, 'Never');
  });

  test('a policy that comes after the change, or nothing changes after it, is not reinvoked', () => {
    assert.deepEqual(run(setSource, append('a', 'a')).annotations, { src: 'x', trail: 'a' });
    assert.deepEqual(run(append('a', 'a')).annotations, { trail: 'a' });
  });

  test('an idempotent reinvocation changes nothing and keeps the first response', () => {
    const touch = map('touch', 'Object{metadata: Object.metadata{labels: {"other": "y"}}}');
    const once = run(deriveLabel('Never'), touch);
    const twice = run(deriveLabel('IfNeeded'), touch);
    assert.deepEqual(twice.labels, once.labels);
    assert.deepEqual(twice.results, once.results);
  });

  test('at most one extra round, and only for the policies a later change made due', () => {
    // a, then b (changes the object: a is due), then nothing: a runs once more; b never does.
    assert.equal(run(append('a', 'a'), append('b', 'b')).annotations.trail, 'aba');
    // Three: the reinvocation of a and b changes the object again, but there is no third round.
    assert.equal(run(append('a', 'a'), append('b', 'b'), append('c', 'c')).annotations.trail, 'abcab');
    // A Never policy in between changes the object but is not run again.
    assert.equal(run(append('a', 'a'), append('n', 'n', 'Never')).annotations.trail, 'ana');
  });

  test('a policy whose match conditions were not met the first time is not reinvoked', () => {
    const gated = deriveLabel('IfNeeded', {
      matchConditions: [{ name: 'has-src', expression: `${annotation('src')} != ''` }],
    });
    const r = run(gated, setSource);
    assert.equal(r.labels.derived, undefined);
    assert.deepEqual(r.results, [
      ['derive-label', 'skip'],
      ['set-source', 'pass'],
    ]);
  });

  test('a value other than Never or IfNeeded is rejected, naming the field', () => {
    assert.throws(
      () => loadMap(deriveLabel('Always')),
      (e: unknown) => e instanceof UserError && /spec\.reinvocationPolicy/.test(e.message),
    );
  });
});
