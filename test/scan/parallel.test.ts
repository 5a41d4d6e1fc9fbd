import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { emptyConfig } from '../../src/scan/config.js';
import { runScan } from '../../src/scan/run.js';
import { fixture, REPO_ROOT } from '../helpers/index.js';

describe('parallel evaluation', () => {
  test('worker threads give exactly the results of a single thread, in the same order', async () => {
    const paths = [join(REPO_ROOT, 'examples', 'platform'), fixture('scan', 'fixtures', 'repo')];
    const one = await runScan({ paths, config: emptyConfig(), threads: 1, includePassed: true });
    const three = await runScan({ paths, config: emptyConfig(), threads: 3, includePassed: true });
    assert.ok(one.results.length > 100);
    assert.deepEqual(three.results, one.results);
    assert.deepEqual(three.summary, one.summary);
  });
});
