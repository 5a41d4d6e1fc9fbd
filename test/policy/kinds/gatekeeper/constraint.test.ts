import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UserError } from '../../../../src/core/errors.js';
import { loadConstraint } from '../../../../src/policy/kinds/gatekeeper/constraint.js';
import { constraint } from './helpers.js';

const scoped = (entries: unknown[]) =>
  loadConstraint(constraint('K8sX', 'c', { enforcementAction: 'scoped', scopedEnforcementActions: entries }));

describe('Gatekeeper Constraint', () => {
  test('enforcementAction defaults to deny and reads dryrun and warn', () => {
    assert.equal(loadConstraint(constraint('K8sX', 'c')).action, 'deny');
    assert.equal(loadConstraint(constraint('K8sX', 'c', { enforcementAction: 'dryrun' })).action, 'dryrun');
    assert.equal(loadConstraint(constraint('K8sX', 'c', { enforcementAction: 'warn' })).action, 'warn');
  });

  test('scopedEnforcementActions: the webhook point (or *) counts, the strictest wins', () => {
    const webhook = { name: 'validation.gatekeeper.sh' };
    const audit = { name: 'audit.gatekeeper.sh' };
    assert.equal(
      scoped([
        { action: 'warn', enforcementPoints: [webhook] },
        { action: 'deny', enforcementPoints: [audit] },
      ]).action,
      'warn',
    );
    assert.equal(
      scoped([
        { action: 'dryrun', enforcementPoints: [{ name: '*' }] },
        { action: 'deny', enforcementPoints: [webhook] },
      ]).action,
      'deny',
    );
    assert.equal(scoped([{ action: 'deny', enforcementPoints: [audit] }]).action, undefined);
  });

  test('bad enforcement actions are user errors naming the field', () => {
    assert.throws(
      () => loadConstraint(constraint('K8sX', 'c', { enforcementAction: 'block' })),
      (e: Error) => e instanceof UserError && /spec\.enforcementAction: "block"/.test(e.message),
    );
    assert.throws(() => scoped([]), /spec\.scopedEnforcementActions: required/);
    assert.throws(
      () => scoped([{ action: 'stop', enforcementPoints: [{ name: '*' }] }]),
      /scopedEnforcementActions\[0\]\.action: must be one of/,
    );
    assert.throws(
      () => loadConstraint({ apiVersion: 'constraints.gatekeeper.sh/v1beta1', kind: 'K8sX', metadata: {} }),
      /metadata\.name is required/,
    );
  });
});
