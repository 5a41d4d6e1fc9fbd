import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCel } from '../../../../src/policy/cel/index.js';
import { expectError, expectValue, run } from '../helpers.js';

describe("Kyverno's hash library", () => {
  test("Kyverno's own test vectors", () => {
    // pkg/cel/libs/hash/impl_test.go
    expectValue('sha1("ghcr.io/kyverno/kyverno:latest")', '98f68a84cd3ada3a25bc42bf69ed8e0297e13022');
    expectValue(
      'sha256("ghcr.io/kyverno/kyverno:latest")',
      'e98de8e3a54bcb921de9cc72741522823cb30ef9dda17cfd228416ead4ce3760',
    );
    expectValue('md5("ghcr.io/kyverno/kyverno:latest")', '16dc16f633974d1015cad2ffe81e7365');
  });
  test('the empty string and the well-known digests', () => {
    expectValue("sha1('')", 'da39a3ee5e6b4b0d3255bfef95601890afd80709');
    expectValue("sha256('')", 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expectValue("md5('')", 'd41d8cd98f00b204e9800998ecf8427e');
    expectValue("sha256('abc')", 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expectValue("md5('The quick brown fox jumps over the lazy dog')", '9e107d9d372bb6826bd81d3542a419d6');
  });
  test('non-ASCII text is hashed as UTF-8 bytes (as md5sum / sha256sum of the text)', () => {
    // "é" is C3 A9 in UTF-8.
    expectValue("md5('é')", '66ddcd97cfdeabb2f6fb8a999b4bc76f');
    expectValue("md5('\\u00e9')", '66ddcd97cfdeabb2f6fb8a999b4bc76f');
    expectValue("sha256('日本')", 'cf2abf0c5be326cb922a70f8163f91079c4d9aa8655c60ead89ad545c9de2e92');
    assert.notEqual(run("sha256('é')"), run("sha256('e\\u0301')"), 'no Unicode normalisation');
  });
  test('results compose with string functions; lowercase hex', () => {
    expectValue(
      "sha256(object.metadata.name).size() == 64 && sha1('x').size() == 40 && md5('x').size() == 32",
      true,
      {
        object: { metadata: { name: 'pod' } },
      },
    );
    expectValue("sha256('x').matches('^[0-9a-f]{64}$')", true);
    expectValue("sha1(sha1('a')) == sha1('86f7e437faa5a7fce15d1ddcb9eaeaea377667b8')", true);
  });
  test('only strings are accepted', () => {
    assert.throws(() => compileCel('sha256(1)', { policy: 'p', field: 'f' }), /sha256/);
    assert.throws(() => compileCel("md5(b'abc')", { policy: 'p', field: 'f' }), /md5/);
    assert.throws(() => compileCel('sha1()', { policy: 'p', field: 'f' }), /sha1/);
    expectError('sha256(object.n)', /sha256|overload/, { object: { n: 1 } });
  });
});
