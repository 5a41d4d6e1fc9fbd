import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCel } from '../../../src/policy/cel/index.js';
import { expectError, expectValue } from './helpers.js';

const pod = {
  spec: {
    containers: [
      { name: 'a', securityContext: { privileged: false } },
      { name: 'b', securityContext: null },
    ],
  },
};

describe('has() on any select expression (CEL spec; the library alone wants an identifier first)', () => {
  test('a chain that starts with a function call', () => {
    expectValue('has(json.unmarshal(\'{"a": 1}\').a)', true);
    expectValue('has(json.unmarshal(\'{"a": 1}\').b)', false);
    expectValue('has(json.unmarshal(\'{"a": {"b": 2}}\').a.b)', true);
    expectValue('has(json.unmarshal(\'{"a": {}}\').a.b)', false);
    expectValue('has(json.unmarshal(\'{"a": 1}\').a) && json.unmarshal(\'{"a": 1}\').a == 1', true);
    // A missing field before the last one is an error, as for has(object.a.b).
    expectError("has(json.unmarshal('{}').a.b)", /No such key: a/);
    expectError('has(object.a.b)', /No such key: a/, { object: {} });
  });
  test('a receiver call, an index, a literal and parentheses start the chain', () => {
    expectValue('has(object.spec.containers[0].securityContext)', true, { object: pod });
    expectValue('has(object.spec.containers[0].resources)', false, { object: pod });
    expectValue('has(object.spec.containers[0].securityContext.privileged)', true, { object: pod });
    expectValue("has(object.spec.containers.filter(c, c.name == 'b')[0].securityContext)", true, {
      object: pod,
    });
    expectValue("has({'a': 1}.a)", true);
    expectValue("has({'a': 1}.b)", false);
    expectValue('has((object.spec).containers)', true, { object: pod });
    expectValue('object.spec.containers.all(c, !has(c.securityContext) || has(c.name))', true, {
      object: pod,
    });
  });
  test('Kyverno image data: has() on image.GetMetadata(...)', () => {
    const services = { images: new Map([['nginx:1.25', { config: { user: '1000' } }]]) };
    expectValue(
      "has(image.GetMetadata('nginx:1.25').config.user) && !has(image.GetMetadata('nginx:1.25').manifest)",
      true,
      {},
      services,
    );
    // The call's own error is the result's error.
    expectError("has(image.GetMetadata('redis').config)", /no image data/, {}, services);
  });
  test('errors in the starting expression surface; non-select arguments stay invalid', () => {
    expectError('has(object.spec.containers[5].name)', /index|out of (range|bounds)/i, { object: pod });
    assert.throws(() => compileCel('has(object)', { policy: 'p', field: 'f' }), /has\(\) invalid argument/);
    assert.throws(() => compileCel('has(1)', { policy: 'p', field: 'f' }), /has\(\) invalid argument/);
    assert.throws(
      () => compileCel("has(json.unmarshal('{}'))", { policy: 'p', field: 'f' }),
      /has\(\) invalid argument/,
    );
    // The starting expression is type-checked: an unknown function or a wrong argument is a compile error.
    assert.throws(() => compileCel('has(nosuchfn(1).a)', { policy: 'p', field: 'f' }), /nosuchfn/);
    assert.throws(() => compileCel('has(json.unmarshal(1, 2).a)', { policy: 'p', field: 'f' }), /unmarshal/);
  });
  test('the relaxed check keeps the result type bool for the program', () => {
    const p = compileCel('has(json.unmarshal(\'{"a": 1}\').a)', { policy: 'p', field: 'f' }, 'bool');
    assert.equal(p.resultType, 'bool');
  });
});
