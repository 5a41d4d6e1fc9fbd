import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCel, serviceVariables } from '../../../../src/policy/cel/index.js';
import { expectError, expectValue } from '../helpers.js';

const compile = (e: string) => compileCel(e, { policy: 'p', field: 'f' });

describe('lists.sortBy (cel-go ext.Lists v2 macro)', () => {
  test("cel-go's example and the comparable key types", () => {
    expectValue(
      '[{"name": "foo", "score": 0}, {"name": "bar", "score": -10}, {"name": "baz", "score": 1000}].sortBy(e, e.score).map(e, e.name)',
      ['bar', 'foo', 'baz'],
    );
    expectValue('[3, 1, 2].sortBy(x, x)', [1, 2, 3]);
    expectValue('[3, 1, 2].sortBy(x, -x)', [3, 2, 1]);
    expectValue('[2.5, -1.0, 0.5].sortBy(x, x)', [-1, 0.5, 2.5]);
    expectValue('[3u, 1u].sortBy(x, x)', [1, 3]);
    expectValue("['b', 'c', 'a'].sortBy(s, s)", ['a', 'b', 'c']);
    expectValue('[true, false].sortBy(b, b)', [false, true]);
    expectValue("[b'\\x02', b'\\x01'].sortBy(b, b) == [b'\\x01', b'\\x02']", true);
    expectValue("['1h', '1s', '1m'].sortBy(d, duration(d))", ['1s', '1m', '1h']);
    expectValue("['2024-01-02T00:00:00Z', '2023-12-31T00:00:00Z'].sortBy(t, timestamp(t))", [
      '2023-12-31T00:00:00Z',
      '2024-01-02T00:00:00Z',
    ]);
  });
  test('equal keys keep list order; the elements are returned, not the keys', () => {
    expectValue('object.items.sortBy(i, i.n).map(i, i.id)', ['b', 'd', 'a', 'c'], {
      object: {
        items: [
          { id: 'a', n: 2 },
          { id: 'b', n: 1 },
          { id: 'c', n: 2 },
          { id: 'd', n: 1 },
        ],
      },
    });
    expectValue("['bb', 'a', 'ccc', 'dd'].sortBy(s, size(s))", ['a', 'bb', 'dd', 'ccc']);
  });
  test('empty and one-element lists; results compose', () => {
    expectValue('[].sortBy(x, x)', []);
    expectValue('[5].sortBy(x, x)', [5]);
    // As in cel-go, only an empty list skips the key check: one list-valued key is still not comparable.
    expectError('[[1]].sortBy(x, x)', /list elements must be comparable/);
    expectValue("['b', 'a'].sortBy(x, x)[0]", 'a');
    expectValue('[3, 1, 2].sortBy(x, x).sortBy(x, -x)', [3, 2, 1]);
    expectValue('[1, 2].sortBy(x, x).map(x, x * 10)', [10, 20]);
    expectValue('[[2, 1], [4, 3]].map(l, l.sortBy(x, x))', [
      [1, 2],
      [3, 4],
    ]);
    expectValue("object.spec.containers.sortBy(c, c.name).map(c, c.name) == ['a', 'b']", true, {
      object: { spec: { containers: [{ name: 'b' }, { name: 'a' }] } },
    });
  });
  test('keys must be comparable and of one type', () => {
    expectError('[1, 2.0].sortBy(x, x)', /list elements must have the same type/);
    expectError("[1, 'a'].sortBy(x, x)", /list elements must have the same type/);
    expectError('[[1], [2]].sortBy(x, x)', /list elements must be comparable/);
    expectError("[{'a': 1}, {'a': 2}].sortBy(x, x)", /list elements must be comparable/);
    expectError('[null, null].sortBy(x, x)', /list elements must be comparable/);
    // An error in a key is the result's error.
    expectError("[{'a': 1}, {}].sortBy(x, x.a)", /No such key: a/);
  });
  test('receiver and variable are checked as cel-go checks them', () => {
    for (const bad of ['1.sortBy(x, x)', "'abc'.sortBy(x, x)", "{'a': 1}.sortBy(x, x)"])
      assert.throws(() => compile(bad), /sortBy can only be applied to a list/, bad);
    assert.throws(
      () => compile("'abc'.lowerAscii().sortBy(x, x)"),
      /sortBy\(\) can only be applied to a list/,
    );
    assert.throws(() => compile('[1].sortBy(x.y, x)'), /sortBy: argument must be a simple name/);
    assert.throws(() => compile('[1].sortBy(x, y)'), /Unknown variable: y/);
    // A dynamic receiver that is not a list fails at evaluation.
    expectError('object.s.sortBy(x, x)', /sortBy\(\) can only be applied to a list/, {
      object: { s: 'abc' },
    });
  });
  test('charged per element', () => {
    const p = compile('lists.range(3000).sortBy(x, -x).size() == 3000');
    assert.deepEqual(p.evaluate({ ...serviceVariables() }), { ok: true, value: true });
    const tight = p.evaluate({ ...serviceVariables() }, 4_000);
    assert.equal(tight.ok ? 'ok' : tight.costExceeded, true);
  });
});
