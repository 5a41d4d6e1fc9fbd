import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { containsWildcard, matchesAnyWildcard, wildcardMatch } from '../../../src/policy/pattern/wildcard.js';

describe('wildcardMatch', () => {
  const cases: [string, string, boolean][] = [
    ['*', '', true],
    ['', '', true],
    ['', 'a', false],
    ['a*', 'abc', true],
    ['*c', 'abc', true],
    ['a*c', 'ac', true],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['?*', '', false],
    ['?*', 'x', true],
    ['*.example.com', 'a.b.example.com', true],
    ['A*', 'abc', false],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'aXbY', false],
    ['ü?', 'üö', true],
  ];
  for (const [p, t, e] of cases) test(`${p} ~ ${t} → ${e}`, () => assert.equal(wildcardMatch(p, t), e));
});

describe('wildcardMatch: Kyverno ext/wildcard edge cases', () => {
  const cases: [string, string, boolean][] = [
    // '*' alone matches everything, the empty text included; an empty pattern only the empty text.
    ['*', 'anything/at:all', true],
    ['', '*', false],
    ['**', '', true],
    // '?' is exactly one character: never zero, never two.
    ['abc?', 'abc', false],
    ['abc?', 'abcd', true],
    ['abc?', 'abcde', false],
    ['abc????', 'abcde', false],
    ['abc????', 'abcdefg', true],
    ['my-?-x', 'my--x', false],
    ['a?c', 'a/c', true],
    // '*' then '?' still needs one character; backtracking over earlier '*' runs.
    ['mnop*?', 'mnop', false],
    ['mnop*?', 'mnopq', true],
    ['mnop*?and', 'mnopand', false],
    ['mnop*?and', 'mnopqand', true],
    ['mnop*?and', 'mnopqanda', false],
    ['mnop*?and?', 'mnopqanda', true],
    ['In*/Ka*/Ban', 'India/State/Karnataka/Area/Ban', true],
    ['In*/Ka*/Ban', 'India/Karnataka/Bangalore', false],
    ['In*', 'Karnataka/India', false],
    // No escape syntax: a backslash is a plain character and '*' after it is still a wildcard.
    ['a\\*', 'a\\', true],
    ['a\\*', 'a\\xyz', true],
    ['a\\*', 'a*', false],
    ['a\\?', 'a?', false],
    ['a\\?', 'a\\x', true],
    // Other glob syntax is literal.
    ['[ab]', 'a', false],
    ['[ab]', '[ab]', true],
    ['a.c', 'abc', false],
    // Case-sensitive, one code point per '?'.
    ['Pod', 'pod', false],
    ['?', '😀', true],
    ['??', '😀', false],
  ];
  for (const [p, t, e] of cases) test(`${p} ~ ${t} → ${e}`, () => assert.equal(wildcardMatch(p, t), e));

  test('containsWildcard and matchesAnyWildcard', () => {
    assert.equal(containsWildcard('a*'), true);
    assert.equal(containsWildcard('a?'), true);
    assert.equal(containsWildcard('a.b[c]\\'), false);
    assert.equal(matchesAnyWildcard(['x*', 'b?'], 'bc'), true);
    assert.equal(matchesAnyWildcard(['x*', 'b?'], 'b'), false);
    assert.equal(matchesAnyWildcard([], ''), false);
  });
});
