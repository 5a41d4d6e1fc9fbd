import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, runRampart, tempDir } from '../helpers/index.js';

test('rampart iam compose prints the data source json for a YAML spec', async () => {
  const r = await runRampart(['iam', 'compose', fixture('iam', 'fixtures', 'spec-basic.yaml')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${await readFile(fixture('iam', 'fixtures', 'spec-basic.json'), 'utf8')}\n`);
});

test('rampart iam simulate exits 0 when allowed and 1 when denied; usage errors exit 2', async () => {
  const dir = await tempDir();
  try {
    const policy = join(dir.path, 'p.json');
    await writeFile(
      policy,
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::b/*' }],
      }),
    );
    const ok = await runRampart([
      'iam',
      'simulate',
      '-p',
      policy,
      '-a',
      's3:GetObject',
      '-r',
      'arn:aws:s3:::b/k',
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^ALLOWED s3:GetObject/);
    const denied = await runRampart([
      'iam',
      'simulate',
      '-p',
      policy,
      '-a',
      's3:PutObject',
      '-r',
      'arn:aws:s3:::b/k',
      '--json',
    ]);
    assert.equal(denied.code, 1);
    assert.equal(JSON.parse(denied.stdout).decision, 'implicitDeny');
    const usage = await runRampart(['iam', 'simulate', '-p', policy, '-r', 'arn:aws:s3:::b/k']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--action is required/);
  } finally {
    await dir.cleanup();
  }
});

test('rampart iam lint exits 1 with findings and 0 for clean Terraform', async () => {
  const dir = await tempDir();
  try {
    const policy = join(dir.path, 'admin.json');
    await writeFile(
      policy,
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
    );
    const bad = await runRampart(['iam', 'lint', policy, '-o', 'json']);
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stdout, /IAM001/);
    const clean = await runRampart(['iam', 'lint', fixture('iam', 'fixtures', 'realistic')]);
    assert.equal(clean.code, 0, clean.stderr);
  } finally {
    await dir.cleanup();
  }
});

test('rampart iam lint reads a named YAML policy: findings on its statement line, YAML errors exit 2', async () => {
  const dir = await tempDir();
  try {
    const policy = join(dir.path, 'policy.yaml');
    await writeFile(
      policy,
      'Version: "2012-10-17"\nStatement:\n  - Sid: Read\n    Effect: Allow\n    Action: s3:GetObject\n    Resource: arn:aws:s3:::b/*\n  - Sid: All\n    Effect: Allow\n    Action: "s3:*"\n    Resource: "*"\n',
    );
    const r = await runRampart(['iam', 'lint', policy, '-o', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const results = JSON.parse(r.stdout).results as { rule: string; origin: { line: number } }[];
    assert.ok(results.some((x) => x.rule === 'IAM001'));
    // Every finding is about the second statement, which starts on line 7.
    assert.ok(results.length > 0 && results.every((x) => x.origin.line === 7));

    const clean = join(dir.path, 'clean.yml');
    await writeFile(
      clean,
      'Version: "2012-10-17"\nStatement:\n  - Effect: Allow\n    Action: s3:GetObject\n    Resource: arn:aws:s3:::b/*\n',
    );
    assert.equal((await runRampart(['iam', 'lint', clean])).code, 0);

    const broken = join(dir.path, 'broken.yaml');
    await writeFile(broken, 'Version: "2012-10-17"\nStatement: [\n');
    const bad = await runRampart(['iam', 'lint', broken]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /broken\.yaml:\d+:\d+: invalid YAML/);
    assert.doesNotMatch(bad.stderr, /invalid JSON|at .*\.js:/);
  } finally {
    await dir.cleanup();
  }
});
