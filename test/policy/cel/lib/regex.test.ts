import { describe, test } from 'node:test';
import { expectError, expectValue } from '../helpers.js';

describe('CEL regex (RE2 semantics)', () => {
  test('matches is an unanchored RE2 search', () => {
    expectValue("'foobar'.matches('o+b')", true);
    expectValue("'foobar'.matches('^bar')", false);
    expectValue("matches('abc', '^a')", true);
    // RE2 named groups in Go syntax; JavaScript's RegExp would reject (?P<...>)
    expectValue("'abc'.matches('(?P<first>a)bc')", true);
  });
  test('RE2 rejects backreferences that JavaScript accepts', () => {
    expectError("'aa'.matches('(a)\\\\1')", /invalid regular expression/);
  });
  test('find and findAll', () => {
    expectValue("'abc 123'.find('[0-9]+')", '123');
    expectValue("'abc'.find('[0-9]+')", '');
    expectValue("'123 abc 456'.findAll('[0-9]+')", ['123', '456']);
    expectValue("'123 abc 456'.findAll('[0-9]+', 1)", ['123']);
    expectValue("'abc'.findAll('[0-9]+')", []);
  });
});
