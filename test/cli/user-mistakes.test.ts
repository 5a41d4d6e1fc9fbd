import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
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

  test("every command's output flag: a missing directory is a usage error (exit 2), never an internal error", async () => {
    const dir = await tempDir();
    try {
      const staging = join(dir.path, 'staging');
      await mkdir(join(staging, 'usr', 'bin'), { recursive: true });
      await writeFile(join(staging, 'usr', 'bin', 'hello'), '#!/bin/sh\necho hello\n');
      const spec = join(dir.path, 'spec.yaml');
      await writeFile(
        spec,
        'statement:\n  - actions: ["s3:GetObject"]\n    resources: ["arn:aws:s3:::b/*"]\n',
      );
      const missing = (name: string) => join(dir.path, 'missing-dir', name);
      const cases: [string, string[]][] = [
        [
          'apk build',
          [
            'apk',
            'build',
            staging,
            '--name',
            'hello',
            '--version',
            '1.0-r0',
            '--arch',
            'x86_64',
            '-o',
            missing('hello.apk'),
          ],
        ],
        ['apk index', ['apk', 'index', dir.path, '-o', missing('APKINDEX.tar.gz')]],
        ['iam compose', ['iam', 'compose', spec, '-O', missing('policy.json')]],
        [
          'aft request',
          [
            'aft',
            'request',
            '--name',
            'data-dev',
            '--email',
            'aws+data-dev@example.com',
            '--ou',
            'Sandbox',
            '--sso-email',
            'data@example.com',
            '--sso-first-name',
            'Data',
            '--sso-last-name',
            'Team',
            '-o',
            missing('accounts.tf'),
            dir.path,
          ],
        ],
        [
          'rightsize',
          ['rightsize', '--prometheus', 'http://127.0.0.1:1', '--output-file', missing('report.json')],
        ],
      ];
      for (const [command, args] of cases) {
        const r = await runRampart(args);
        assert.equal(r.code, 2, `${command}: ${r.stdout}${r.stderr}`);
        assert.match(
          r.stderr,
          new RegExp(`^rampart: ${command}: .*missing-dir.*: directory .*missing-dir does not exist$`, 'm'),
        );
        assert.doesNotMatch(r.stderr, /internal error|ENOENT|\n\s+at /, command);
      }
      // A directory output is created.
      const keys = await runRampart([
        'apk',
        'keygen',
        '--name',
        'ci@example.com',
        '--bits',
        '2048',
        '--out',
        join(dir.path, 'new', 'keys'),
      ]);
      assert.equal(keys.code, 0, keys.stderr);
      assert.ok((await stat(join(dir.path, 'new', 'keys'))).isDirectory());
    } finally {
      await dir.cleanup();
    }
  });

  test('apk verify: a truncated package fails verification (exit 1), as a byte-flipped one does', async () => {
    const dir = await tempDir();
    try {
      const staging = join(dir.path, 'staging');
      await mkdir(join(staging, 'usr', 'bin'), { recursive: true });
      await writeFile(join(staging, 'usr', 'bin', 'hello'), '#!/bin/sh\necho hello\n'.repeat(200));
      const keys = join(dir.path, 'keys');
      const gen = await runRampart([
        'apk',
        'keygen',
        '--name',
        'ci@example.com',
        '--bits',
        '2048',
        '--out',
        keys,
      ]);
      assert.equal(gen.code, 0, gen.stderr);
      const key = (await readdir(keys)).find((f) => !f.endsWith('.pub'))!;
      const apk = join(dir.path, 'hello.apk');
      const built = await runRampart([
        'apk',
        'build',
        staging,
        '--name',
        'hello',
        '--version',
        '1.0-r0',
        '--arch',
        'x86_64',
        '--key',
        join(keys, key),
        '-o',
        apk,
      ]);
      assert.equal(built.code, 0, built.stderr);
      const bytes = await readFile(apk);
      const ok = await runRampart(['apk', 'verify', apk, '--keys-dir', keys]);
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      const flipped = join(dir.path, 'flipped.apk');
      const copy = Buffer.from(bytes);
      copy[copy.length - 40] = copy[copy.length - 40]! ^ 0xff;
      await writeFile(flipped, copy);
      const truncated = join(dir.path, 'truncated.apk');
      await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
      const tiny = join(dir.path, 'tiny.apk');
      await writeFile(tiny, bytes.subarray(0, 100));
      for (const file of [flipped, truncated, tiny]) {
        const r = await runRampart(['apk', 'verify', file, '--keys-dir', keys]);
        assert.equal(r.code, 1, `${file}: ${r.stdout}${r.stderr}`);
        assert.match(r.stdout, /: FAILED/);
      }
      const json = await runRampart(['apk', 'verify', tiny, '--keys-dir', keys, '--json']);
      assert.equal(json.code, 1);
      assert.equal(JSON.parse(json.stdout)[0].ok, false);
      const missing = await runRampart(['apk', 'verify', join(dir.path, 'nope.apk'), '--keys-dir', keys]);
      assert.equal(missing.code, 2);
    } finally {
      await dir.cleanup();
    }
  });

  test('contradictory flags are usage errors: scan --pack X --skip-pack X, rightsize --strategy vpa --cpu-percentile', async () => {
    const scan = await runRampart(['scan', 'examples', '--pack', 'governance', '--skip-pack', 'governance']);
    assert.equal(scan.code, 2);
    assert.match(
      scan.stderr,
      /^rampart: scan: --pack governance and --skip-pack governance contradict each other$/m,
    );
    const rs = await runRampart([
      'rightsize',
      '--prometheus',
      'http://127.0.0.1:1',
      '--strategy',
      'vpa',
      '--cpu-percentile',
      '90',
    ]);
    assert.equal(rs.code, 2);
    assert.match(rs.stderr, /--cpu-percentile applies only to --strategy simple, not vpa/);
    const auth = await runRampart([
      'rightsize',
      '--prometheus',
      'http://127.0.0.1:1',
      '--bearer-token',
      't',
      '--basic-auth',
      'u:p',
    ]);
    assert.equal(auth.code, 2);
    assert.match(auth.stderr, /--bearer-token and --basic-auth contradict each other/);
  });

  test('apk nginx-config prints absolute paths for a relative repository root and files', async () => {
    const dir = await tempDir();
    try {
      const r = await runRampart(
        ['apk', 'nginx-config', 'repo', '--server-name', 'apk.example.com', '--basic-auth-file', 'htpasswd'],
        { cwd: dir.path },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stdout,
        new RegExp(`root ${join(dir.path, 'repo').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')};`),
      );
      assert.match(
        r.stdout,
        new RegExp(
          `auth_basic_user_file ${join(dir.path, 'htpasswd').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')};`,
        ),
      );
    } finally {
      await dir.cleanup();
    }
  });

  test('the scan footer counts Terraform documents', async () => {
    const dir = await tempDir();
    try {
      await writeFile(
        join(dir.path, 'main.tf'),
        'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n\nresource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\n',
      );
      const r = await runRampart(['scan', dir.path]);
      assert.match(r.stdout, /^Scanned 2 documents with packs:/m, r.stdout + r.stderr);
    } finally {
      await dir.cleanup();
    }
  });
});
