import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { jmespathSearch, KYVERNO_FUNCTIONS, VariableError } from '../../../src/policy/vars/index.js';
import { fixture } from '../../helpers/index.js';

const q = (expr: string, data: unknown = {}) => jmespathSearch(expr, data);
const fails = (expr: string, message?: RegExp, data: unknown = {}) =>
  assert.throws(
    () => q(expr, data),
    (e: unknown) => e instanceof VariableError && (!message || message.test(e.message)),
  );

describe('function table', () => {
  test('registers every Kyverno function name', () => {
    for (const name of [
      'compare',
      'equal_fold',
      'replace',
      'replace_all',
      'to_upper',
      'to_lower',
      'trim',
      'trim_prefix',
      'split',
      'regex_replace_all',
      'regex_replace_all_literal',
      'regex_match',
      'pattern_match',
      'label_match',
      'to_boolean',
      'add',
      'sum',
      'subtract',
      'multiply',
      'divide',
      'modulo',
      'round',
      'base64_decode',
      'base64_encode',
      'time_since',
      'time_now',
      'time_now_utc',
      'path_canonicalize',
      'truncate',
      'semver_compare',
      'parse_json',
      'parse_yaml',
      'lookup',
      'items',
      'object_from_lists',
      'random',
      'x509_decode',
      'time_to_cron',
      'time_add',
      'time_parse',
      'time_utc',
      'time_diff',
      'time_before',
      'time_after',
      'time_between',
      'time_truncate',
      'image_normalize',
      'is_external_url',
      'sha256',
    ]) {
      assert.ok(KYVERNO_FUNCTIONS.includes(name), name);
    }
  });
});

describe('string functions', () => {
  test('compare, equal_fold, case, trim, split, replace', () => {
    assert.equal(q("compare('a', 'b')"), -1);
    assert.equal(q("compare('b', 'a')"), 1);
    assert.equal(q("compare('a', 'a')"), 0);
    assert.equal(q("equal_fold('Go', 'GO')"), true);
    assert.equal(q("equal_fold('Go', 'Gopher')"), false);
    assert.equal(q("to_upper('abc')"), 'ABC');
    assert.equal(q("to_lower('ABC')"), 'abc');
    assert.equal(q("trim('--a-b--', '-')"), 'a-b');
    assert.equal(q("trim_prefix('docker.io/nginx', 'docker.io/')"), 'nginx');
    assert.equal(q("trim_prefix('nginx', 'docker.io/')"), 'nginx');
    assert.deepEqual(q("split('a,b,c', ',')"), ['a', 'b', 'c']);
    assert.deepEqual(q("split('ab', '')"), ['a', 'b']);
    assert.equal(q("replace('aaaa', 'a', 'b', `2`)"), 'bbaa');
    assert.equal(q("replace('aaaa', 'a', 'b', `-1`)"), 'bbbb');
    assert.equal(q("replace_all('a.b.c', '.', '-')"), 'a-b-c');
    assert.equal(q("truncate('kyverno-policy', `7`)"), 'kyverno');
    assert.equal(q("truncate('abc', `10`)"), 'abc');
    assert.equal(q("truncate('abc', `-1`)"), '');
    assert.equal(q("path_canonicalize('/a//b/../c/.')"), '/a/c');
    assert.equal(q("path_canonicalize('a/../..')"), '..');
  });

  test('type checks reject wrong argument types', () => {
    fails('to_upper(`1`)');
    fails("split('a')");
  });

  test('base64 and sha256', () => {
    assert.equal(q("base64_encode('hello')"), 'aGVsbG8=');
    assert.equal(q("base64_decode('aGVsbG8=')"), 'hello');
    fails("base64_decode('aGVsbG8')", /illegal base64 data at input byte 4/);
    fails("base64_decode('a*b=')", /illegal base64 data at input byte 1/);
    assert.equal(q("sha256('abc')"), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  test('to_boolean accepts true/false in any case only', () => {
    assert.equal(q("to_boolean('TruE')"), true);
    assert.equal(q("to_boolean('faLSE')"), false);
    fails(
      "to_boolean('yes')",
      /JMESPath function 'to_boolean': lowercase argument must be 'true' or 'false' \(provided: 'yes'\)/,
    );
  });
});

describe('regular expressions (Go RE2)', () => {
  test('regex_match searches unanchored and takes numbers', () => {
    assert.equal(q("regex_match('^[a-z]+$', 'abc')"), true);
    assert.equal(q("regex_match('b', 'abc')"), true);
    assert.equal(q("regex_match('^\\d+$', `123`)"), true);
    assert.equal(q("regex_match('(?i)ABC', 'xabcx')"), true);
    fails("regex_match('(', 'x')", /^error parsing regexp: missing closing \): `\(`$/);
    // Perl look-arounds are not RE2
    fails("regex_match('a(?=b)', 'ab')", /error parsing regexp/);
  });

  test('regex_replace_all expands Go templates; the literal variant does not', () => {
    // "$" + "{2}" spells Go's braced group reference without a template-literal look-alike
    assert.equal(q("regex_replace_all('([a-z])(\\d)', 'a1b2', '$" + "{2}$1')"), '1a2b');
    assert.equal(q("regex_replace_all('(?P<x>\\d+)', 'v12', '<$" + "{x}>')"), 'v<12>');
    // $1W names group "1W", which does not exist: Go expands it to nothing
    assert.equal(q("regex_replace_all('(a)', 'a', '$1W')"), '');
    assert.equal(q("regex_replace_all_literal('\\d', 'a1b2', '$0')"), 'a$0b$0');
    assert.equal(q("regex_replace_all('x*', 'abc', '-')"), '-a-b-c-');
    assert.equal(q("regex_replace_all('\\d', `1.5`, 'N')"), 'N.N');
    fails("regex_replace_all('(', 'x', 'y')", /JMESPath function 'regex_replace_all': error parsing regexp/);
  });

  test('pattern_match uses wildcards', () => {
    assert.equal(q("pattern_match('nginx:*', 'nginx:1.2')"), true);
    assert.equal(q("pattern_match('a?c', 'abc')"), true);
    assert.equal(q("pattern_match('a?c', 'ac')"), false);
    assert.equal(q("pattern_match('1*', `123`)"), true);
  });
});

describe('objects and arrays', () => {
  const data = {
    obj: { b: 2, a: 1 },
    arr: ['x', 'y'],
    labels: { app: 'web' },
    target: { app: 'web', tier: 'fe' },
  };

  test('lookup, items, object_from_lists, label_match', () => {
    assert.equal(q("lookup(obj, 'a')", data), 1);
    assert.equal(q("lookup(obj, 'zz')", data), null);
    assert.equal(q('lookup(arr, `1`)', data), 'y');
    assert.equal(q('lookup(arr, `5`)', data), null);
    fails('lookup(arr, `1.5`)', /expected an integer number/, data);
    fails("lookup(arr, 'a')", /argument #2 is not of type Number/, data);
    assert.deepEqual(q("items(obj, 'key', 'value')", data), [
      { key: 'a', value: 1 },
      { key: 'b', value: 2 },
    ]);
    assert.deepEqual(q("items(arr, 'i', 'v')", data), [
      { i: 0, v: 'x' },
      { i: 1, v: 'y' },
    ]);
    assert.deepEqual(q('object_from_lists(`["a", "b"]`, `[1]`)'), { a: 1, b: null });
    assert.equal(q('label_match(labels, target)', data), true);
    assert.equal(q('label_match(target, labels)', data), false);
  });

  test('parse_json and parse_yaml', () => {
    assert.deepEqual(q(`parse_json('{"a": [1, true]}')`), { a: [1, true] });
    assert.deepEqual(q("parse_yaml('a: 1\nb: [x, z]')"), { a: 1, b: ['x', 'z'] });
    // sigs.k8s.io/yaml follows YAML 1.1, where yes is a boolean
    assert.deepEqual(q("parse_yaml('on: yes')"), { true: true });
    fails("parse_json('{')");
  });
});

describe('semver_compare (blang ranges)', () => {
  test('comparators, AND, OR and wildcards', () => {
    assert.equal(q("semver_compare('1.2.3', '>=1.0.0 <2.0.0')"), true);
    assert.equal(q("semver_compare('2.0.0', '>=1.0.0 <2.0.0')"), false);
    assert.equal(q("semver_compare('1.2.3', '1.2.3')"), true);
    assert.equal(q("semver_compare('1.2.3', '!=1.2.3')"), false);
    assert.equal(q("semver_compare('3.0.0', '<1.0.0 || >=3.0.0')"), true);
    assert.equal(q("semver_compare('1.4.0', '1.x')"), true);
    assert.equal(q("semver_compare('2.0.0', '1.x')"), false);
    assert.equal(q("semver_compare('1.2.9', '<=1.2.x')"), true);
    assert.equal(q("semver_compare('1.0.0-alpha', '<1.0.0')"), true);
    // an unparsable version counts as 0.0.0
    assert.equal(q("semver_compare('v1.2', '<0.0.1')"), true);
    fails("semver_compare('1.0.0', '>=1.0')", /Could not/);
  });
});

describe('random', () => {
  test('generates strings matching the pattern', () => {
    for (const pattern of ['[a-z]{5}-[0-9]{2}', '(ab|cd)+x?', '\\d{3}[^a-z]', 'id-[A-F0-9]{8}']) {
      const out = q(`random('${pattern.replaceAll('\\', '\\\\')}')`) as string;
      assert.match(out, new RegExp(`^${pattern}$`), pattern);
    }
    fails("random('')", /no pattern provided/);
    fails("random('[a-')", /error parsing regexp/);
  });
});

describe('image_normalize and is_external_url', () => {
  test('normalises references like Kyverno', () => {
    assert.equal(q("image_normalize('nginx')"), 'docker.io/nginx:latest');
    assert.equal(q("image_normalize('bitnami/nginx:1.2')"), 'docker.io/bitnami/nginx:1.2');
    assert.equal(q("image_normalize('ghcr.io/org/app:v1')"), 'ghcr.io/org/app:v1');
    fails(
      "image_normalize('Nginx')",
      /JMESPath function 'image_normalize': bad image: docker.io\/Nginx, .*repository name must be lowercase/,
    );
    fails("image_normalize('nginx:t@g')", /bad image: .*invalid reference format/);
  });

  test('classifies IP literals without DNS', () => {
    assert.equal(q("is_external_url('https://8.8.8.8/x')"), true);
    assert.equal(q("is_external_url('http://10.1.2.3')"), false);
    assert.equal(q("is_external_url('http://127.0.0.1:8080')"), false);
    assert.equal(q("is_external_url('http://localhost')"), false);
    fails("is_external_url('https://example.com')", /offline/);
  });
});

describe('x509_decode', () => {
  test('decodes an RSA certificate into Go x509.Certificate fields', () => {
    const cert = readFileSync(fixture('policy', 'vars', 'fixtures', 'cert.pem'), 'utf8');
    const out = q('x509_decode(cert)', { cert }) as Record<string, any>;
    assert.equal(out.Subject.CommonName, 'rampart.example');
    assert.deepEqual(out.Subject.Organization, ['Rampart Test']);
    assert.deepEqual(out.Issuer.Country, ['US']);
    assert.equal(out.NotBefore, '2026-11-26T07:56:08Z');
    assert.equal(out.NotAfter, '2036-11-23T07:56:08Z');
    assert.deepEqual(out.DNSNames, ['rampart.example', 'www.rampart.example']);
    assert.equal(out.IsCA, true);
    assert.equal(out.PublicKey.E, 65537);
    assert.match(out.PublicKey.N, /^\d{600,}$/);
    // the usual pattern: decode a base64-encoded certificate from a Secret
    const b64 = Buffer.from(cert).toString('base64');
    assert.equal(q('x509_decode(base64_decode(data)).Subject.CommonName', { data: b64 }), 'rampart.example');
  });

  test('decodes a certificate signing request, as CertificateSigningRequest policies do', () => {
    const csr = readFileSync(fixture('policy', 'vars', 'fixtures', 'csr.pem'), 'utf8');
    const request = Buffer.from(csr).toString('base64');
    const out = q('x509_decode(base64_decode(spec.request))', { spec: { request } }) as Record<string, any>;
    assert.equal(out.Subject.CommonName, 'csr.rampart.example');
    assert.deepEqual(out.Subject.Organization, ['Rampart Test']);
    assert.deepEqual(out.DNSNames, ['csr.rampart.example']);
    assert.deepEqual(out.IPAddresses, ['10.0.0.1']);
    assert.equal(out.PublicKey.E, 65537);
    assert.equal(out.Version, 0);
  });

  test('rejects non-PEM input and non-RSA keys', () => {
    fails("x509_decode('nope')", /failed to decode PEM block/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = ec.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    fails('x509_decode(pem)', /PEM block neither contains a CERTIFICATE or CERTIFICATE REQUEST/, { pem });
  });
});
