import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { UserError } from '../../../../src/core/errors.js';
import '../../../../src/policy/builtins.js';
import { evaluateResources } from '../../../../src/policy/engine/evaluate.js';
import { evaluateMpol, loadMpol } from '../../../../src/policy/kinds/mpol/policy.js';
import { loadPolicyDocuments } from '../../../../src/policy/parse.js';
import { fixture, runRampart } from '../../../helpers/index.js';

const podRules = {
  resourceRules: [
    { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods'] },
  ],
};
const mpolDoc = (spec: Record<string, unknown>, kind = 'MutatingPolicy', namespace?: string) => ({
  apiVersion: 'policies.kyverno.io/v1',
  kind,
  metadata: { name: 'add-team', ...(namespace ? { namespace } : {}) },
  spec: { matchConstraints: podRules, ...spec },
});
const pod = (labels: Record<string, string> = {}, namespace = 'apps') => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace, labels },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
});
const addTeam = {
  mutations: [
    {
      patchType: 'ApplyConfiguration',
      applyConfiguration: { expression: 'Object{metadata: Object.metadata{labels: {"team": "core"}}}' },
    },
  ],
};

describe('MutatingPolicy', () => {
  test('an apply configuration patches the object: pass "success" with the patched object', () => {
    const out = evaluateMpol(loadMpol(mpolDoc(addTeam)), { object: pod({ app: 'x' }) });
    assert.equal(out?.status, 'pass');
    assert.equal(out?.message, 'success');
    assert.deepEqual(out?.status === 'pass' && out.patched.metadata, {
      name: 'p',
      namespace: 'apps',
      labels: { app: 'x', team: 'core' },
    });
  });

  test('mutations that leave the object unchanged are a skip, as in Kyverno', () => {
    const out = evaluateMpol(loadMpol(mpolDoc(addTeam)), { object: pod({ team: 'core' }) });
    assert.deepEqual(out, { status: 'skip', message: 'skip' });
    const empty = evaluateMpol(
      loadMpol(mpolDoc({ mutations: [{ patchType: 'JSONPatch', jsonPatch: { expression: '[]' } }] })),
      { object: pod() },
    );
    assert.equal(empty?.status, 'skip');
  });

  test('matchConditions not met: skip; not selected by matchConstraints: no response', () => {
    const policy = loadMpol(
      mpolDoc({
        ...addTeam,
        matchConditions: [{ name: 'labelled', expression: 'has(object.metadata.labels.app)' }],
      }),
    );
    assert.equal(evaluateMpol(policy, { object: pod() })?.status, 'skip');
    assert.equal(evaluateMpol(policy, { object: pod({ app: 'a' }) })?.status, 'pass');
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
    assert.equal(evaluateMpol(policy, { object: cm }), undefined);
  });

  test('JSONPatch mutations apply in order, each seeing the previous result, with variables', () => {
    const policy = loadMpol(
      mpolDoc({
        variables: [{ name: 'team', expression: "'core'" }],
        mutations: [
          {
            patchType: 'JSONPatch',
            jsonPatch: {
              expression: '[JSONPatch{op: "add", path: "/metadata/labels/team", value: variables.team}]',
            },
          },
          {
            patchType: 'JSONPatch',
            jsonPatch: {
              expression:
                '[JSONPatch{op: "add", path: "/metadata/labels/copy", value: object.metadata.labels.team + "-2"}]',
            },
          },
        ],
      }),
    );
    const out = evaluateMpol(policy, { object: pod() });
    assert.equal(out?.status, 'pass');
    assert.deepEqual(out?.status === 'pass' && out.patched.metadata, {
      name: 'p',
      namespace: 'apps',
      labels: { team: 'core', copy: 'core-2' },
    });
  });

  test('a failing expression or an impossible patch is an error carrying the expression', () => {
    const bad = loadMpol(
      mpolDoc({ mutations: [{ patchType: 'JSONPatch', jsonPatch: { expression: 'object.spec.nothing' } }] }),
    );
    const out = evaluateMpol(bad, { object: pod() });
    assert.equal(out?.status, 'error');
    assert.match(out?.message ?? '', /object\.spec\.nothing/);
    const removeMissing = loadMpol(
      mpolDoc({
        mutations: [
          { patchType: 'JSONPatch', jsonPatch: { expression: '[JSONPatch{op: "remove", path: "/x/y"}]' } },
        ],
      }),
    );
    assert.equal(evaluateMpol(removeMissing, { object: pod() })?.status, 'error');
  });

  test('a NamespacedMutatingPolicy only sees objects of its namespace', () => {
    const policy = loadMpol(mpolDoc(addTeam, 'NamespacedMutatingPolicy', 'apps'));
    assert.equal(evaluateMpol(policy, { object: pod({}, 'apps') })?.status, 'pass');
    assert.equal(evaluateMpol(policy, { object: pod({}, 'other') }), undefined);
  });

  test('a syntax error rejects the policy naming the mutation field', () => {
    assert.throws(
      () =>
        loadMpol(
          mpolDoc({
            mutations: [{ patchType: 'JSONPatch', jsonPatch: { expression: '[JSONPatch{op: }]' } }],
          }),
        ),
      (e: unknown) =>
        e instanceof UserError &&
        /MutatingPolicy\/add-team: spec\.mutations\[0\]\.jsonPatch\.expression/.test(e.message),
    );
  });

  test('through the engine the patched object feeds the ValidatingPolicy that runs after it', () => {
    const doc = (content: Record<string, unknown>, index: number) => ({
      id: String(index),
      origin: { file: 'p.yaml', line: 1, column: 1, index },
      format: 'kubernetes' as const,
      content,
    });
    const vpol = {
      apiVersion: 'policies.kyverno.io/v1',
      kind: 'ValidatingPolicy',
      metadata: { name: 'need-team' },
      spec: { matchConstraints: podRules, validations: [{ expression: 'has(object.metadata.labels.team)' }] },
    };
    const loaded = loadPolicyDocuments([doc(vpol, 0), doc(mpolDoc(addTeam), 1)]);
    assert.deepEqual(loaded.invalid, []);
    const response = evaluateResources(loaded.policies, [doc(pod(), 0)]);
    const [resource] = response.resources;
    assert.deepEqual(
      resource?.ruleResponses.map((r) => [r.policy, r.status]),
      [
        ['add-team', 'pass'],
        ['need-team', 'pass'],
      ],
    );
    assert.equal(
      (resource?.patchedResource?.metadata as { labels?: Record<string, string> } | undefined)?.labels?.team,
      'core',
    );
  });
});

describe("MutatingPolicy suites of Kyverno's policy library under `rampart test`", () => {
  const root = fixture('policy', 'kinds', 'mpol', 'suites');
  for (const suite of readdirSync(root)) {
    test(suite, async () => {
      const r = await runRampart(['test', `${root}/${suite}`]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /Test Summary: [1-9]\d* tests passed and 0 tests failed/);
    });
  }
});
