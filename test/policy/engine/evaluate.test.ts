import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Document } from '../../../src/core/document.js';
import { evaluate } from '../../../src/policy/engine/evaluate.js';
import { parsePolicy } from '../../../src/policy/parse.js';

const origin = { file: 'p.yaml', line: 1, column: 1, index: 0 };
function policy(
  rules: unknown[],
  extra: { kind?: string; namespace?: string; annotations?: Record<string, string>; action?: string } = {},
) {
  return parsePolicy({
    content: {
      apiVersion: 'kyverno.io/v1',
      kind: extra.kind ?? 'ClusterPolicy',
      metadata: { name: 'p', namespace: extra.namespace, annotations: extra.annotations ?? {} },
      spec: { validationFailureAction: extra.action ?? 'Audit', rules },
    },
    origin,
  });
}
let line = 0;
function pod(name: string, spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): Document {
  line += 10;
  return {
    id: name,
    origin: { file: 'r.yaml', line, column: 1, index: line },
    format: 'kubernetes',
    content: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', ...meta },
      spec: { containers: [{ name: 'c', image: 'nginx:1.25' }], ...spec },
    },
  };
}
const match = { any: [{ resources: { kinds: ['Pod'] } }] };

describe('evaluate', () => {
  test('pattern failures report Kyverno messages with the failing path and keep the resource position', () => {
    const p = policy([
      {
        name: 'host-net',
        match,
        validate: {
          message: 'no host network for {{ request.object.metadata.name }}',
          pattern: { spec: { '=(hostNetwork)': false } },
        },
      },
    ]);
    const bad = pod('bad', { hostNetwork: true });
    const [r] = evaluate([p], [bad]);
    assert.equal(r!.status, 'fail');
    assert.equal(
      r!.message,
      'validation error: no host network for bad. rule host-net failed at path /spec/hostNetwork/',
    );
    assert.deepEqual(r!.origin, bad.origin);
    assert.equal(r!.action, 'Audit');
    const [ok] = evaluate([p], [pod('ok')]);
    assert.equal(ok!.status, 'pass');
  });

  test('a regular expression known only at run time that does not compile is an error result, not a crash', () => {
    const badRegex = policy([
      {
        name: 're',
        match,
        validate: {
          deny: {
            conditions: {
              any: [
                {
                  key: '{{ regex_match(request.object.metadata.labels.re, request.object.metadata.name) }}',
                  operator: 'Equals',
                  value: true,
                },
              ],
            },
          },
        },
      },
    ]);
    const [r1] = evaluate([badRegex], [pod('a', {}, { labels: { re: '(unclosed' } })]);
    assert.equal(r1!.status, 'error');
    // Fixed in the policy text, a bad regex or JMESPath is rejected when the policy loads
    // (test/policy/model/expressions.test.ts).
    const unknownKey = policy([
      {
        name: 'uk',
        match,
        validate: {
          deny: {
            conditions: {
              any: [{ key: '{{ request.object.nope.deeper }}', operator: 'Equals', value: 'x' }],
            },
          },
        },
      },
    ]);
    const [r3] = evaluate([unknownKey], [pod('a')]);
    assert.equal(r3!.status, 'error');
    assert.match(r3!.message, /Unknown key "nope"/);
  });

  test('preconditions not met give skip; deny conditions give fail with the substituted message', () => {
    const p = policy([
      {
        name: 'd',
        match,
        preconditions: {
          all: [{ key: "{{ request.object.metadata.labels.tier || '' }}", operator: 'Equals', value: 'web' }],
        },
        validate: { message: '{{ request.object.metadata.name }} may not run as web', deny: {} },
      },
    ]);
    const [skip] = evaluate([p], [pod('a')]);
    assert.deepEqual([skip!.status, skip!.message], ['skip', 'preconditions not met']);
    const [fail] = evaluate([p], [pod('w', {}, { labels: { tier: 'web' } })]);
    assert.deepEqual([fail!.status, fail!.message], ['fail', 'w may not run as web']);
  });

  test('anyPattern reports every alternative', () => {
    const p = policy([
      {
        name: 'ap',
        match,
        validate: { anyPattern: [{ spec: { hostPID: false } }, { spec: { hostIPC: false } }] },
      },
    ]);
    const [r] = evaluate([p], [pod('a')]);
    assert.equal(r!.status, 'fail');
    assert.equal(
      r!.message,
      'validation error: rule ap[0] failed at path /spec/hostPID/ rule ap[1] failed at path /spec/hostIPC/',
    );
  });

  test('scored=false and --audit-warn turn failures into warnings', () => {
    const rule = { name: 'r', match, validate: { pattern: { spec: { hostNetwork: true } } } };
    assert.equal(
      evaluate([policy([rule], { annotations: { 'policies.kyverno.io/scored': 'false' } })], [pod('a')])[0]!
        .status,
      'warn',
    );
    assert.equal(evaluate([policy([rule])], [pod('a')], { auditWarn: true })[0]!.status, 'warn');
    assert.equal(
      evaluate([policy([rule], { action: 'Enforce' })], [pod('a')], { auditWarn: true })[0]!.status,
      'fail',
    );
  });

  test('a namespaced Policy applies only in its namespace; unsupported rule types are reported as skip', () => {
    const ns = policy([{ name: 'r', match, validate: { pattern: { spec: { hostNetwork: true } } } }], {
      kind: 'Policy',
      namespace: 'team-a',
    });
    assert.equal(evaluate([ns], [pod('a')]).length, 0);
    assert.equal(evaluate([ns], [pod('b', {}, { namespace: 'team-a' })]).length, 1);
    const manifests = policy([{ name: 'm', match, validate: { manifests: { attestors: [] } } }]);
    const [r] = evaluate([manifests], [pod('a')]);
    assert.deepEqual([r!.status, r!.message], ['skip', 'validate.manifests rules are not supported yet']);
  });

  test('foreach with nested foreach, element scope and elementIndex', () => {
    const p = policy([
      {
        name: 'ports',
        match,
        validate: {
          message: 'container {{ element0.name }} port index {{ elementIndex1 }} uses a privileged port',
          foreach: [
            {
              list: 'request.object.spec.containers',
              foreach: [
                {
                  list: 'element.ports',
                  deny: {
                    conditions: {
                      any: [{ key: '{{ element.containerPort }}', operator: 'LessThan', value: 1024 }],
                    },
                  },
                },
              ],
            },
          ],
        },
      },
    ]);
    const ok = pod('ok', { containers: [{ name: 'a', image: 'x:1', ports: [{ containerPort: 8080 }] }] });
    const bad = pod('bad', {
      containers: [{ name: 'a', image: 'x:1', ports: [{ containerPort: 8080 }, { containerPort: 80 }] }],
    });
    const [r1] = evaluate([p], [ok]);
    const [r2] = evaluate([p], [bad]);
    assert.equal(r1!.status, 'pass');
    assert.equal(r2!.status, 'fail');
    assert.match(r2!.message, /container a port index 1 uses a privileged port/);
  });

  test('applyRules One stops at the first rule that applied', () => {
    const rules = [
      { name: 'first', match, validate: { pattern: { metadata: { name: '?*' } } } },
      { name: 'second', match, validate: { deny: {} } },
    ];
    const one = parsePolicy({
      content: {
        apiVersion: 'kyverno.io/v1',
        kind: 'ClusterPolicy',
        metadata: { name: 'p' },
        spec: { applyRules: 'One', rules },
      },
      origin,
    });
    assert.deepEqual(
      evaluate([one], [pod('a')]).map((r) => r.rule),
      ['first'],
    );
    assert.deepEqual(
      evaluate([policy(rules)], [pod('a')]).map((r) => r.rule),
      ['first', 'second'],
    );
  });

  test('foreach over a single value treats it as a one-element list, as Kyverno does', () => {
    const p = policy([
      {
        name: 'labels',
        match,
        validate: {
          foreach: [
            {
              list: 'request.object.metadata.labels',
              deny: { conditions: { any: [{ key: '{{ element.app }}', operator: 'Equals', value: 'bad' }] } },
            },
          ],
        },
      },
    ]);
    assert.equal(evaluate([p], [pod('a', {}, { labels: { app: 'bad' } })])[0]!.status, 'fail');
    assert.equal(evaluate([p], [pod('b', {}, { labels: { app: 'good' } })])[0]!.status, 'pass');
  });

  test('policyTimer gets each policy once per resource and phase, with its seconds', () => {
    const rule = (name: string) => ({
      name,
      match,
      validate: { message: 'm', pattern: { metadata: { name: '?*' } } },
    });
    const a = policy([rule('a')]);
    const b = parsePolicy({
      content: {
        apiVersion: 'kyverno.io/v1',
        kind: 'ClusterPolicy',
        metadata: { name: 'other' },
        spec: {
          rules: [
            {
              name: 'svc',
              match: { any: [{ resources: { kinds: ['Service'] } }] },
              validate: { message: 'm', pattern: { x: 1 } },
            },
          ],
        },
      },
      origin,
    });
    const calls: [string, number][] = [];
    const results = evaluate([a, b], [pod('one'), pod('two')], {
      policyTimer: (p, seconds) => calls.push([p.name, seconds]),
    });
    assert.equal(results.length, 2);
    // A policy that matched nothing was still run (its match checked) and timed.
    assert.deepEqual(
      calls.map(([name]) => name),
      ['p', 'other', 'p', 'other'],
    );
    assert.ok(calls.every(([, s]) => s >= 0 && s < 5));
  });
  test('countPass takes plain validate passes instead of responses; everything else stays a response', () => {
    const p = policy([
      {
        name: 'host-net',
        match,
        validate: { message: 'no host network', pattern: { spec: { '=(hostNetwork)': false } } },
      },
      {
        name: 'only-named-ok',
        match,
        preconditions: {
          all: [{ key: '{{ request.object.metadata.name }}', operator: 'Equals', value: 'ok' }],
        },
        validate: { message: 'never', deny: {} },
      },
    ]);
    const docs = [pod('ok'), pod('bad', { hostNetwork: true })];
    const counted: string[] = [];
    const responses = evaluate([p], docs, {
      countPass: (policy, rule) => counted.push(`${policy.name}/${rule}`),
    });
    assert.deepEqual(counted, ['p/host-net']);
    assert.deepEqual(
      responses.map((r) => `${r.resource.name}/${r.rule}/${r.status}`),
      ['ok/only-named-ok/fail', 'bad/host-net/fail', 'bad/only-named-ok/skip'],
    );
    // Without it, the pass is a response like any other.
    assert.deepEqual(
      evaluate([p], docs).map((r) => `${r.resource.name}/${r.rule}/${r.status}`),
      ['ok/host-net/pass', 'ok/only-named-ok/fail', 'bad/host-net/fail', 'bad/only-named-ok/skip'],
    );
  });
});
