import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildStrategy, prometheusOptions } from '../../src/rightsize/options.js';

describe('rightsize flag options', () => {
  test('--prometheus-url is an alias of --prometheus (krr spelling)', () => {
    assert.equal(
      prometheusOptions({ 'prometheus-url': 'http://127.0.0.1:9090' }).url,
      'http://127.0.0.1:9090',
    );
    assert.equal(
      prometheusOptions({ prometheus: 'http://127.0.0.1:9090', 'prometheus-url': 'http://127.0.0.1:9090' })
        .url,
      'http://127.0.0.1:9090',
    );
    assert.throws(
      () => prometheusOptions({ prometheus: 'http://127.0.0.1:1', 'prometheus-url': 'http://127.0.0.1:2' }),
      /--prometheus and --prometheus-url/,
    );
  });
});

describe('contradictory rightsize flags are usage errors', () => {
  test('two ways to authenticate', () => {
    assert.throws(
      () =>
        prometheusOptions({ prometheus: 'http://127.0.0.1:9090', 'bearer-token': 't', 'basic-auth': 'u:p' }),
      /--bearer-token and --basic-auth contradict each other/,
    );
    assert.throws(
      () =>
        prometheusOptions({
          prometheus: 'http://127.0.0.1:9090',
          'bearer-token': 't',
          'bearer-token-file': 'f',
        }),
      /--bearer-token and --bearer-token-file/,
    );
  });

  test("a strategy's own flags with another strategy", () => {
    assert.throws(
      () => buildStrategy({ strategy: 'vpa', 'cpu-percentile': '90' }, 75),
      /--cpu-percentile applies only to --strategy simple, not vpa/,
    );
    assert.throws(
      () => buildStrategy({ strategy: 'vpa', 'memory-buffer': '10' }, 75),
      /--memory-buffer applies only to --strategy simple/,
    );
    assert.throws(
      () => buildStrategy({ 'target-cpu-utilization': '0.5' }, 75),
      /--target-cpu-utilization applies only to --strategy target-utilization, not simple/,
    );
    assert.ok(buildStrategy({ strategy: 'simple', 'cpu-percentile': '90' }, 75));
    assert.ok(buildStrategy({ strategy: 'target-utilization', profile: 'production' }, 75));
  });
});
