import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkKind,
  type MatchContext,
  matchesRule,
  parseKindSelector,
  selectorMatches,
} from '../../../src/policy/match/index.js';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-1',
    namespace: 'prod',
    labels: { app: 'web', tier: 'frontend' },
    annotations: { 'team.example.com/owner': 'alice' },
  },
};
const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', namespace: 'dev', labels: { app: 'api' } },
};

function ctx(resource: Record<string, any>, extra: Partial<MatchContext> = {}): MatchContext {
  return { resource, operation: 'CREATE', ...extra };
}

function matched(rule: { match?: unknown; exclude?: unknown }, c: MatchContext): boolean {
  return matchesRule(rule, c).matched;
}

const kinds = (...k: string[]) => ({ match: { any: [{ resources: { kinds: k } }] } });

describe('kind selectors', () => {
  test('parse every documented form', () => {
    assert.deepEqual(parseKindSelector('Pod'), { group: '*', version: '*', kind: 'Pod', subresource: '' });
    assert.deepEqual(parseKindSelector('v1/Pod'), {
      group: '*',
      version: 'v1',
      kind: 'Pod',
      subresource: '',
    });
    assert.deepEqual(parseKindSelector('apps/v1/Deployment'), {
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
      subresource: '',
    });
    assert.deepEqual(parseKindSelector('Pod/exec'), {
      group: '*',
      version: '*',
      kind: 'Pod',
      subresource: 'exec',
    });
    assert.deepEqual(parseKindSelector('Pod.status'), {
      group: '*',
      version: '*',
      kind: 'Pod',
      subresource: 'status',
    });
    assert.deepEqual(parseKindSelector('*/scale'), {
      group: '*',
      version: '*',
      kind: '*',
      subresource: 'scale',
    });
    assert.deepEqual(parseKindSelector('*/*'), { group: '*', version: '*', kind: '*', subresource: '*' });
    assert.deepEqual(parseKindSelector('apps/v1/Deployment/scale'), {
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
      subresource: 'scale',
    });
    assert.deepEqual(parseKindSelector('v1beta1/CronJob/status'), {
      group: '*',
      version: 'v1beta1',
      kind: 'CronJob',
      subresource: 'status',
    });
  });

  test('matching against group, version, kind and subresource', () => {
    const podGvk = { group: '', version: 'v1', kind: 'Pod' };
    assert.ok(checkKind(['Pod'], podGvk, ''));
    assert.ok(checkKind(['v1/Pod'], podGvk, ''));
    assert.ok(!checkKind(['v2/Pod'], podGvk, ''));
    assert.ok(checkKind(['*'], podGvk, ''));
    assert.ok(checkKind(['P*'], podGvk, ''));
    assert.ok(!checkKind(['Pod'], podGvk, 'exec'));
    assert.ok(checkKind(['Pod/exec'], podGvk, 'exec'));
    assert.ok(checkKind(['Pod'], podGvk, 'ephemeralcontainers'));
    assert.ok(checkKind(['*/*'], podGvk, 'exec'));
    assert.ok(checkKind(['apps/v1/Deployment'], { group: 'apps', version: 'v1', kind: 'Deployment' }, ''));
    assert.ok(!checkKind(['batch/v1/Deployment'], { group: 'apps', version: 'v1', kind: 'Deployment' }, ''));
  });

  test('Kyverno Test_CheckKind cases', () => {
    const pod = { group: '', version: 'v1', kind: 'Pod' };
    assert.ok(checkKind(['*'], { group: '', version: 'v1', kind: 'Deployment' }, ''));
    assert.ok(
      checkKind(
        ['tekton.dev/v1beta1/TaskRun'],
        { group: 'tekton.dev', version: 'v1beta1', kind: 'TaskRun' },
        '',
      ),
    );
    assert.ok(
      checkKind(['tekton.dev/*/TaskRun'], { group: 'tekton.dev', version: 'v1alpha1', kind: 'TaskRun' }, ''),
    );
    assert.ok(!checkKind(['v1/Pod'], pod, 'status'));
    assert.ok(checkKind(['postgresdb'], { group: 'acid.zalan.do', version: 'v1', kind: 'postgresdb' }, ''));
    assert.ok(!checkKind(['Postgresdb'], { group: 'acid.zalan.do', version: 'v1', kind: 'postgresdb' }, ''));
    assert.ok(
      checkKind(
        ['networking.k8s.io/v1/NetworkPolicy/status'],
        { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy' },
        'status',
      ),
    );
    assert.ok(checkKind(['v1/Pod.status'], pod, 'status'));
    assert.ok(checkKind(['*/Pod.eviction'], pod, 'eviction'));
    assert.ok(!checkKind(['v1alpha1/Pod.eviction'], pod, 'eviction'));
  });

  test('rules match by kind in any form', () => {
    assert.ok(matched(kinds('Pod'), ctx(pod)));
    assert.ok(matched(kinds('v1/Pod'), ctx(pod)));
    assert.ok(matched(kinds('*/Pod'), ctx(pod)), '"*" in front is a version wildcard');
    assert.ok(matched(kinds('Deployment', 'Pod'), ctx(pod)));
    assert.ok(!matched(kinds('Deployment'), ctx(pod)));
    assert.ok(matched(kinds('apps/v1/Deployment'), ctx(deployment)));
    assert.ok(matched(kinds('Pod/exec'), ctx(pod, { subresource: 'exec' })));
    assert.ok(!matched(kinds('Pod'), ctx(pod, { subresource: 'exec' })));
  });
});

describe('resource description', () => {
  test('name and names use wildcards; generateName is used when name is empty', () => {
    assert.ok(matched({ match: { any: [{ resources: { kinds: ['Pod'], name: 'web-*' } }] } }, ctx(pod)));
    assert.ok(!matched({ match: { any: [{ resources: { kinds: ['Pod'], name: 'api' } }] } }, ctx(pod)));
    assert.ok(matched({ match: { any: [{ resources: { names: ['x', 'web-?'] } }] } }, ctx(pod)));
    const generated = { ...pod, metadata: { ...pod.metadata, name: '', generateName: 'job-' } };
    assert.ok(matched({ match: { any: [{ resources: { names: ['job-*'] } }] } }, ctx(generated)));
  });

  test('namespaces use wildcards; a Namespace is matched by its own name', () => {
    assert.ok(matched({ match: { any: [{ resources: { namespaces: ['pr*'] } }] } }, ctx(pod)));
    assert.ok(!matched({ match: { any: [{ resources: { namespaces: ['dev'] } }] } }, ctx(pod)));
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod' } };
    assert.ok(
      matched({ match: { any: [{ resources: { kinds: ['Namespace'], namespaces: ['prod'] } }] } }, ctx(ns)),
    );
  });

  test('annotations need every expected key/value to match some annotation (wildcards both sides)', () => {
    const rule = (a: Record<string, string>) => ({ match: { any: [{ resources: { annotations: a } }] } });
    assert.ok(matched(rule({ 'team.example.com/*': 'a*' }), ctx(pod)));
    assert.ok(!matched(rule({ 'team.example.com/owner': 'bob' }), ctx(pod)));
  });

  test('selector: matchLabels (with wildcards) and matchExpressions', () => {
    const rule = (selector: unknown) => ({ match: { any: [{ resources: { kinds: ['Pod'], selector } }] } });
    assert.ok(matched(rule({ matchLabels: { app: 'web' } }), ctx(pod)));
    assert.ok(matched(rule({ matchLabels: { 'ti*': 'front*' } }), ctx(pod)));
    assert.ok(!matched(rule({ matchLabels: { app: 'api' } }), ctx(pod)));
    assert.ok(matched(rule({}), ctx(pod)));
    assert.ok(
      matched(rule({ matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'x'] }] }), ctx(pod)),
    );
    assert.ok(
      matched(rule({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['api'] }] }), ctx(pod)),
    );
    assert.ok(matched(rule({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }), ctx(pod)));
    assert.ok(!matched(rule({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }), ctx(pod)));
    const bad = matchesRule(
      {
        match: {
          resources: {
            kinds: ['Pod'],
            selector: { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] },
          },
        },
      },
      ctx(pod),
    );
    assert.equal(bad.matched, false);
    assert.match(bad.reason ?? '', /failed to parse selector/);
  });

  test('selectorMatches is usable directly', () => {
    assert.ok(selectorMatches({ matchLabels: { a: 'b' } }, { a: 'b', c: 'd' }));
    assert.ok(
      !selectorMatches({ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['b'] }] }, { a: 'b' }),
    );
    assert.throws(() => selectorMatches({ matchExpressions: [{ key: 'a', operator: 'Has' }] }, {}));
  });

  test('namespaceSelector uses the labels of the resource namespace', () => {
    const rule = {
      match: {
        any: [{ resources: { kinds: ['Pod'], namespaceSelector: { matchLabels: { env: 'prod' } } } }],
      },
    };
    const labels = (ns: string) => (ns === 'prod' ? { env: 'prod' } : undefined);
    assert.ok(matched(rule, ctx(pod, { namespaceLabels: labels })));
    assert.ok(!matched(rule, ctx(pod)));
    assert.ok(
      !matched(
        { match: { any: [{ resources: { namespaceSelector: {} } }] } },
        ctx({ kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'x' } }),
      ),
    );
  });

  test('operations restrict the admission operation', () => {
    const rule = { match: { any: [{ resources: { kinds: ['Pod'], operations: ['CREATE', 'UPDATE'] } }] } };
    assert.ok(matched(rule, ctx(pod)));
    assert.ok(!matched(rule, ctx(pod, { operation: 'DELETE' })));
  });
});

describe('any / all / legacy forms and exclude', () => {
  test('any needs one filter, all needs every filter', () => {
    assert.ok(
      matched(
        { match: { any: [{ resources: { kinds: ['Deployment'] } }, { resources: { kinds: ['Pod'] } }] } },
        ctx(pod),
      ),
    );
    assert.ok(
      !matched(
        { match: { all: [{ resources: { kinds: ['Pod'] } }, { resources: { namespaces: ['dev'] } }] } },
        ctx(pod),
      ),
    );
    assert.ok(
      matched(
        { match: { all: [{ resources: { kinds: ['Pod'] } }, { resources: { namespaces: ['prod'] } }] } },
        ctx(pod),
      ),
    );
  });

  test('legacy flat form', () => {
    assert.ok(matched({ match: { resources: { kinds: ['Pod'], namespaces: ['prod'] } } }, ctx(pod)));
    assert.ok(!matched({ match: { resources: { kinds: ['Pod'], namespaces: ['dev'] } } }, ctx(pod)));
  });

  test('an empty match never matches', () => {
    const out = matchesRule({ match: {} }, ctx(pod));
    assert.equal(out.matched, false);
    assert.match(out.reason ?? '', /match cannot be empty/);
    assert.equal(matched({}, ctx(pod)), false);
  });

  test('exclude any: excluded if one filter applies; exclude all: only if every filter applies', () => {
    const base = { match: { any: [{ resources: { kinds: ['Pod'] } }] } };
    assert.ok(
      !matched(
        {
          ...base,
          exclude: { any: [{ resources: { namespaces: ['prod'] } }, { resources: { names: ['x'] } }] },
        },
        ctx(pod),
      ),
    );
    assert.ok(
      matched(
        {
          ...base,
          exclude: { all: [{ resources: { namespaces: ['prod'] } }, { resources: { names: ['x'] } }] },
        },
        ctx(pod),
      ),
    );
    assert.ok(
      !matched(
        {
          ...base,
          exclude: { all: [{ resources: { namespaces: ['prod'] } }, { resources: { names: ['web-*'] } }] },
        },
        ctx(pod),
      ),
    );
    assert.ok(!matched({ ...base, exclude: { resources: { namespaces: ['prod'] } } }, ctx(pod)));
    const out = matchesRule(
      { name: 'r', ...base, exclude: { any: [{ resources: { namespaces: ['prod'] } }] } },
      ctx(pod),
    );
    assert.equal(
      out.reason,
      'rule r not matched:\n 1. resource excluded since one of the criteria excluded it',
    );
  });

  test('a namespaced Policy only sees resources of its namespace', () => {
    assert.ok(!matched(kinds('Pod'), ctx(pod, { policyNamespace: 'dev' })));
    assert.ok(matched(kinds('Pod'), ctx(pod, { policyNamespace: 'prod' })));
  });
});

describe('user info', () => {
  const admin = {
    username: 'alice',
    groups: ['system:masters'],
    clusterRoles: ['cluster-admin'],
    roles: ['prod:editor'],
  };
  const sa = { username: 'system:serviceaccount:ci:deployer', groups: ['system:serviceaccounts'] };

  test('subjects: User, Group and ServiceAccount with wildcards', () => {
    const rule = (subjects: unknown[]) => ({ match: { any: [{ resources: { kinds: ['Pod'] }, subjects }] } });
    assert.ok(matched(rule([{ kind: 'User', name: 'ali*' }]), ctx(pod, { userInfo: admin })));
    assert.ok(!matched(rule([{ kind: 'User', name: 'bob' }]), ctx(pod, { userInfo: admin })));
    assert.ok(matched(rule([{ kind: 'Group', name: 'system:masters' }]), ctx(pod, { userInfo: admin })));
    assert.ok(
      matched(
        rule([{ kind: 'ServiceAccount', name: 'deployer', namespace: 'ci' }]),
        ctx(pod, { userInfo: sa }),
      ),
    );
    assert.ok(
      !matched(
        rule([{ kind: 'ServiceAccount', name: 'deployer', namespace: 'prod' }]),
        ctx(pod, { userInfo: sa }),
      ),
    );
  });

  test('roles and clusterRoles need one common entry', () => {
    assert.ok(
      matched(
        { match: { any: [{ resources: { kinds: ['Pod'] }, clusterRoles: ['cluster-admin'] }] } },
        ctx(pod, { userInfo: admin }),
      ),
    );
    assert.ok(
      !matched(
        { match: { any: [{ resources: { kinds: ['Pod'] }, roles: ['prod:viewer'] }] } },
        ctx(pod, { userInfo: admin }),
      ),
    );
  });

  test('without request user info, match ignores user constraints but exclude does not apply them', () => {
    assert.ok(
      matched(
        { match: { any: [{ resources: { kinds: ['Pod'] }, subjects: [{ kind: 'User', name: 'bob' }] }] } },
        ctx(pod),
      ),
    );
    const rule = {
      match: { any: [{ resources: { kinds: ['Pod'] } }] },
      exclude: { any: [{ clusterRoles: ['cluster-admin'] }] },
    };
    assert.ok(matched(rule, ctx(pod)));
    assert.ok(!matched(rule, ctx(pod, { userInfo: admin })));
  });
});
