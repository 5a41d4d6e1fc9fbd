import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RE2JS } from 're2js';
import { UserError } from '../../../../src/core/errors.js';
import { mulberry32 } from '../../../../src/core/prng.js';
import { compileCel, fromCel } from '../../../../src/policy/cel/index.js';
import { randomFromPattern } from '../../../../src/policy/vars/regen.js';
import { expectError, run } from '../helpers.js';

/** Whether RE2 (Go semantics, as Kyverno checks its own output) matches the whole string. */
const fullMatch = (pattern: string, s: string) => RE2JS.compile(`^(?:${pattern})$`).matches(s);

function samples(pattern: string, n = 100): string[] {
  return Array.from({ length: n }, () => run(`random(${JSON.stringify(pattern)})`) as string);
}

describe("Kyverno's random library", () => {
  test("Kyverno's own case: a UUID-shaped pattern, and the output matches it", () => {
    // pkg/cel/libs/random/impl_test.go
    const pattern = '[A-Z0-9]{8}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{12}';
    for (const s of samples(pattern)) assert.ok(fullMatch(pattern, s), `${s} !~ ${pattern}`);
  });

  test('random() is eight characters of [0-9a-z], fresh on every evaluation of the same program', () => {
    const program = compileCel('random()', { policy: 'test', field: 'expression' });
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const r = program.evaluate({});
      assert.ok(r.ok);
      const s = fromCel(r.value) as string;
      assert.match(s, /^[0-9a-z]{8}$/);
      seen.add(s);
    }
    assert.ok(seen.size > 40, `only ${seen.size} distinct values in 50 draws`);
  });

  test('every construct of RE2 syntax generates strings the pattern matches', () => {
    const patterns = [
      'abc',
      'a|b|cd',
      '(ab|cd)+e?',
      '(?:x|y){3}',
      '(?P<name>[a-f]{2})-(?<other>\\d)',
      '^start[0-9]*end$',
      '\\bword\\b',
      '[[:alpha:]][[:digit:]]{2}[[:upper:][:space:]]',
      '[^a-z0-9]{4}',
      '[]a]',
      '[a-]{3}',
      '\\w\\W\\s\\S\\d\\D',
      '\\pL\\p{Lu}\\PL\\p{Greek}\\p{Han}',
      '[\\p{Cyrillic}\\d]{3}',
      '.{6}',
      '(?s).{6}',
      '(?i)Hello[a-c]',
      '(?i:abc)D',
      '\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\\\\\^\\$',
      '\\Qa.b*c\\E+',
      '\\x41\\x{263A}\\101\\t\\n',
      'a{2}b{2,}c{1,3}d{0}',
      'a*?b+?c??d{2,4}?',
      'a{,3}',
      'x{',
      '[\\x{1F600}-\\x{1F64F}]',
      '',
    ];
    for (const pattern of patterns)
      for (const s of samples(pattern, 50))
        assert.ok(fullMatch(pattern, s), `${JSON.stringify(s)} !~ ${pattern}`);
  });

  test('unbounded repetition stops 10 beyond its minimum, as goregen; bounded repetition stays in bounds', () => {
    const lengths = (pattern: string) => samples(pattern, 200).map((s) => s.length);
    const star = lengths('a*');
    assert.ok(Math.max(...star) <= 10 && Math.min(...star) === 0);
    const plus = lengths('a+');
    assert.ok(Math.min(...plus) >= 1 && Math.max(...plus) <= 11);
    const atLeast = lengths('a{3,}');
    assert.ok(Math.min(...atLeast) >= 3 && Math.max(...atLeast) <= 13);
    const range = lengths('a{2,4}');
    assert.deepEqual([...new Set(range)].sort(), [2, 3, 4]);
  });

  test('choices are drawn at random: every alternative and class member turns up', () => {
    assert.deepEqual([...new Set(samples('a|b|c', 200))].sort(), ['a', 'b', 'c']);
    assert.deepEqual([...new Set(samples('[xyz]', 200))].sort(), ['x', 'y', 'z']);
  });

  test('with a given random source the generation is reproducible', () => {
    const a = randomFromPattern('[a-z]{5}-\\d+', mulberry32(7));
    const b = randomFromPattern('[a-z]{5}-\\d+', mulberry32(7));
    assert.equal(a, b);
    assert.match(a, /^[a-z]{5}-\d+$/);
    // The lowest draw gives the shortest string and each class's first member.
    assert.equal(
      randomFromPattern('a+b*[0-9]{2,3}', () => 0),
      'a00',
    );
  });

  test('an invalid pattern is a runtime error with Go regexp message; a non-string argument a type error', () => {
    expectError('random("(")', /error parsing regexp: missing closing \): `\(`/);
    expectError('random("a**")', /error parsing regexp: invalid nested repetition operator/);
    expectError('random("(a{1000}){1000}")', /invalid repeat count/);
    expectError('random("[^\\\\x00-\\\\x{10FFFF}]")', /matches no character/);
    assert.throws(
      () => compileCel('random(1)', { policy: 'test', field: 'expression' }),
      (e: unknown) => e instanceof UserError && /no matching overload for 'random\(int\)'/.test(e.message),
    );
  });

  test('composes with the string library', () => {
    const s = run('"pod-" + random("[a-z0-9]{5}")') as string;
    assert.match(s, /^pod-[a-z0-9]{5}$/);
    assert.equal(run('random("[0-9]{4}").matches("^[0-9]{4}$")'), true);
  });
});
