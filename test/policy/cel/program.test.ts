import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCel, position, serviceVariables } from '../../../src/policy/cel/index.js';

describe('CEL programs', () => {
  test('a syntax error names policy, field and column', () => {
    assert.throws(
      () =>
        compileCel('object.x ==', {
          policy: 'ValidatingAdmissionPolicy/p',
          field: 'spec.validations[2].expression',
        }),
      (e: Error & { exitCode?: number }) =>
        /ValidatingAdmissionPolicy\/p: spec\.validations\[2\]\.expression \(line 1, column 12\)/.test(
          e.message,
        ) && e.exitCode === 2,
    );
  });
  test('a type error is caught at compile time', () => {
    assert.throws(
      () => compileCel("1 + 'a'", { policy: 'p', field: 'f' }),
      /p: f \(line 1, column 1\): .*overload/,
    );
    assert.throws(() => compileCel('nosuchvar == 1', { policy: 'p', field: 'f' }), /nosuchvar/);
    assert.throws(() => compileCel("'x'", { policy: 'p', field: 'f' }, 'bool'), /must evaluate to bool/);
  });
  test('position counts lines', () => {
    assert.deepEqual(position('a &&\n  b', 7), { line: 2, column: 3 });
  });
  test('runtime errors are outcomes, not exceptions', () => {
    const p = compileCel('object.missing == 1', { policy: 'p', field: 'f' });
    const out = p.evaluate({ object: {}, ...serviceVariables() });
    assert.equal(out.ok, false);
    assert.match(out.ok ? '' : out.error, /No such key: missing/);
  });
  test('the cost budget stops runaway comprehensions', () => {
    const p = compileCel('lists.range(2000).all(x, lists.range(2000).all(y, x + y >= 0))', {
      policy: 'p',
      field: 'f',
    });
    const out = p.evaluate({ ...serviceVariables() });
    assert.equal(out.ok, false);
    assert.equal(out.ok ? false : out.costExceeded, true);
    const small = p.evaluate({ ...serviceVariables() }, Number.POSITIVE_INFINITY);
    assert.equal(small.ok ? 'skip' : small.error, 'skip', 'an unlimited budget would finish');
  });
  test('a program compiled once evaluates many inputs', () => {
    const p = compileCel('object.n > 2', { policy: 'p', field: 'f' });
    const results = [1, 2, 3, 4].map((n) => {
      const out = p.evaluate({ object: { n: BigInt(n) } });
      return out.ok ? out.value : out.error;
    });
    assert.deepEqual(results, [false, false, true, true]);
  });
});
