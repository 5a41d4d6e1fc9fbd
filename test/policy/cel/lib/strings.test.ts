import { describe, test } from 'node:test';
import { expectError, expectValue } from '../helpers.js';

describe('CEL strings extension', () => {
  test('built-in string functions keep cel-go semantics', () => {
    expectValue("'TacoCat'.lowerAscii()", 'tacocat');
    expectValue("'TacoCÆt'.upperAscii()", 'TACOCÆT');
    expectValue("'a,b,c'.split(',')", ['a', 'b', 'c']);
    expectValue("'a,b,c'.split(',', 2)", ['a', 'b,c']);
    expectValue("['a', 'b'].join('-')", 'a-b');
    expectValue("'hello mellow'.indexOf('ello')", 1);
    expectValue("'hello mellow'.lastIndexOf('ello')", 7);
    expectValue("'tacocat'.substring(4)", 'cat');
    expectValue("'  \\ttrim\\n '.trim()", 'trim');
  });
  test('charAt counts code points and allows the end index', () => {
    expectValue("'héllo'.charAt(1)", 'é');
    expectValue("'abc'.charAt(3)", '');
    expectError("'abc'.charAt(4)", /index out of range/);
  });
  test('replace with and without a limit', () => {
    expectValue("'hello hello'.replace('he', 'we')", 'wello wello');
    expectValue("'hello hello'.replace('he', 'we', 1)", 'wello hello');
    expectValue("'hello'.replace('x', 'y')", 'hello');
    expectValue("'hello'.replace('l', 'L', 0)", 'hello');
  });
  test('reverse handles Unicode', () => {
    expectValue("'gums'.reverse()", 'smug');
    expectValue("'héllo'.reverse()", 'olléh');
    expectValue("''.reverse()", '');
  });
  test('format clauses', () => {
    expectValue("'%s is %d years'.format(['Ann', 30])", 'Ann is 30 years');
    expectValue("'%.2f'.format([3.14159])", '3.14');
    expectValue("'%x %X %o %b'.format([255, 255, 8, 5])", 'ff FF 10 101');
    expectValue("'%s'.format([[1, 'a']])", '[1, a]');
    expectValue("'100%%'.format([])", '100%');
    expectError("'%d'.format(['x'])", /decimal clause can only be used on integers/);
    expectError("'%s %s'.format(['x'])", /out of range/);
  });
  test('strings.quote escapes', () => {
    expectValue("strings.quote('a\"b\\nc')", '"a\\"b\\nc"');
    expectValue("strings.quote('')", '""');
  });
});
