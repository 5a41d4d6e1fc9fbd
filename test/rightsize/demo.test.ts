import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { prometheusAvailable } from '../../src/rightsize/demo/prometheus.js';
import { REPO_ROOT, runRampart, tempDir } from '../helpers/index.js';

const skip = prometheusAvailable() ? false : 'needs the Debian package prometheus (prometheus and promtool)';

async function reachable(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/-/ready`);
    return true;
  } catch {
    return false;
  }
}

describe('rampart rightsize --demo (real Prometheus)', () => {
  test('reports on a generated cluster through a local Prometheus, then stops it and removes its data', {
    skip,
  }, async () => {
    const tmp = await tempDir();
    try {
      const r = await runRampart(['rightsize', '--demo', '-o', 'json', '--no-progress'], {
        env: { TMPDIR: tmp.path },
      });
      assert.equal(r.code, 0, r.stderr);
      const url = /Prometheus on (http:\/\/127\.0\.0\.1:\d+) /.exec(r.stderr)?.[1];
      assert.ok(url, r.stderr);
      const report = JSON.parse(r.stdout) as {
        prometheus: string;
        recommendations: { namespace: string; workload: { kind: string; name: string }; container: string }[];
      };
      assert.equal(report.prometheus, url);
      const names = report.recommendations.map(
        (x) => `${x.namespace}/${x.workload.kind}/${x.workload.name}/${x.container}`,
      );
      for (const expected of [
        'shop/Deployment/web/app',
        'shop/StatefulSet/db/postgres',
        'kube-system/DaemonSet/logs/fluentbit',
      ])
        assert.ok(names.includes(expected), `${expected} in ${names.join(', ')}`);
      assert.equal(await reachable(url), false, 'Prometheus is stopped');
      assert.deepEqual(await readdir(tmp.path), [], 'its data directory is removed');
    } finally {
      await tmp.cleanup();
    }
  });

  test('Ctrl-C during the report stops Prometheus, removes its data and exits 130', { skip }, async () => {
    const tmp = await tempDir();
    try {
      const child = spawn(
        process.execPath,
        [join(REPO_ROOT, 'bin', 'rampart.js'), 'rightsize', '--demo', '--no-progress'],
        {
          cwd: REPO_ROOT,
          env: { ...process.env, TMPDIR: tmp.path, NO_COLOR: '1' },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let stderr = '';
      let url: string | undefined;
      const code = await new Promise<number | null>((resolve) => {
        child.stderr.on('data', (d) => {
          stderr += d;
          const m = /Prometheus on (http:\/\/127\.0\.0\.1:\d+) /.exec(stderr);
          if (m && !url) {
            url = m[1];
            child.kill('SIGINT');
          }
        });
        child.on('close', (c) => resolve(c));
      });
      assert.ok(url, stderr);
      assert.equal(code, 130, stderr);
      assert.doesNotMatch(stderr, /cannot reach|internal error/);
      assert.equal(await reachable(url), false, 'Prometheus is stopped');
      assert.deepEqual(await readdir(tmp.path), [], 'its data directory is removed');
    } finally {
      await tmp.cleanup();
    }
  });

  test('without prometheus installed: a usage error naming the Debian package (exit 2)', async () => {
    const empty = await tempDir();
    try {
      const r = await runRampart(['rightsize', '--demo'], { env: { PATH: empty.path } });
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        /^rampart: rightsize: --demo needs a local Prometheus: install the Debian package "prometheus"/,
      );
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    } finally {
      await empty.cleanup();
    }
  });

  test('--demo with --prometheus is a usage error (exit 2)', async () => {
    const r = await runRampart(['rightsize', '--demo', '--prometheus', 'http://127.0.0.1:1']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^rampart: rightsize: --demo starts its own Prometheus/);
  });
});
