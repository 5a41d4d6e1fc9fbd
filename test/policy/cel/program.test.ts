import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  compileCel,
  fromCel,
  position,
  serviceVariables,
  toCel,
  toCelOnce,
} from '../../../src/policy/cel/index.js';

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
  test('one expression text compiles once; each site keeps its own name and result check', () => {
    const a = compileCel('object.n > 2 && true', { policy: 'A', field: 'f1' });
    const b = compileCel('object.n > 2 && true', { policy: 'B', field: 'f2' });
    assert.equal(a.site.policy, 'A');
    assert.equal(b.site.policy, 'B');
    const input = { object: { n: 3n } };
    assert.deepEqual(a.evaluate(input), { ok: true, value: true });
    assert.deepEqual(b.evaluate(input), { ok: true, value: true });
    // The cached program type-checked as bool; a site that wants a string still fails, naming itself.
    assert.throws(
      () => compileCel('object.n > 2 && true', { policy: 'C', field: 'f3' }, 'string'),
      /C: f3: must evaluate to string, not bool/,
    );
    // Failures are not cached under another site's name.
    assert.throws(() => compileCel('1 +', { policy: 'D', field: 'g' }), /D: g \(line 1/);
    assert.throws(() => compileCel('1 +', { policy: 'E', field: 'h' }), /E: h \(line 1/);
  });
  test('a nested evaluation (a lazy variable) has its own budget and leaves the outer one intact', () => {
    const inner = compileCel('lists.range(600).all(x, x >= 0)', { policy: 'p', field: 'inner' });
    const outer = compileCel('variables.v && lists.range(600).all(x, x >= 0)', {
      policy: 'p',
      field: 'outer',
    });
    const variables = {};
    Object.defineProperty(variables, 'v', {
      get() {
        const r = inner.evaluate({ ...serviceVariables() }, 2_000);
        if (!r.ok) throw new Error(r.error);
        return r.value;
      },
    });
    // Each spends ~1,200 units (the range and the loop): within 2,000 apiece, over it together.
    assert.deepEqual(outer.evaluate({ ...serviceVariables(), variables }, 2_000), { ok: true, value: true });
    const tight = outer.evaluate({ ...serviceVariables(), variables }, 1_000);
    assert.equal(tight.ok ? 'ok' : tight.costExceeded, true);
  });
});

describe('JSON to CEL values', () => {
  test('integers become int, the rest keeps its shape, undefined fields are dropped', () => {
    const doc = { a: 1, b: 1.5, c: [1, { d: 2 }], e: undefined, f: null, g: 'x', h: true };
    const cel = toCel(doc) as Record<string, unknown>;
    assert.deepEqual(cel, { a: 1n, b: 1.5, c: [1n, { d: 2n }], f: null, g: 'x', h: true });
    assert.equal(toCel(doc), cel, 'a converted object is reused for the same input object');
    assert.deepEqual(toCelOnce(doc), cel);
    assert.notEqual(toCelOnce(doc), cel, 'toCelOnce converts afresh');
    assert.deepEqual(fromCel(cel), { a: 1, b: 1.5, c: [1, { d: 2 }], f: null, g: 'x', h: true });
    assert.equal(toCel(undefined), null);
    assert.equal(toCel(7), 7n);
    assert.equal(toCelOnce(2.5), 2.5);
  });
});
