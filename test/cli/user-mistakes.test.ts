import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runRampart, tempDir } from '../helpers/index.js';

/** Mistakes a new user makes: each gets a clear message and the right exit code, never a stack trace. */
describe('user mistakes (real CLI)', () => {
  test('a .json file with a syntax error is reported as JSON with line and column, by scan and iam compose', async () => {
    const dir = await tempDir();
    try {
      const bad = join(dir.path, 'bad.json');
      await writeFile(bad, '{\n  "apiVersion": "v1",\n  "kind": Pod\n}\n');
      const scan = await runRampart(['scan', bad]);
      assert.equal(scan.code, 2, scan.stdout + scan.stderr);
      assert.match(scan.stderr, /bad\.json:3:11: invalid JSON/);
      assert.doesNotMatch(scan.stderr, /YAML/);
      const compose = await runRampart(['iam', 'compose', bad]);
      assert.equal(compose.code, 2);
      assert.match(compose.stderr, /bad\.json:3:11: invalid JSON/);
      assert.doesNotMatch(compose.stderr, /YAML|\n\s+at /);
    } finally {
      await dir.cleanup();
    }
  });

  test('iam lint of a file that is not JSON is an input error (exit 2) with line:column, even beside findings', async () => {
    const dir = await tempDir();
    try {
      const bad = join(dir.path, 'bad.json');
      await writeFile(bad, '{\n  "Version": "2012-10-17",\n  "Statement": [\n}\n');
      const admin = join(dir.path, 'admin.json');
      await writeFile(
        admin,
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
        }),
      );
      const alone = await runRampart(['iam', 'lint', bad]);
      assert.equal(alone.code, 2, alone.stdout + alone.stderr);
      assert.match(alone.stderr, /bad\.json:4:1: invalid JSON/);
      assert.doesNotMatch(alone.stdout, /IAM000/);
      const both = await runRampart(['iam', 'lint', bad, admin]);
      assert.equal(both.code, 2);
      assert.match(both.stdout, /IAM001/);
      assert.match(both.stderr, /bad\.json:4:1: invalid JSON/);
    } finally {
      await dir.cleanup();
    }
  });

  test('scan: one broken manifest beside clean ones exits 2, reported per file; --skip-unreadable restores exit 0', async () => {
    const dir = await tempDir();
    try {
      await writeFile(
        join(dir.path, 'good.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: apps\ndata:\n  a: b\n',
      );
      await writeFile(
        join(dir.path, 'broken.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n',
      );
      const r = await runRampart(['scan', dir.path]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /^rampart: scan: .*broken\.yaml:\d+:\d+: invalid YAML/m);
      assert.doesNotMatch(r.stdout, /No findings at/);
      assert.match(r.stdout, /1 input\(s\) could not be read: exit 2/);
      const skipped = await runRampart(['scan', dir.path, '--skip-unreadable']);
      assert.equal(skipped.code, 0, skipped.stdout + skipped.stderr);
      assert.match(skipped.stderr, /broken\.yaml/);
      assert.match(skipped.stdout, /No findings at high or above/);
      const json = await runRampart(['scan', dir.path, '-o', 'json']);
      assert.equal(json.code, 2);
      JSON.parse(json.stdout);
    } finally {
      await dir.cleanup();
    }
  });

  test('a policy with an invalid regex or JMESPath is an input error naming file, line and field (apply, scan)', async () => {
    const dir = await tempDir();
    try {
      const policy = join(dir.path, 'policy.yaml');
      await writeFile(
        policy,
        [
          '# team policy',
          'apiVersion: kyverno.io/v1',
          'kind: ClusterPolicy',
          'metadata:',
          '  name: names',
          'spec:',
          '  rules:',
          '  - name: lower-case',
          '    match:',
          '      any:',
          '      - resources:',
          '          kinds: [Pod]',
          '    validate:',
          '      deny:',
          '        conditions:',
          '          any:',
          '          - key: "{{ regex_match(\'[a-z\', request.object.metadata.name) }}"',
          '            operator: Equals',
          '            value: false',
          '',
        ].join('\n'),
      );
      const pod = join(dir.path, 'pod.yaml');
      await writeFile(pod, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers: []\n');
      for (const args of [
        ['apply', policy, '--resource', pod],
        ['scan', pod, '--policy', policy],
      ]) {
        const r = await runRampart(args);
        assert.equal(r.code, 2, `${args[0]}: ${r.stdout}${r.stderr}`);
        assert.match(
          r.stderr,
          /policy\.yaml:2:1: invalid policy "names": spec\.rules\[0\]\.validate\.deny\.conditions\.any\[0\]\.key: regex_match: invalid regular expression "\[a-z"/,
        );
        assert.doesNotMatch(r.stdout, /error/i);
      }
    } finally {
      await dir.cleanup();
    }
  });
});
