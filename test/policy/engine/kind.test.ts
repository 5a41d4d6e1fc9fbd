import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Document } from '../../../src/core/document.js';
import { isObject } from '../../../src/core/document.js';
import { UserError } from '../../../src/core/errors.js';
import { evaluateResources, resultsOf } from '../../../src/policy/engine/evaluate.js';
import {
  type LoadedPolicy,
  listPolicyKinds,
  type PolicyKind,
  registerPolicyKind,
} from '../../../src/policy/engine/kind.js';
import { ruleResponse } from '../../../src/policy/engine/response.js';
import { loadPolicies, loadResources } from '../../../src/policy/load.js';
import { PolicyValidationError, policyHeader } from '../../../src/policy/model/header.js';
import { isPolicyDocument } from '../../../src/policy/parse.js';
import { renderResults } from '../../../src/report/index.js';

/**
 * A minimal policy kind, registered through the public interface only: "every object of these kinds
 * carries these labels". Its bindings (companion documents) restrict it to namespaces, and a ConfigMap
 * from the resource set may add labels: the hooks a ValidatingAdmissionPolicy (bindings, params) or a
 * Gatekeeper ConstraintTemplate (constraints) need.
 */
const API = 'test.rampart.dev/v1';

interface LabelPolicy extends LoadedPolicy {
  kinds: string[];
  required: string[];
  paramsFrom?: string;
  namespaces?: string[];
  /** Set on a binding: the policy it binds. */
  bindsTo?: string;
}

function stringList(value: unknown, path: string, problems: string[]): string[] {
  if (!Array.isArray(value)) {
    problems.push(`${path}: must be a list of strings`);
    return [];
  }
  value.forEach((v, i) => {
    if (typeof v !== 'string') problems.push(`${path}[${i}]: must be a string`);
  });
  return value.filter((v): v is string => typeof v === 'string');
}

const labelKind: PolicyKind<LabelPolicy, Map<string, string[]>> = {
  id: 'test-labels',
  recognises: (c) => c.apiVersion === API && (c.kind === 'LabelPolicy' || c.kind === 'LabelBinding'),
  load(doc) {
    const header = policyHeader(doc.content, doc.origin);
    const spec = isObject(doc.content.spec) ? doc.content.spec : {};
    const problems: string[] = [];
    if (!header.name) problems.push('metadata.name: required');
    if (header.kind === 'LabelBinding') {
      if (typeof spec.policyName !== 'string') problems.push('spec.policyName: required string');
      const namespaces = stringList(spec.namespaces, 'spec.namespaces', problems);
      if (problems.length) throw new PolicyValidationError(header.name, problems, doc.origin ?? undefined);
      return { ...header, kinds: [], required: [], namespaces, bindsTo: String(spec.policyName) };
    }
    const kinds = stringList(spec.kinds, 'spec.kinds', problems);
    const required = stringList(spec.labels, 'spec.labels', problems);
    if (spec.paramsFrom !== undefined && typeof spec.paramsFrom !== 'string')
      problems.push('spec.paramsFrom: must be a ConfigMap name');
    if (problems.length) throw new PolicyValidationError(header.name, problems, doc.origin ?? undefined);
    return { ...header, kinds, required, paramsFrom: spec.paramsFrom as string | undefined };
  },
  link(own) {
    const policies = own.filter((p) => !p.bindsTo).map((p) => ({ ...p }));
    const invalid = [];
    for (const b of own.filter((p) => p.bindsTo)) {
      const target = policies.find((p) => p.name === b.bindsTo);
      if (!target) {
        invalid.push({
          name: b.name,
          origin: b.origin,
          error: new UserError(`LabelBinding "${b.name}": spec.policyName: no LabelPolicy "${b.bindsTo}"`),
        });
        continue;
      }
      target.namespaces = [...(target.namespaces ?? []), ...(b.namespaces ?? [])];
      target.companions = [...(target.companions ?? []), { content: b.raw, origin: b.origin }];
    }
    return { policies, invalid };
  },
  referencedKinds: () => ['ConfigMap'],
  prepare(_policies, resourceSet) {
    const params = new Map<string, string[]>();
    for (const d of resourceSet) {
      const c = d.content;
      if (isObject(c) && c.kind === 'ConfigMap' && isObject(c.metadata) && isObject(c.data)) {
        params.set(
          String(c.metadata.name),
          String(c.data.labels ?? '')
            .split(',')
            .filter(Boolean),
        );
      }
    }
    return params;
  },
  matches: (policy, request) =>
    policy.kinds.includes(request.ref.kind) &&
    (!policy.namespaces || policy.namespaces.includes(request.ref.namespace)),
  phases: () => ['validate'],
  evaluate(policy, request, _phase, params) {
    const wanted = [...policy.required, ...(policy.paramsFrom ? (params.get(policy.paramsFrom) ?? []) : [])];
    const labels = (request.resource.metadata?.labels ?? {}) as Record<string, string>;
    const missing = wanted.filter((l) => labels[l] === undefined);
    request.addResponse(
      ruleResponse(policy, 'required-labels', request.document, request.ref, {
        status: missing.length ? 'fail' : 'pass',
        message: missing.length ? `missing labels: ${missing.join(', ')}` : 'all labels present',
      }),
    );
  },
};

describe('policy kinds', () => {
  let dir: string;
  let unregister: () => void;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rampart-kind-'));
    unregister = registerPolicyKind(labelKind);
  });
  after(async () => {
    unregister();
    await rm(dir, { recursive: true, force: true });
  });

  test('a registered kind goes from files through load, link, evaluate and a reporter', async () => {
    await writeFile(
      join(dir, 'policies.yaml'),
      [
        `apiVersion: ${API}\nkind: LabelPolicy\nmetadata:\n  name: team-label\n  annotations: {policies.kyverno.io/severity: high}\nspec:\n  kinds: [Pod]\n  labels: [team]\n  paramsFrom: extra-labels`,
        `apiVersion: ${API}\nkind: LabelBinding\nmetadata: {name: prod-only}\nspec:\n  policyName: team-label\n  namespaces: [prod]`,
        'apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: no-latest}\nspec:\n  rules:\n    - name: r\n      match: {any: [{resources: {kinds: [Pod]}}]}\n      validate: {message: no latest, pattern: {spec: {containers: [{image: "!*:latest"}]}}}',
      ].join('\n---\n'),
    );
    await writeFile(
      join(dir, 'resources.yaml'),
      [
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra-labels, namespace: prod}\ndata: {labels: "owner"}',
        'apiVersion: v1\nkind: Pod\nmetadata: {name: good, namespace: prod, labels: {team: a, owner: b}}\nspec: {containers: [{name: c, image: "nginx:1"}]}',
        'apiVersion: v1\nkind: Pod\nmetadata: {name: bad, namespace: prod, labels: {team: a}}\nspec: {containers: [{name: c, image: "nginx:latest"}]}',
        'apiVersion: v1\nkind: Pod\nmetadata: {name: elsewhere, namespace: dev}\nspec: {containers: [{name: c, image: "nginx:1"}]}',
      ].join('\n---\n'),
    );
    const loaded = await loadPolicies([dir]);
    assert.deepEqual(loaded.invalid, []);
    // The binding was linked into its policy, not loaded as a policy of its own.
    assert.deepEqual(
      loaded.policies.map((p) => `${p.kind}/${p.name}`),
      ['LabelPolicy/team-label', 'ClusterPolicy/no-latest'],
    );
    const labelPolicy = loaded.policies[0] as unknown as LabelPolicy;
    assert.deepEqual(labelPolicy.namespaces, ['prod']);
    assert.equal(labelPolicy.companions?.length, 1);

    const resources = (await loadResources([join(dir, 'resources.yaml')])).filter(
      (d) => !isPolicyDocument(d.content),
    );
    const response = evaluateResources(loaded.policies, resources);
    assert.equal(response.resources.length, 4);
    const bad = response.resources.find((r) => r.resource.name === 'bad')!;
    assert.deepEqual(
      bad.ruleResponses.map((r) => [r.policy, r.status, r.message]),
      [
        ['team-label', 'fail', 'missing labels: owner'],
        ['no-latest', 'fail', 'validation error: no latest. rule r failed at path /spec/containers/0/image/'],
      ],
    );
    const results = resultsOf(response);
    const byPod = (name: string) =>
      results.filter((r) => r.resource.name === name).map((r) => `${r.policy}:${r.status}`);
    assert.deepEqual(byPod('good'), ['team-label:pass', 'no-latest:pass']);
    assert.deepEqual(byPod('elsewhere'), ['no-latest:pass']);
    assert.equal(results.find((r) => r.policy === 'team-label')!.severity, 'high');

    const json = JSON.parse(renderResults(results, 'json')) as {
      results: { policy: string; status: string }[];
    };
    assert.ok(json.results.some((r) => r.policy === 'team-label' && r.status === 'fail'));
    const table = renderResults(results, 'table');
    assert.match(table, /missing labels: owner/);
  });

  test('invalid documents of a registered kind fail with the field path; orphan companions too', async () => {
    const sub = await mkdtemp(join(dir, 'invalid-'));
    await writeFile(
      join(sub, 'p.yaml'),
      [
        `apiVersion: ${API}\nkind: LabelPolicy\nmetadata: {name: broken}\nspec:\n  kinds: [Pod]\n  labels: [team, 3]`,
        `apiVersion: ${API}\nkind: LabelBinding\nmetadata: {name: orphan}\nspec: {policyName: nowhere, namespaces: [a]}`,
      ].join('\n---\n'),
    );
    const loaded = await loadPolicies([sub]);
    assert.deepEqual(loaded.policies, []);
    assert.equal(loaded.invalid.length, 2);
    assert.ok(loaded.invalid[0]!.error instanceof PolicyValidationError);
    assert.match(
      loaded.invalid[0]!.error.message,
      /invalid policy "broken": spec\.labels\[1\]: must be a string/,
    );
    assert.equal(loaded.invalid[0]!.file, join(sub, 'p.yaml'));
    assert.match(loaded.invalid[1]!.error.message, /spec\.policyName: no LabelPolicy "nowhere"/);
  });

  test('documents are policies only while a kind recognises them', () => {
    const doc = { apiVersion: API, kind: 'LabelPolicy', metadata: { name: 'x' } };
    assert.equal(isPolicyDocument(doc), true);
    assert.ok(listPolicyKinds().some((k) => k.id === 'kyverno'));
    const again = () => registerPolicyKind(labelKind);
    assert.throws(again, /already registered/);
  });

  test('the resource set option reaches prepare when params are not among the evaluated documents', () => {
    const policy = labelKind.load({
      content: {
        apiVersion: API,
        kind: 'LabelPolicy',
        metadata: { name: 'p' },
        spec: { kinds: ['Pod'], labels: [], paramsFrom: 'cm' },
      },
      origin: null,
    });
    const pod: Document = {
      id: 'p',
      format: 'kubernetes',
      origin: { file: 'r.yaml', line: 1, column: 1, index: 0 },
      content: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'x', labels: {} } },
    };
    const cm: Document = {
      ...pod,
      id: 'cm',
      content: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { labels: 'tier' } },
    };
    const [without] = resultsOf(evaluateResources([policy], [pod]));
    assert.equal(without!.status, 'pass');
    const [withParams] = resultsOf(evaluateResources([policy], [pod], { resourceSet: [cm] }));
    assert.deepEqual([withParams!.status, withParams!.message], ['fail', 'missing labels: tier']);
  });
});
