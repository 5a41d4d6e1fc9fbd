import { describe, test } from 'node:test';
import { expectError, expectValue } from '../helpers.js';

describe('CEL list libraries', () => {
  test('isSorted, sum, min, max', () => {
    expectValue('[1, 2, 3].isSorted()', true);
    expectValue("['b', 'a'].isSorted()", false);
    expectValue('[].isSorted()', true);
    expectValue('[1, 2, 3].sum()', 6);
    expectValue('[1.5, 2.5].sum()', 4);
    expectValue('[].sum()', 0);
    expectValue('[3, 1, 2].min()', 1);
    expectValue("['b', 'c', 'a'].max()", 'c');
    expectError('[].min()', /empty list/);
    expectError('[9223372036854775807, 1].sum()', /overflow/);
  });
  test('indexOf and lastIndexOf use CEL equality', () => {
    expectValue('[1, 2, 1].indexOf(1)', 0);
    expectValue('[1, 2, 1].lastIndexOf(1)', 2);
    expectValue('[1, 2].indexOf(5)', -1);
    expectValue("[{'a': 1}, {'a': 2}].indexOf({'a': 2})", 1);
  });
  test('slice, flatten, distinct, sort, reverse, first, last, lists.range', () => {
    expectValue('[1, 2, 3, 4].slice(1, 3)', [2, 3]);
    expectError('[1, 2].slice(1, 5)', /list is length 2/);
    expectError('[1, 2].slice(2, 1)', /start index/);
    expectValue('[1, [2, [3]]].flatten()', [1, 2, [3]]);
    expectValue('[1, [2, [3]]].flatten(2)', [1, 2, 3]);
    expectValue('[1, 2, 1, 3, 2].distinct()', [1, 2, 3]);
    expectValue("['c', 'a', 'b'].sort()", ['a', 'b', 'c']);
    // Code point order, as Go's UTF-8 byte order: U+FFFD before U+1F600 (UTF-16 units would say after).
    expectValue("['\\U0001F600', '\\uFFFD', 'z'].sort()", ['z', '\uFFFD', '\u{1F600}']);
    expectValue("['\\uFFFD', '\\U0001F600'].isSorted()", true);
    expectValue("['\\U0001F600', '\\uFFFD'].max()", '\u{1F600}');
    expectValue('[1, 2, 3].reverse()', [3, 2, 1]);
    expectValue('[1, 2].first().value()', 1);
    expectValue('[].last().hasValue()', false);
    expectValue('lists.range(4)', [0, 1, 2, 3]);
    expectValue('lists.range(0)', []);
  });
  test('sets', () => {
    expectValue('sets.contains([1, 2, 3], [2, 3])', true);
    expectValue('sets.contains([1], [])', true);
    expectValue('sets.contains([1], [2])', false);
    expectValue('sets.equivalent([1, 2], [2, 1, 1])', true);
    expectValue('sets.equivalent([1, 2], [1])', false);
    expectValue('sets.intersects([1, 2], [3, 2])', true);
    expectValue('sets.intersects([], [1])', false);
    expectValue('sets.contains([1], [1.0])', true);
  });
});
