import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileParameterSchema, SchemaError } from '../../../../src/policy/kinds/gatekeeper/parameters.js';

const schema = {
  type: 'object',
  properties: {
    labels: {
      type: 'array',
      items: { type: 'object', properties: { key: { type: 'string' } }, required: ['key'] },
    },
    mode: { type: 'string', enum: ['strict', 'lenient'] },
    max: { type: 'integer', minimum: 1 },
  },
};

describe('Gatekeeper parameter schema', () => {
  test('valid parameters give no problem; none at all is valid too', () => {
    const check = compileParameterSchema(schema);
    assert.deepEqual(check({ labels: [{ key: 'team' }], mode: 'strict', max: 3 }), []);
    assert.deepEqual(check(undefined), []);
    assert.deepEqual(compileParameterSchema(undefined)({ anything: 1 }), []);
  });

  test('every problem names the parameter field', () => {
    const problems = compileParameterSchema(schema)({
      labels: [{ key: 'a' }, { value: 1 }],
      mode: 'x',
      max: '2',
    });
    assert.deepEqual(problems.sort(), [
      'spec.parameters.labels[1].key: required',
      'spec.parameters.max: must be integer',
      'spec.parameters.mode: must be one of "strict", "lenient"',
    ]);
  });

  test('an invalid schema throws a SchemaError with the place inside the schema', () => {
    assert.throws(
      () => compileParameterSchema({ type: 'object', properties: { labels: { type: 'strnig' } } }),
      (e: Error) => e instanceof SchemaError && e.path === 'properties.labels.type',
    );
    assert.throws(() => compileParameterSchema(['not', 'a', 'schema']), SchemaError);
  });
});
