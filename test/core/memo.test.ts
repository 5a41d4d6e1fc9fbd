import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rememberedByText } from '../../src/core/memo.js';

test('rememberedByText computes once per text, forgets everything at its limit, and remembers nothing that threw', () => {
  const calls: string[] = [];
  const upper = rememberedByText(2, (t) => {
    calls.push(t);
    if (t === 'bad') throw new Error('bad text');
    return t.toUpperCase();
  });
  assert.equal(upper('a'), 'A');
  assert.equal(upper('a'), 'A');
  assert.equal(upper('b'), 'B');
  assert.deepEqual(calls, ['a', 'b']);
  // A third text clears the two remembered ones.
  assert.equal(upper('c'), 'C');
  assert.equal(upper('a'), 'A');
  assert.deepEqual(calls, ['a', 'b', 'c', 'a']);
  assert.throws(() => upper('bad'), /bad text/);
  assert.throws(() => upper('bad'), /bad text/);
  assert.deepEqual(calls, ['a', 'b', 'c', 'a', 'bad', 'bad']);
});
