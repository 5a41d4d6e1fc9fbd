import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AFT_CHECKS, checkAftRequests } from '../../src/terraform/aft/index.js';
import { type AftCase, requestFromValues } from '../../src/terraform/aft/request.js';

/** The cases each AFT rule keeps beside it, run through the rule alone and through every AFT check. */
function run(rule: (typeof AFT_CHECKS)[number], c: AftCase) {
  const requests = c.requests.map((values, i) => requestFromValues(values, 'requests.tf', i + 1));
  const own = rule.check(requests, c.config ?? {});
  const all = checkAftRequests(requests, c.config ?? {}).filter((r) => r.rule === rule.meta.id);
  return { own, all };
}

describe('AFT rules: the cases beside each rule', () => {
  for (const rule of AFT_CHECKS) {
    // aft-value-unknown reports skips (what it could not check), the others failures.
    const flagged = rule.meta.id === 'aft-value-unknown' ? 'skip' : 'fail';
    test(`${rule.meta.id}: valid cases raise nothing`, () => {
      assert.ok(rule.cases.valid.length > 0);
      for (const c of rule.cases.valid) {
        const { own, all } = run(rule, c);
        assert.deepEqual(own, [], JSON.stringify(c));
        assert.ok(!all.some((r) => r.status === flagged), JSON.stringify(c));
      }
    });
    test(`${rule.meta.id}: invalid cases are flagged by this rule`, () => {
      assert.ok(rule.cases.invalid.length > 0);
      for (const c of rule.cases.invalid) {
        const { own, all } = run(rule, c);
        assert.ok(own.length > 0, JSON.stringify(c));
        assert.ok(own.every((r) => r.rule === rule.meta.id && r.status === flagged && r.category === 'aft'));
        assert.deepEqual(
          all.filter((r) => r.status === flagged),
          own,
        );
      }
    });
  }
});
