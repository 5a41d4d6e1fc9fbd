import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { contentStart, splitLines } from '../../src/core/lines.js';
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

describe('contentStart', () => {
  test('is where trimStart() would cut, for every short line of spaces, tabs, other whitespace and text', () => {
    let tried = 0;
    for (const line of everyString([' ', '\t', 'a', '#', '\u00a0', '\r', '-', '\u3000'], 6)) {
      assert.equal(contentStart(line), line.length - line.trimStart().length, JSON.stringify(line));
      tried++;
    }
    assert.equal(tried, 299_593);
  });
});
