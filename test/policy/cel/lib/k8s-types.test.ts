import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectError, expectValue, run } from '../helpers.js';

describe('Kubernetes quantity library', () => {
  test('parse, compare, arithmetic', () => {
    expectValue("isQuantity('1.5Gi')", true);
    expectValue("isQuantity('1.5.0')", false);
    expectValue("quantity('1Gi').isGreaterThan(quantity('1000Mi'))", true);
    expectValue("quantity('500m').isLessThan(quantity('1'))", true);
    expectValue("quantity('1') == quantity('1000m')", true);
    expectValue("quantity('1').compareTo(quantity('2'))", -1);
    expectValue("quantity('1Gi').add(quantity('1Gi')).isGreaterThan(quantity('2000Mi'))", true);
    expectValue("quantity('5').sub(2).asInteger()", 3);
    expectValue("quantity('-5m').sign()", -1);
    expectValue("quantity('1500m').isInteger()", false);
    expectValue("quantity('1.5').asApproximateFloat()", 1.5);
    expectError("quantity('1500m').asInteger()", /cannot convert value to integer/);
    expectError("quantity('x')", /quantities must match/);
    expectError("quantity('100E').asInteger()", /cannot convert/);
  });
});

describe('Kubernetes ip and cidr libraries', () => {
  test('ip parsing and predicates', () => {
    expectValue("ip('192.168.0.1').family()", 4);
    expectValue("ip('::1').family()", 6);
    expectValue("isIP('192.168.0.01')", false);
    expectValue("isIP('fe80::1%eth0')", false);
    expectError("ip('::ffff:1.2.3.4')", /IPv4-mapped/);
    expectValue("ip('127.0.0.1').isLoopback()", true);
    expectValue("ip('0.0.0.0').isUnspecified()", true);
    expectValue("ip('169.254.1.1').isLinkLocalUnicast()", true);
    expectValue("ip('fe80::1').isLinkLocalUnicast()", true);
    expectValue("ip('224.0.0.1').isLinkLocalMulticast()", true);
    expectValue("ip('8.8.8.8').isGlobalUnicast()", true);
    expectValue("ip.isCanonical('2001:db8::1')", true);
    expectValue("ip.isCanonical('2001:DB8::1')", false);
    expectValue("string(ip('2001:db8:0:0:0:0:0:1'))", '2001:db8::1');
    expectValue("ip('10.0.0.1') == ip('10.0.0.1')", true);
  });
  test('cidr containment and masking', () => {
    expectValue("cidr('10.0.0.0/8').containsIP('10.1.2.3')", true);
    expectValue("cidr('10.0.0.0/8').containsIP(ip('11.0.0.1'))", false);
    expectValue("cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16')", true);
    expectValue("cidr('10.1.0.0/16').containsCIDR('10.0.0.0/8')", false);
    expectValue("string(cidr('10.1.2.3/8').masked())", '10.0.0.0/8');
    expectValue("cidr('2001:db8::/32').prefixLength()", 32);
    expectValue("string(cidr('192.168.1.5/24').ip())", '192.168.1.5');
    expectValue("isCIDR('10.0.0.0/33')", false);
    expectValue("cidr('::/0').containsIP('10.0.0.1')", false);
  });
});

describe('Kubernetes URL library', () => {
  test('accessors', () => {
    expectValue("url('https://user@example.com:8443/a%20b?x=1&x=2&y').getScheme()", 'https');
    expectValue("url('https://example.com:8443/p').getHost()", 'example.com:8443');
    expectValue("url('https://[::1]:80/').getHost()", '[::1]:80');
    expectValue("url('https://[::1]:80/').getHostname()", '::1');
    expectValue("url('https://example.com:8443/p').getPort()", '8443');
    expectValue("url('https://example.com/p').getPort()", '');
    expectValue("url('https://example.com/a%20b').getEscapedPath()", '/a%20b');
    expectValue("url('https://e.com/?x=1&x=2&y').getQuery()", { x: ['1', '2'], y: [''] });
    expectValue("url('/absolute/path').getHost()", '');
    expectValue("isURL('relative/path')", false);
    expectValue("isURL('https://e.com/#frag')", false);
    expectError("url('not a url')", /invalid URI/);
  });
});

describe('Kubernetes format library', () => {
  test('named formats validate', () => {
    expectValue("format.dns1123Label().validate('my-name').hasValue()", false);
    assert.match(String((run("format.dns1123Label().validate('My_Name')") as string[])[0]), /RFC 1123 label/);
    expectValue("format.dns1123Subdomain().validate('a.b.c').hasValue()", false);
    expectValue("format.dns1035Label().validate('1abc').hasValue()", true);
    expectValue("format.qualifiedName().validate('example.com/MyName').hasValue()", false);
    expectValue("format.labelValue().validate('').hasValue()", false);
    expectValue("format.uuid().validate('123e4567-e89b-12d3-a456-426614174000').hasValue()", false);
    expectValue("format.date().validate('2024-02-30').hasValue()", true);
    expectValue("format.datetime().validate('2024-02-03T10:00:00Z').hasValue()", false);
    expectValue("format.byte().validate('aGVsbG8=').hasValue()", false);
    expectValue("format.dns1123LabelPrefix().validate('my-prefix-').hasValue()", false);
    expectValue("format.named('uuid').hasValue()", true);
    expectValue("format.named('nope').hasValue()", false);
    expectValue(
      `'a'.repeat`.length > 0 ? "format.dns1123Label().validate('a' + 'b').orValue([]).size()" : '0',
      0,
    );
  });
  test('label longer than 63 characters', () => {
    const long = 'a'.repeat(64);
    expectValue(`format.dns1123Label().validate('${long}').value()[0]`, 'must be no more than 63 characters');
  });
});

describe('Kubernetes semver library', () => {
  test('parse and compare', () => {
    expectValue("semver('1.2.3').major()", 1);
    expectValue("semver('1.2.3-rc.1').isLessThan(semver('1.2.3'))", true);
    expectValue("semver('1.10.0').isGreaterThan(semver('1.9.0'))", true);
    expectValue("semver('1.2.3').compareTo(semver('1.2.3'))", 0);
    expectValue("semver('1.2.3') == semver('1.2.3')", true);
    expectValue("isSemver('v1.2')", false);
    expectValue("isSemver('v1.2', true)", true);
    expectValue("semver('v1.2', true).minor()", 2);
    expectError("semver('01.2.3')", /could not parse/);
  });
});
