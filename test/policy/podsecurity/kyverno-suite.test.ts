import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import {
  evaluatePodSecurity,
  type PodSecuritySpec,
  validatePodSecuritySpec,
} from '../../../src/policy/podsecurity/index.js';
import { fixture } from '../../helpers/index.js';

type Obj = Record<string, any>;
const dir = fixture('policy', 'podsecurity', 'fixtures', 'kyverno-pss');
const load = (name: string): Obj[] =>
  parseAllDocuments(readFileSync(`${dir}/${name}`, 'utf8')).map((d) => d.toJSON() as Obj);

/**
 * The Kyverno-format suite in fixtures/kyverno-pss is meant for `rampart test`; here its expectations are
 * checked against the podSecurity library directly, so the suite and the library cannot drift apart.
 */
describe('kyverno-pss suite expectations', () => {
  const policy = load('policy.yaml')[0] ?? {};
  const resources = load('resources.yaml');
  const suite = load('kyverno-test.yaml')[0] ?? {};
  const rules = new Map<string, Obj>((policy.spec.rules as Obj[]).map((r) => [r.name as string, r]));

  test('the policy podSecurity blocks are valid', () => {
    for (const rule of rules.values())
      assert.deepEqual(validatePodSecuritySpec(rule.validate.podSecurity), [], rule.name);
  });

  for (const expectation of suite.results as Obj[]) {
    for (const name of expectation.resources as string[]) {
      test(`${expectation.rule} on ${name} is ${expectation.result}`, () => {
        const ruleName = String(expectation.rule).replace(/^autogen-(cronjob-)?/, '');
        const spec = rules.get(ruleName)?.validate.podSecurity as PodSecuritySpec;
        const resource = resources.find((r) => r.metadata.name === name);
        assert.ok(spec && resource);
        const outcome = evaluatePodSecurity(resource, spec);
        assert.equal(outcome.allowed ? 'pass' : 'fail', expectation.result, outcome.message);
      });
    }
  }
});
