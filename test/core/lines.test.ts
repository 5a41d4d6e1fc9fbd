import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { splitLines } from '../../src/core/lines.js';

describe('splitLines', () => {
  test('splits as /\\r?\\n/ does, for every short text of line breaks and letters', () => {
    const alphabet = ['\r', '\n', 'a', '\r\n'];
    let tried = 0;
    for (let length = 0; length <= 7; length++) {
      for (let k = 0; k < alphabet.length ** length; k++) {
        let text = '';
        for (let i = 0, x = k; i < length; i++, x = Math.floor(x / alphabet.length))
          text += alphabet[x % alphabet.length];
        assert.deepEqual(splitLines(text), text.split(/\r?\n/), JSON.stringify(text));
        tried++;
      }
    }
    assert.equal(tried, 21_845);
  });

  test('keeps a carriage return that ends the text or stands alone', () => {
    assert.deepEqual(splitLines('a\r\nb\rc\r'), ['a', 'b\rc\r']);
    assert.deepEqual(splitLines('a\n'), ['a', '']);
  });
});
