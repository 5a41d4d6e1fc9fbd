import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { prometheusOptions } from '../../src/rightsize/options.js';

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
