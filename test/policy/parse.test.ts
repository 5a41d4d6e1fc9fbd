import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PolicyValidationError, parsePolicy } from '../../src/policy/parse.js';

const origin = { file: 'p.yaml', line: 1, column: 1, index: 0 };
const base = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  content: { apiVersion: 'kyverno.io/v1', kind: 'ClusterPolicy', metadata: { name: 'p' }, spec, ...extra },
  origin,
});
const rule = (over: Record<string, unknown> = {}) => ({
  name: 'r',
  match: { any: [{ resources: { kinds: ['Pod'] } }] },
  validate: { pattern: { metadata: { labels: { team: '?*' } } } },
  ...over,
});

describe('parsePolicy', () => {
  test('reads validationFailureAction case-insensitively and defaults to Audit', () => {
    assert.equal(
      parsePolicy(base({ rules: [rule()], validationFailureAction: 'enforce' })).validationFailureAction,
      'Enforce',
    );
    assert.equal(
      parsePolicy(base({ rules: [rule()], validationFailureAction: 'AUDIT' })).validationFailureAction,
      'Audit',
    );
    assert.equal(parsePolicy(base({ rules: [rule()] })).validationFailureAction, 'Audit');
  });

  test('rejects unknown fields naming their path', () => {
    assert.throws(
      () => parsePolicy(base({ rules: [rule({ validate: { patern: {} } })] })),
      (e: unknown) =>
        e instanceof PolicyValidationError &&
        e.problems.some((p) => p === 'spec.rules[0].validate.patern: unknown field'),
    );
    assert.throws(() => parsePolicy(base({ rules: [rule()], bogus: 1 })), /spec\.bogus: unknown field/);
  });

  test('rejects a bad failure action, duplicate rule names and missing match', () => {
    assert.throws(
      () => parsePolicy(base({ rules: [rule()], validationFailureAction: 'block' })),
      /validationFailureAction: must be Audit or Enforce/,
    );
    assert.throws(() => parsePolicy(base({ rules: [rule(), rule()] })), /duplicate rule name "r"/);
    assert.throws(
      () => parsePolicy(base({ rules: [{ name: 'x', validate: { pattern: {} } }] })),
      /spec\.rules\[0\]\.match: required/,
    );
  });

  test('namespaced Policy keeps its namespace; unsupported kinds load as unsupported', () => {
    const p = parsePolicy({
      content: {
        apiVersion: 'kyverno.io/v1',
        kind: 'Policy',
        metadata: { name: 'p', namespace: 'team-a' },
        spec: { rules: [rule()] },
      },
      origin,
    });
    assert.equal(p.namespace, 'team-a');
    const vap = parsePolicy({
      content: {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name: 'v' },
        spec: {},
      },
      origin,
    });
    assert.match(vap.unsupported ?? '', /not supported yet/);
  });

  test('per-rule validate.failureAction is validated', () => {
    assert.throws(
      () => parsePolicy(base({ rules: [rule({ validate: { failureAction: 'nope', deny: {} } })] })),
      /failureAction/,
    );
  });

  test('podSecurity settings are validated with the field named', () => {
    assert.throws(
      () => parsePolicy(base({ rules: [rule({ validate: { podSecurity: { level: 'strict' } } })] })),
      /spec\.rules\[0\]\.validate\.podSecurity: level: Unsupported value: "strict"/,
    );
    assert.throws(
      () =>
        parsePolicy(
          base({
            rules: [
              rule({ validate: { podSecurity: { level: 'baseline', exclude: [{ controlName: 'Nope' }] } } }),
            ],
          }),
        ),
      /exclude\[0\]\.controlName/,
    );
    assert.equal(
      parsePolicy(
        base({ rules: [rule({ validate: { podSecurity: { level: 'restricted', version: 'latest' } } })] }),
      ).rules.length,
      1,
    );
  });
});
