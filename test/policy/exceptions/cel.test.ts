import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UserError } from '../../../src/core/errors.js';
import { toCel } from '../../../src/policy/cel/index.js';
import { celExceptionApplies } from '../../../src/policy/exceptions/cel.js';
import { isPolicyExceptionDocument, parsePolicyException } from '../../../src/policy/exceptions/index.js';
import { fixture, runRampart } from '../../helpers/index.js';

const exception = (spec: Record<string, unknown>) => ({
  apiVersion: 'policies.kyverno.io/v1alpha1',
  kind: 'PolicyException',
  metadata: { name: 'allow', namespace: 'logging' },
  spec,
});
const parse = (spec: Record<string, unknown>) =>
  parsePolicyException({
    content: exception(spec),
    origin: { file: 'exception.yaml', line: 1, column: 1, index: 0 },
  });
const activation = (name: string) => ({ object: toCel({ metadata: { name, namespace: 'logging' } }) });

describe('CEL PolicyException (policies.kyverno.io)', () => {
  test('is recognised beside kyverno.io/v2 and parsed with its policyRefs', () => {
    assert.equal(isPolicyExceptionDocument(exception({})), true);
    const ex = parse({ policyRefs: [{ name: 'p', kind: 'ValidatingPolicy' }] });
    assert.equal(ex.key, 'logging/allow');
    assert.deepEqual(ex.cel?.policyRefs, [{ name: 'p', kind: 'ValidatingPolicy' }]);
    assert.deepEqual(ex.exceptions, []);
  });

  test('applies when a policyRef names the policy (and kind) and every matchCondition holds', () => {
    const ex = parse({
      policyRefs: [{ name: 'p', kind: 'ValidatingPolicy' }],
      matchConditions: [{ name: 'fb', expression: "object.metadata.name.startsWith('fluent')" }],
    });
    const spec = ex.cel!;
    assert.equal(
      celExceptionApplies(spec, { name: 'p', kind: 'ValidatingPolicy' }, activation('fluent-1')),
      true,
    );
    assert.equal(
      celExceptionApplies(spec, { name: 'p', kind: 'ValidatingPolicy' }, activation('other')),
      false,
    );
    assert.equal(
      celExceptionApplies(spec, { name: 'p', kind: 'MutatingPolicy' }, activation('fluent-1')),
      false,
    );
    assert.equal(
      celExceptionApplies(spec, { name: 'q', kind: 'ValidatingPolicy' }, activation('fluent-1')),
      false,
    );
  });

  test('a missing policyRefs or a bad expression is rejected when it loads', () => {
    assert.throws(
      () => parse({}),
      (e: unknown) => e instanceof UserError && /spec\.policyRefs/.test(e.message),
    );
    assert.throws(
      () => parse({ policyRefs: [{ name: 'p' }], matchConditions: [{ name: 'x', expression: 'object.' }] }),
      (e: unknown) => e instanceof UserError && /spec\.matchConditions\[0\]\.expression/.test(e.message),
    );
  });

  test('rampart test: the exempted Pod is a skip, the others keep their verdicts', async () => {
    const r = await runRampart(['test', fixture('policy', 'exceptions', 'cel-suite')]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Test Summary: 3 tests passed and 0 tests failed/);
  });
});
