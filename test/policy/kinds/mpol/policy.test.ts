import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { UserError } from '../../../../src/core/errors.js';
import '../../../../src/policy/builtins.js';
import { evaluateResources } from '../../../../src/policy/engine/evaluate.js';
import {
  mutatingAutogenExpression,
  mutatingAutogenSpecs,
} from '../../../../src/policy/kinds/admission/autogen.js';
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
    // `unchanged`: the mutations did run (an IfNeeded policy may be reinvoked), unlike a matchConditions skip.
    assert.deepEqual(out, { status: 'skip', message: 'skip', unchanged: true });
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
    assert.deepEqual(evaluateMpol(policy, { object: pod() }), { status: 'skip', message: 'skip' });
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

describe('MutatingPolicy autogen for Pod controllers (Kyverno pkg/cel/policies/mpol/autogen)', () => {
  const deployment = (podSpec: Record<string, unknown>, templateMeta: Record<string, unknown> = {}) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'apps' },
    spec: { selector: {}, template: { metadata: templateMeta, spec: podSpec } },
  });
  const cronJob = (podSpec: Record<string, unknown>) => ({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'c', namespace: 'apps' },
    spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: podSpec } } } },
  });

  test('expressions are rewritten as Kyverno does: paths, then an Object{} literal wrapped into the template', () => {
    assert.equal(
      mutatingAutogenExpression(
        'Object{spec: Object.spec{hostNetwork: !has(object.spec.hostNetwork)}}',
        'defaults',
      ),
      'Object{spec: Object.spec{template: Object.spec.template{spec: Object.spec.template.spec{hostNetwork: !has(object.spec.template.spec.hostNetwork)}}}}',
    );
    assert.equal(
      mutatingAutogenExpression('  Object{metadata: Object.metadata{labels: {"a": "b"}}}', 'cronjobs'),
      'Object{spec: Object.spec{jobTemplate: Object.spec.jobTemplate{spec: Object.spec.jobTemplate.spec{template: Object.spec.jobTemplate.spec.template{metadata: Object.metadata{labels: {"a": "b"}}}}}}}',
    );
    // Labels and annotations move to the template; the object's own name does not.
    assert.equal(
      mutatingAutogenExpression('object.metadata.labels.app == object.metadata.name', 'defaults'),
      'object.spec.template.metadata.labels.app == object.metadata.name',
    );
  });

  test('only matchConditions and ApplyConfiguration expressions change; JSONPatch and variables stay as written', () => {
    const spec = {
      matchConstraints: podRules,
      variables: [{ name: 'c', expression: 'object.spec.containers' }],
      matchConditions: [{ name: 'm', expression: 'has(object.spec.volumes)' }],
      mutations: [
        {
          patchType: 'JSONPatch',
          jsonPatch: { expression: '[JSONPatch{op: "add", path: "/spec/x", value: object.spec.y}]' },
        },
        {
          patchType: 'ApplyConfiguration',
          applyConfiguration: { expression: 'Object{spec: Object.spec{}}' },
        },
      ],
    };
    const [cronjobs, defaults] = mutatingAutogenSpecs(spec);
    assert.deepEqual([cronjobs?.name, defaults?.name], ['cronjobs', 'defaults']);
    assert.deepEqual(defaults?.kinds, ['DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet', 'Job']);
    const s = cronjobs?.spec as typeof spec;
    assert.deepEqual(s.variables, spec.variables);
    assert.deepEqual(s.mutations[0], spec.mutations[0]);
    assert.equal(s.matchConditions[0]?.expression, 'has(object.spec.jobTemplate.spec.template.spec.volumes)');
    assert.deepEqual(
      (s as unknown as { matchConstraints: { resourceRules: unknown[] } }).matchConstraints.resourceRules,
      [
        {
          apiGroups: ['batch'],
          apiVersions: ['v1'],
          resources: ['cronjobs'],
          operations: ['CREATE', 'UPDATE'],
        },
      ],
    );
    assert.equal(
      spec.matchConditions[0]?.expression,
      'has(object.spec.volumes)',
      'the policy itself is untouched',
    );
  });

  test('the same policy patches the template of a Deployment and a CronJob, with the same name and verdicts', () => {
    const policy = loadMpol(
      mpolDoc({
        mutations: [
          {
            patchType: 'ApplyConfiguration',
            applyConfiguration: {
              expression:
                'Object{spec: Object.spec{hostNetwork: false}, metadata: Object.metadata{labels: {"team": "core"}}}',
            },
          },
        ],
      }),
    );
    const d = evaluateMpol(policy, { object: deployment({ containers: [] }) });
    assert.equal(d?.status, 'pass');
    const dspec = (d?.status === 'pass' ? d.patched.spec : {}) as Record<string, Record<string, unknown>>;
    assert.deepEqual(dspec.template, {
      metadata: { labels: { team: 'core' } },
      spec: { containers: [], hostNetwork: false },
    });
    const c = evaluateMpol(policy, { object: cronJob({ containers: [] }) });
    assert.equal(c?.status, 'pass');
    assert.deepEqual(
      JSON.parse(JSON.stringify(c?.status === 'pass' && c.patched)).spec.jobTemplate.spec.template.spec,
      { containers: [], hostNetwork: false },
    );
    // Already as the policy wants: skip, as for a Pod.
    const same = evaluateMpol(policy, {
      object: deployment({ containers: [], hostNetwork: false }, { labels: { team: 'core' } }),
    });
    assert.deepEqual(same, { status: 'skip', message: 'skip', unchanged: true });
  });

  test('spec.autogen.podControllers.controllers selects the controllers; an empty list turns autogen off', () => {
    const only = loadMpol(
      mpolDoc({ ...addTeam, autogen: { podControllers: { controllers: ['cronjobs'] } } }),
    );
    assert.equal(evaluateMpol(only, { object: deployment({ containers: [] }) }), undefined);
    assert.equal(evaluateMpol(only, { object: cronJob({ containers: [] }) })?.status, 'pass');
    const off = loadMpol(mpolDoc({ ...addTeam, autogen: { podControllers: { controllers: [] } } }));
    assert.deepEqual(
      off.variants.map((v) => v.autogen),
      [undefined],
    );
  });

  test('no autogen when matchConstraints is more than one plain pods rule; NamespacedMutatingPolicy autogens too', () => {
    const selective = loadMpol(
      mpolDoc({ ...addTeam, matchConstraints: { ...podRules, objectSelector: { matchLabels: { a: 'b' } } } }),
    );
    assert.equal(selective.variants.length, 1);
    const ns = loadMpol(mpolDoc(addTeam, 'NamespacedMutatingPolicy', 'apps'));
    assert.deepEqual(
      ns.variants.map((v) => v.autogen),
      [undefined, 'cronjobs', 'defaults'],
    );
    assert.equal(evaluateMpol(ns, { object: deployment({ containers: [] }) })?.status, 'pass');
    assert.equal(
      evaluateMpol(ns, {
        object: { ...deployment({ containers: [] }), metadata: { name: 'd', namespace: 'x' } },
      }),
      undefined,
    );
  });

  test('an autogen variant is compiled on first use (a getter), not at load', () => {
    const policy = loadMpol(mpolDoc(addTeam));
    const variant = policy.variants[1];
    assert.ok(variant);
    assert.equal(Object.getOwnPropertyDescriptor(variant, 'compiled')?.get !== undefined, true);
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
