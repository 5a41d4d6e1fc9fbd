import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { splitLines } from '../../src/core/lines.js';
import { everyString } from '../helpers/index.js';

describe('splitLines', () => {
  test('splits as /\\r?\\n/ does, for every short text of line breaks and letters', () => {
    let tried = 0;
    for (const text of everyString(['\r', '\n', 'a', '\r\n'], 7)) {
      assert.deepEqual(splitLines(text), text.split(/\r?\n/), JSON.stringify(text));
      tried++;
    }
    assert.equal(tried, 21_845);
  });

  test('keeps a carriage return that ends the text or stands alone', () => {
    assert.deepEqual(splitLines('a\r\nb\rc\r'), ['a', 'b\rc\r']);
    assert.deepEqual(splitLines('a\n'), ['a', '']);
  });
});
