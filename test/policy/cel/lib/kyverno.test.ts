import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCel } from '../../../../src/policy/cel/index.js';
import { OFFLINE_DENY_REASON } from '../../../../src/policy/cel/lib/authorizer.js';
import { pluralise } from '../../../../src/policy/cel/lib/kyverno.js';
import { expectError, expectValue } from '../helpers.js';

const cm = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings', namespace: 'prod' },
  data: { tier: 'gold' },
};
const services = {
  resources: [
    cm,
    { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'prod' } },
  ],
  http: [
    {
      method: 'GET',
      url: 'https://api.example.com/v1/allowed',
      statusCode: 200,
      body: { images: ['nginx'] },
    },
  ],
  globalContext: [
    { name: 'deployments', data: [{ name: 'a' }], projections: [{ name: 'names', value: ['a'] }] },
  ],
  images: new Map([['nginx:1.25', { config: { user: '1000' } }]]),
};

describe('Kyverno CEL libraries (offline)', () => {
  test('resource.Get and resource.List read the given resources', () => {
    expectValue("resource.Get('v1', 'configmaps', 'prod', 'settings').data.tier", 'gold', {}, services);
    expectValue("resource.List('networking.k8s.io/v1', 'ingresses', 'prod').items.size()", 1, {}, services);
    expectValue("resource.List('v1', 'configmaps', 'dev').items.size()", 0, {}, services);
    expectError(
      "resource.Get('v1', 'configmaps', 'prod', 'missing')",
      /not found among the given resources/,
      {},
      services,
    );
    assert.equal(pluralise('Policy'), 'policies');
    assert.equal(pluralise('Ingress'), 'ingresses');
  });
  test('http answers only from mocks', () => {
    expectValue("http.Get('https://api.example.com/v1/allowed').images[0]", 'nginx', {}, services);
    expectError(
      "http.Get('https://elsewhere.example.com/')",
      /runs offline and no apiCallResponses entry/,
      {},
      services,
    );
    expectError("http.Post('https://api.example.com/v1/allowed', {'a': 1}, {})", /POST/, {}, services);
  });
  test('globalContext and imagedata', () => {
    expectValue("globalContext.Get('deployments', '')[0].name", 'a', {}, services);
    expectValue("globalContext.Get('deployments', 'names')", ['a'], {}, services);
    expectError("globalContext.Get('nope', '')", /no global context entry/, {}, services);
    expectValue("imagedata.Get('nginx:1.25').config.user", '1000', {}, services);
    expectError("imagedata.Get('redis')", /does not contact registries/, {}, services);
  });
  test('image.GetMetadata: the image variable answers like imagedata.Get, from the test context only', () => {
    expectValue("image.GetMetadata('nginx:1.25').config.user", '1000', {}, services);
    expectValue("image.GetMetadata('nginx:1.25') == imagedata.Get('nginx:1.25')", true, {}, services);
    // Exact reference: no normalisation to index.docker.io/library/nginx:1.25, no tag defaulting.
    expectError(
      "image.GetMetadata('redis')",
      /image\.GetMetadata\("redis"\): no image data .*does not contact registries/,
      {},
      services,
    );
    expectError("image.GetMetadata('docker.io/library/nginx:1.25')", /no image data/, {}, services);
    expectError("image.GetMetadata('')", /image\.GetMetadata\(""\)/, {}, services);
    expectError("image.GetMetadata('nginx:1.25')", /no image data/);
    // The variable and the image() function live side by side, even in one expression.
    expectValue(
      "image.GetMetadata(image('nginx:1.25').repository() == 'library/nginx' ? 'nginx:1.25' : 'x').config.user",
      '1000',
      {},
      services,
    );
    // Type-checked like Kyverno's overload: one string argument.
    assert.throws(() => compileCel('image.GetMetadata(1)', { policy: 'p', field: 'f' }), /GetMetadata/);
    assert.throws(() => compileCel('image.GetMetadata()', { policy: 'p', field: 'f' }), /GetMetadata/);
  });
  test('image references', () => {
    expectValue("image('nginx').registry()", 'index.docker.io');
    expectValue("image('nginx').repository()", 'library/nginx');
    expectValue("image('nginx').tag()", 'latest');
    expectValue("image('ghcr.io/org/app:v1').repository()", 'org/app');
    const digest = `sha256:${'a'.repeat(64)}`;
    expectValue(`image('ghcr.io/org/app@${digest}').containsDigest()`, true);
    expectValue(`image('ghcr.io/org/app@${digest}').identifier()`, digest);
    expectValue("isImage('nginx::bad')", false);
  });
  test('json, yaml and time helpers', () => {
    expectValue('json.unmarshal(\'{"a": [1, 2]}\').a[1]', 2);
    expectValue("yaml.parse('a: b').a", 'b');
    expectError("json.unmarshal('{')", /json.unmarshal/);
    expectValue("time_add('2024-01-01T00:00:00Z', '90m')", '2024-01-01T01:30:00Z');
    expectValue("time_before('2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z')", true);
    expectValue("time_diff('2024-01-01T00:00:00Z', '2024-01-01T02:00:00Z')", '2h0m0s');
    expectValue("time_parse('2006-01-02', '2024-03-04')", '2024-03-04T00:00:00Z');
  });
  test('authorizer denies by default and says why', () => {
    expectValue(
      "authorizer.group('apps').resource('deployments').namespace('x').check('create').allowed()",
      false,
    );
    expectValue(
      "authorizer.serviceAccount('ns', 'sa').group('').resource('pods').check('get').reason()",
      OFFLINE_DENY_REASON,
    );
    expectValue("parseServiceAccount('system:serviceaccount:ns:sa').name", 'sa');
  });
});
