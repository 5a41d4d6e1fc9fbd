import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluateResources } from '../../src/policy/engine/evaluate.js';
import type { LoadedPolicy } from '../../src/policy/model/types.js';
import { parsePolicy } from '../../src/policy/parse.js';
import { decide, planFor } from '../../src/serve/decide.js';
import type { PolicySet } from '../../src/serve/policy-set.js';
import type { AdmissionRequest } from '../../src/serve/review.js';

const origin = { file: 'p.yaml', line: 1, column: 1, index: 0 };

function policy(name: string, rules: Record<string, unknown>[], action = 'Enforce'): LoadedPolicy {
  return parsePolicy({
    content: {
      apiVersion: 'kyverno.io/v1',
      kind: 'ClusterPolicy',
      metadata: { name },
      spec: { validationFailureAction: action, background: true, rules },
    },
    origin,
  });
}

const on = (kinds: string[], operations?: string[]) => ({
  any: [{ resources: { kinds, ...(operations ? { operations } : {}) } }],
});
const requireLabel = (name: string, label: string, kinds = ['Pod'], operations?: string[]) =>
  policy(name, [
    {
      name: 'check',
      match: on(kinds, operations),
      validate: { message: `${label} is required`, pattern: { metadata: { labels: { [label]: '?*' } } } },
    },
  ]);
/** Adds `team: platform`, then requires it: passes only if it validates its own mutation. */
const addsThenRequires = policy('adds-then-requires', [
  {
    name: 'add',
    match: on(['Pod']),
    mutate: { patchStrategicMerge: { metadata: { labels: { '+(team)': 'platform' } } } },
  },
  {
    name: 'check',
    match: on(['Pod']),
    validate: { message: 'team is required', pattern: { metadata: { labels: { team: '?*' } } } },
  },
]);

function set(policies: LoadedPolicy[]): PolicySet {
  return { policies, exceptions: [], loadedAt: new Date() };
}

function request(
  kind: string,
  operation: AdmissionRequest['operation'],
  labels: Record<string, string> = {},
): AdmissionRequest {
  const object = { apiVersion: 'v1', kind, metadata: { name: 'x', namespace: 'ns', labels } };
  return {
    uid: 'u1',
    kind: { group: '', version: 'v1', kind },
    resource: { group: '', version: 'v1', resource: `${kind.toLowerCase()}s` },
    namespace: 'ns',
    operation,
    userInfo: { username: 'alice' },
    object: operation === 'DELETE' ? null : object,
    oldObject: operation === 'DELETE' ? object : null,
    dryRun: false,
  };
}

const options = { namespaceLabels: () => ({}), failurePolicy: 'Fail' as const };

describe('serve/decide', () => {
  test('the plan keeps only policies whose match can select the kind and operation', () => {
    const pods = requireLabel('pods', 'app');
    const services = requireLabel('services', 'app', ['Service']);
    const deletes = requireLabel('deletes', 'app', ['Pod'], ['DELETE']);
    const anyKind = requireLabel('any-kind', 'app', ['*']);
    const s = set([pods, services, deletes, anyKind]);
    const names = (r: AdmissionRequest) => planFor(s, 'validate', r).together.map((p) => p.name);
    assert.deepEqual(names(request('Pod', 'CREATE')), ['pods', 'any-kind']);
    assert.deepEqual(names(request('Pod', 'DELETE')), ['pods', 'deletes', 'any-kind']);
    assert.deepEqual(names(request('Service', 'CREATE')), ['services', 'any-kind']);
    // Worked out once per set: the same plan object answers the next request.
    assert.equal(
      planFor(s, 'validate', request('Pod', 'CREATE')),
      planFor(s, 'validate', request('Pod', 'CREATE')),
    );
    // A subresource request matches as <parent>/<sub>: no narrowing.
    const exec = { ...request('PodExecOptions', 'CONNECT'), subResource: 'exec' };
    assert.deepEqual(planFor(s, 'validate', exec).together.length, 4);
  });

  test('/validate runs validate-only policies together and a policy that mutates on its own', () => {
    const s = set([requireLabel('needs-team', 'team'), addsThenRequires, requireLabel('needs-app', 'app')]);
    const plan = planFor(s, 'validate', request('Pod', 'CREATE'));
    assert.deepEqual(
      plan.together.map((p) => p.name),
      ['needs-team', 'needs-app'],
    );
    assert.deepEqual(
      plan.alone.map((p) => p.name),
      ['adds-then-requires'],
    );
    const { decision, responses } = decide(s, request('Pod', 'CREATE', { app: 'web' }), 'validate', options);
    // adds-then-requires passes on its own mutation; needs-team does not see that mutation.
    assert.deepEqual(
      responses.map((r) => `${r.policy}/${r.rule}=${r.status}`),
      [
        'needs-team/check=fail',
        'adds-then-requires/add=pass',
        'adds-then-requires/check=pass',
        'needs-app/check=pass',
      ],
    );
    assert.equal(decision.allowed, false);
    assert.match(decision.message ?? '', /needs-team:\n {2}check: validation error: team is required/);
  });

  test('one engine call gives what one call per policy gave', () => {
    const policies = [
      requireLabel('a', 'app'),
      requireLabel('b', 'team', ['Pod'], ['UPDATE']),
      policy(
        'c',
        [
          {
            name: 'deny-default',
            match: on(['Pod']),
            validate: {
              message: 'not in default',
              deny: {
                conditions: { any: [{ key: '{{ request.namespace }}', operator: 'Equals', value: 'ns' }] },
              },
            },
          },
        ],
        'Audit',
      ),
      policy('d', [
        {
          name: 'cel',
          match: on(['Pod']),
          validate: { cel: { expressions: [{ expression: "object.metadata.name == 'x'" }] } },
        },
      ]),
    ];
    const s = set(policies);
    const req = request('Pod', 'CREATE', { team: 't' });
    const together = decide(s, req, 'validate', options).responses;
    const doc = {
      id: 'admission:u1',
      origin: { file: 'admission:u1', line: 1, column: 1, index: 0 },
      format: 'kubernetes' as const,
      content: req.object!,
    };
    const engine = {
      operation: req.operation,
      userInfo: req.userInfo,
      oldObject: () => null,
      namespaceLabels: options.namespaceLabels,
      reportUnsupportedPolicies: false,
    };
    const onePerPolicy = policies.flatMap(
      (p) => evaluateResources([p], [doc], engine).resources[0]?.ruleResponses ?? [],
    );
    const view = (rs: typeof together) => rs.map((r) => [r.policy, r.rule, r.status, r.message]);
    assert.deepEqual(view(together), view(onePerPolicy));
    assert.equal(together.length, 3); // b selects UPDATE only
  });

  test('observe gets every evaluated policy once, with its own responses and seconds', () => {
    const s = set([requireLabel('needs-team', 'team'), addsThenRequires, requireLabel('needs-app', 'app')]);
    const seen: string[] = [];
    decide(s, request('Pod', 'CREATE', { app: 'web' }), 'validate', {
      ...options,
      observe: (p, responses, seconds) => {
        assert.ok(seconds >= 0 && seconds < 5);
        seen.push(`${p.name}:${responses.map((r) => `${r.rule}=${r.status}`).join(',')}`);
      },
    });
    assert.deepEqual(seen.sort(), [
      'adds-then-requires:add=pass,check=pass',
      'needs-app:check=pass',
      'needs-team:check=fail',
    ]);
    const mutated: string[] = [];
    decide(s, request('Pod', 'CREATE', { app: 'web' }), 'mutate', {
      ...options,
      observe: (p, responses) => mutated.push(`${p.name}:${responses.map((r) => r.status).join(',')}`),
    });
    assert.deepEqual(mutated, ['adds-then-requires:pass,pass']); // its mutate and its validate rule
  });
});
