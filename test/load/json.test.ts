import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isUserError } from '../../src/core/errors.js';
import { parseJson } from '../../src/load/json.js';

function errorOf(text: string): string {
  try {
    parseJson(text, 'p.json');
  } catch (error) {
    assert.ok(isUserError(error));
    return error.message;
  }
  assert.fail('expected a syntax error');
}

describe('strict JSON with positions', () => {
  test('valid JSON parses', () => {
    assert.deepEqual(parseJson('{"a": [1, 2]}', 'p.json'), { a: [1, 2] });
  });

  test('a syntax error names file, line and column of the first problem', () => {
    assert.equal(errorOf('{\n  "a": 1,\n  "b": x\n}'), 'p.json:3:8: invalid JSON: invalid symbol');
    assert.equal(errorOf('{\n  "a": 1,\n}'), 'p.json:3:1: invalid JSON: property name expected');
    assert.match(errorOf('{"a": 1'), /^p\.json:1:8: invalid JSON: /);
    assert.match(errorOf(''), /^p\.json:1:1: invalid JSON: /);
  });
});
