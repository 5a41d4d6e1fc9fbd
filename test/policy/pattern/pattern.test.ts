import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { matchPattern } from '../../../src/policy/pattern/index.js';
import { validateValue } from '../../../src/policy/pattern/scalar.js';

function fails(resource: unknown, pattern: unknown): { path: string; message: string } {
  const out = matchPattern(resource, pattern);
  assert.equal(out.status, 'fail', JSON.stringify(out));
  return out as { path: string; message: string };
}

function passes(resource: unknown, pattern: unknown): void {
  assert.deepEqual(matchPattern(resource, pattern), { status: 'pass' });
}

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'nginx-deployment', labels: { app: 'nginx' } },
  spec: {
    replicas: 3,
    template: {
      spec: {
        containers: [
          {
            name: 'nginx',
            image: 'https://nirmata/nginx:latest',
            livenessProbe: { periodSeconds: 11 },
            resources: { limits: { memory: '2Gi', cpu: 8 }, requests: { memory: '512Mi', cpu: '8' } },
          },
        ],
      },
    },
  },
};

describe('matchPattern: structure and paths', () => {
  test('nested maps and arrays match with operators on quantities', () => {
    passes(deployment, {
      spec: {
        template: { spec: { containers: [{ name: '?*', resources: { requests: { cpu: '<4|8' } } }] } },
      },
    });
  });

  test('"*" requires the field to be present and non-null, reporting the parent path', () => {
    passes(deployment, { spec: { template: { spec: { containers: [{ name: '*', livenessProbe: '*' }] } } } });
    const withNull = structuredClone(deployment);
    (withNull.spec.template.spec.containers[0] as Record<string, unknown>).livenessProbe = null;
    const f = fails(withNull, {
      spec: { template: { spec: { containers: [{ name: '*', livenessProbe: '*' }] } } },
    });
    assert.equal(f.path, '/spec/template/spec/containers/0/');
    assert.equal(f.message, '/spec/template/spec/containers/0//livenessProbe not found');
  });

  test('null pattern accepts a missing, null or zero value', () => {
    passes(deployment, {
      spec: { template: { spec: { containers: [{ name: '*', livenessProbe2: null }] } } },
    });
    passes({ a: 0, b: '', c: false, d: null }, { a: null, b: null, c: null, d: null });
    fails({ a: 'x' }, { a: null });
    fails({ a: { b: 1 } }, { a: null });
  });

  test('failure path names the first mismatching element', () => {
    const f = fails(
      {
        spec: {
          containers: [
            { name: 'a', image: 'ok:1' },
            { name: 'b', image: 'x:latest' },
          ],
        },
      },
      {
        spec: { containers: [{ image: '!*:latest' }] },
      },
    );
    assert.equal(f.path, '/spec/containers/1/image/');
    assert.equal(
      f.message,
      "resource value 'x:latest' does not match '!*:latest' at path /spec/containers/1/image/",
    );
  });

  test('map pattern against a non-map reports the Go types', () => {
    const f = fails({ spec: 'text' }, { spec: { a: 1 } });
    assert.equal(f.path, '/spec/');
    assert.equal(
      f.message,
      'pattern and resource have different structures. Path: /spec/. Expected map[string]interface {}, found string',
    );
    assert.match(
      fails({ spec: { a: 1 } }, { spec: [{ a: 1 }] }).message,
      /does not satisfy the expected overlay pattern/,
    );
  });

  test('a scalar pattern applies to every element of a scalar array', () => {
    passes({ args: ['--a', '--b'] }, { args: ['--*'] });
    const f = fails({ args: ['--a', 'b'] }, { args: '--*' });
    assert.equal(f.message, "resource value '[--a b]' does not match '--*' at path /args/");
  });

  test('an empty pattern array fails', () => {
    assert.equal(fails({ a: [1] }, { a: [] }).message, 'pattern Array empty');
  });

  test('arrays of arrays are matched position by position', () => {
    passes({ m: [[1, 1], [3]] }, { m: [[1], [3]] });
    assert.equal(
      fails({ m: [[1, 2]] }, { m: [[1]] }).message,
      "resource value '[1 2]' does not match '1' at path /m/0/",
    );
    assert.equal(fails({ m: [[1]] }, { m: [[1], [2]] }).path, '');
  });

  test('integer pattern values compare numerically with strings and floats', () => {
    passes({ a: 8, b: '8', c: 8.0 }, { a: 8, b: 8, c: 8 });
    fails({ a: 8.5 }, { a: 8 });
    fails({ a: true }, { a: 1 });
    passes({ a: true }, { a: true });
    fails({ a: 'true' }, { a: true });
    passes({ a: true }, { a: 'true' });
  });

  test('wildcard keys in metadata labels and annotations expand to the resource keys', () => {
    passes(
      { metadata: { annotations: { 'test/bar': 'value1' } } },
      { metadata: { annotations: { 'test/*': 'value1' } } },
    );
    passes(
      { metadata: { annotations: { 'test/bar': 'value1' } } },
      { metadata: { annotations: { 'test/b??': 'v*' } } },
    );
    passes({ metadata: { labels: { 'foo/test': 'foo' } } }, { metadata: { labels: { '*/test': 'foo' } } });
    assert.equal(
      fails(
        { metadata: { labels: { 'foo/AB?': 'bar', 'foo/ABC': 'bar2' } } },
        { metadata: { labels: { 'foo/ABC*': 'bar' } } },
      ).path,
      '/metadata/labels/foo/ABC/',
    );
    assert.equal(
      fails(
        { metadata: { labels: { 'foo/XYZ': 'bar' } } },
        { metadata: { labels: { 'foo/X*': 'bar', 'foo/A*': 'bar2' } } },
      ).path,
      '/metadata/labels/foo/A*/',
    );
    passes(
      { metadata: { labels: { 'foo/PQR': 'bar', 'foo/QR': 'bar2' } } },
      { '=(metadata)': { '=(labels)': { 'foo/P*': 'bar', 'foo/Q*': 'bar2' } } },
    );
    assert.equal(
      fails(
        { metadata: { labels: { 'test/bar': 'value1' } } },
        { metadata: { annotations: { 'test/b??': 'v*' } } },
      ).path,
      '/metadata/annotations/',
    );
  });
});

describe('matchPattern: anchors', () => {
  test('equality anchor validates only when the key is present', () => {
    const p = { spec: { '=(hostNetwork)': false } };
    passes({ spec: {} }, p);
    passes({ spec: { hostNetwork: false } }, p);
    assert.equal(fails({ spec: { hostNetwork: true } }, p).path, '/spec/hostNetwork/');
  });

  test('negation anchor fails when the key exists, whatever its value', () => {
    const p = { spec: { volumes: [{ name: '*', 'X(hostPath)': 'null' }] } };
    passes({ spec: { volumes: [{ name: 'a', emptyDir: {} }] } }, p);
    const f = fails({ spec: { volumes: [{ name: 'a', hostPath: { path: '/' } }] } }, p);
    assert.equal(f.path, '/spec/volumes/0/hostPath/');
    assert.equal(f.message, 'negation anchor matched in resource: /spec/volumes/0/hostPath/ is not allowed');
  });

  test('existence anchor needs at least one matching element per pattern entry', () => {
    const p = { spec: { '^(containers)': [{ image: 'nginx:*' }] } };
    passes({ spec: { containers: [{ image: 'redis' }, { image: 'nginx:1' }] } }, p);
    passes({ spec: {} }, p);
    const f = fails({ spec: { containers: [{ image: 'redis' }] } }, p);
    assert.equal(f.path, '/spec/containers/');
    assert.equal(f.message, 'existence anchor validation failed at path /spec/containers/');
    assert.match(
      fails({ spec: { containers: 'x' } }, p).message,
      /Existence \^ \(\) anchor can be used only on list/,
    );
  });

  test('conditional anchor on a missing key skips the rule', () => {
    const out = matchPattern({ spec: {} }, { spec: { '(hostNetwork)': true, hostPID: false } });
    assert.equal(out.status, 'skip');
    assert.match((out as { message: string }).message, /conditional anchor key doesn't exist/);
  });

  test('conditional anchor holding: siblings are validated', () => {
    const p = { metadata: { '(name)': 'prod-*', labels: { team: '?*' } } };
    passes({ metadata: { name: 'prod-a', labels: { team: 'x' } } }, p);
    assert.equal(fails({ metadata: { name: 'prod-a', labels: {} } }, p).path, '/metadata/labels/team/');
    assert.equal(matchPattern({ metadata: { name: 'dev-a', labels: {} } }, p).status, 'skip');
  });

  test('a failure while a negation/conditional anchor key is absent becomes an execution error (empty path)', () => {
    const out = matchPattern(
      { spec: { containers: [{ image: 'nginx:latest' }] } },
      { spec: { 'X(hostNetwork)': null, containers: [{ image: '!*:latest' }] } },
    );
    assert.deepEqual(out, {
      status: 'fail',
      path: '',
      message: "resource value 'nginx:latest' does not match '!*:latest' at path /spec/containers/0/image/",
    });
  });

  test('keys that are not anchors keep their parentheses literally', () => {
    passes({ 'a(b': { 'c)d': 1 } }, { 'a(b': { 'c)d': 1 } });
  });
});

describe('validateValue: value operators', () => {
  const cases: [unknown, string, boolean][] = [
    ['nginx:1.2', 'nginx:*', true],
    ['nginx', 'ngin?', true],
    ['nginx', 'ngin?x', false],
    ['', '?*', false],
    ['a', '?*', true],
    [5, '>4', true],
    [4, '>4', false],
    [4, '>=4', true],
    ['3', '<4', true],
    [4, '<=4', true],
    ['200m', '<1', true],
    ['1.5Gi', '>1Gi', true],
    ['1024Mi', '1Gi', true],
    ['1000Mi', '<=1Gi', true],
    ['2', '!1', true],
    ['1', '!1', false],
    ['abc', '!abc', false],
    ['abc', '!a*', false],
    [5, '1-10', true],
    [11, '1-10', false],
    ['1.5', '1-2', true],
    ['1Gi', '512Mi-2Gi', true],
    [5, '1!-10', false],
    [11, '1!-10', true],
    ['30s', '<1m', true],
    ['2h', '>=90m', true],
    ['1h30m', '90m', true],
    [undefined, '<1', true],
    [undefined, '>=1', false],
    ['x', 'a | x', true],
    ['x', 'a|b', false],
    [7, '>5 & <10', true],
    [12, '>5 & <10', false],
    ['abc', '>1', false],
    [true, 'true', true],
    [false, '!true', true],
    [1.5, '1.5', true],
    [null, '*', false],
    ['anything', '*', true],
  ];
  for (const [value, pattern, expected] of cases) {
    test(`${JSON.stringify(value)} vs ${JSON.stringify(pattern)} → ${expected}`, () => {
      assert.equal(validateValue(value, pattern), expected);
    });
  }

  test('map patterns only require a map, array patterns never match a scalar', () => {
    assert.equal(validateValue({ a: 1 }, { b: 2 }), true);
    assert.equal(validateValue('x', { b: 2 }), false);
    assert.equal(validateValue('x', ['x']), false);
  });
});

describe('validateValue: cases from Kyverno pkg/engine/pattern tests', () => {
  const cases: [unknown, unknown, boolean][] = [
    [4, '>= 3', true],
    [0, '0-2', true],
    [2, '0-2', true],
    [3, '0-2', false],
    [0, '10!-20', true],
    [15, '10!-20', false],
    [25, '10!-20', true],
    [0, '0.00001-2.00001', false],
    [2, '0.00001-2.00001', true],
    [2.0001, '0.00001-2.00001', false],
    [2.0001, '0.00001!-2.00001', true],
    [2, '2-2', true],
    [2, '2!-2', false],
    [2.99999, '2.99998-3', true],
    [3.00001, '2.99998!-3', true],
    ['256Mi', '128Mi-512Mi', true],
    ['1024Mi', '128Mi-512Mi', false],
    ['64Mi', '128Mi!-512Mi', true],
    [-9, '-10-8', true],
    [9, '-10--8', false],
    [9, '-10!--8', true],
    [-9, '-10!--8', false],
    ['-9Mi', '-10Mi-8Mi', true],
    ['7Mi', '-10Mi-+8Mi', true],
    [10, '-10!-+8', true],
    ['1025Mi', '+0Mi!-+1024Mi', true],
    [7.00001, '>7.000001', true],
    [7.00001, '!7', true],
    [7, '7', true],
    [6.000000001, '<6', false],
    ['1024Gi', '', false],
    ['gii', '1024Gi', false],
    ['12s', '<15s', true],
    ['15s', '<=12s', false],
    ['12s', '>=12s', true],
    ['1Gi', '>1000Mi', true],
    ['1G', '<1Gi', true],
    ['500m', '>=0.5', true],
    ['0.2', '!.5', true],
    ['500m', '>=0.6', false],
    ['0.2', '200m', true],
    [1024, '1024', true],
    ['10.100.11.54', '192.168.88.1 | 10.100.11.*', true],
    ['10', '>1 & <20 | >31 & <33', true],
    ['32', '>1 & <20 | >31 & <33', true],
    ['21', '>1 & <20 | >31 & <33', false],
    [7.0, 7.0, true],
    [8, 10, false],
    [null, [], false],
    [{ a: true }, { b: false }, true],
    [null, false, false],
    [8.1, 8, false],
    ['8', 8, true],
    ['8.1', 8, false],
    [false, 8, false],
    [8, 8.1, false],
    ['8.1', 8.1, true],
    ['abc', 8.1, false],
    ['5.16.5-arch1-1', '!5.10.84-1', true],
    ['!5.10.84-1', '!5.10.84-1', true],
    ['5.10.84-1', '!5.10.84-1', false],
    ['5.15.2-1', '!5.10.84-1 & !5.15.2-1', false],
  ];
  for (const [value, pattern, expected] of cases) {
    test(`${JSON.stringify(value)} vs ${JSON.stringify(pattern)} → ${expected}`, () => {
      assert.equal(validateValue(value, pattern), expected);
    });
  }
});
