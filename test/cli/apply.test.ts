import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT, runRampart, tempDir } from '../helpers/index.js';

const policies = join(REPO_ROOT, 'examples', 'policies');
const platform = join(REPO_ROOT, 'examples', 'platform');

describe('rampart apply (real CLI)', () => {
  test('json output keeps positions and exits 1 on failures', async () => {
    const r = await runRampart(['apply', policies, '-r', platform, '-o', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const { results, summary } = JSON.parse(r.stdout);
    assert.ok(summary.fail > 0 && summary.pass > 0);
    const gpu = results.find((x: any) => x.policy === 'restrict-gpu-visibility' && x.status === 'fail');
    assert.equal(gpu.resource.name, 'gpu-metrics-debug');
    assert.match(gpu.origin.file, /gpu-inference\/triton\.yaml$/);
    assert.equal(gpu.origin.line, 36);
  });

  test('--audit-warn turns Audit failures into warnings; stdin works; policyreport output', async () => {
    const pod =
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns1, labels: {team: a}}\nspec: {containers: [{name: c, image: "nginx:latest", resources: {requests: {cpu: 1m, memory: 1Mi}, limits: {memory: 1Mi}}}]}\n';
    const latest = join(policies, 'disallow-latest-tag.yaml');
    const fail = await runRampart(['apply', latest, '-r', '-'], { input: pod });
    assert.equal(fail.code, 1);
    const warn = await runRampart(['apply', latest, '-r', '-', '--audit-warn'], { input: pod });
    assert.equal(warn.code, 0, warn.stdout);
    assert.match(warn.stdout, /WARN/);
    const report = await runRampart(['apply', latest, '-r', '-', '-o', 'policyreport'], { input: pod });
    const docs = parseAllDocuments(report.stdout).map((d) => d.toJS());
    assert.equal(docs[0].kind, 'PolicyReport');
    assert.equal(docs[0].metadata.namespace, 'ns1');
    assert.ok(docs[0].summary.fail >= 1);
  });

  test('malformed YAML, unknown policy fields and bad flags exit 2 with a position and no stack trace', async () => {
    const dir = await tempDir();
    try {
      await writeFile(
        join(dir.path, 'bad.yaml'),
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: {a: b\n',
      );
      const r = await runRampart(['apply', policies, '-r', join(dir.path, 'bad.yaml')]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /bad\.yaml:\d+:\d+: invalid YAML/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      await writeFile(
        join(dir.path, 'policy.yaml'),
        'apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: p}\nspec:\n  rules:\n    - name: r\n      match: {any: [{resources: {kinds: [Pod]}}]}\n      validate: {patern: {}}\n',
      );
      const p = await runRampart(['apply', join(dir.path, 'policy.yaml'), '-r', platform]);
      assert.equal(p.code, 2);
      assert.match(p.stderr, /spec\.rules\[0\]\.validate\.patern: unknown field/);
      const flag = await runRampart(['apply', policies]);
      assert.equal(flag.code, 2);
      assert.match(flag.stderr, /--resource/);
    } finally {
      await dir.cleanup();
    }
  });

  test('a 50 MB resource file is streamed within a 96 MB heap', async () => {
    const dir = await tempDir();
    try {
      const file = join(dir.path, 'big.yaml');
      const out = createWriteStream(file);
      const blob = 'x'.repeat(4000);
      let bytes = 0;
      let i = 0;
      while (bytes < 50 * 1024 * 1024) {
        const doc = `---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: pod-${i}\n  labels: {team: t}\n  annotations:\n    blob: "${blob}"\nspec:\n  containers:\n    - {name: c, image: "nginx:1.${i % 30}"}\n`;
        bytes += doc.length;
        i++;
        if (!out.write(doc)) await new Promise<void>((r) => out.once('drain', () => r()));
      }
      await new Promise<void>((r) => out.end(() => r()));
      const code = await new Promise<number>((resolve) => {
        const child = spawn(
          process.execPath,
          [
            '--max-old-space-size=96',
            join(REPO_ROOT, 'bin', 'rampart.js'),
            'apply',
            join(policies, 'require-team-label.yaml'),
            '-r',
            file,
          ],
          { stdio: ['ignore', 'ignore', 'pipe'] },
        );
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (c) => {
          if (c !== 0) console.error(stderr.slice(-500));
          resolve(c ?? -1);
        });
      });
      assert.equal(
        code,
        0,
        `apply over ${i} documents (${(bytes / 1048576).toFixed(0)} MB) ran out of its heap or failed`,
      );
    } finally {
      await dir.cleanup();
    }
  });
});
