import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { commandLabel, errorLine } from '../../src/cli/error-line.js';
import { runRampart, tempDir } from '../helpers/index.js';

/** Every command prints an input error as `rampart: <command>: FILE:LINE:COL: message` and exits 2. */
describe('one error prefix for every command (real CLI)', () => {
  test('YAML, JSON and HCL parse errors and invalid test documents, through scan, apply, iam, aft and test', async () => {
    const dir = await tempDir();
    try {
      const yaml = join(dir.path, 'bad.yaml');
      await writeFile(yaml, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n');
      const json = join(dir.path, 'bad.json');
      await writeFile(json, '{\n  "apiVersion": "v1",\n  "kind": Pod\n}\n');
      const hcl = join(dir.path, 'bad.tf');
      await writeFile(hcl, 'resource "aws_iam_policy" "p" {\n  policy = <<EOF\n');
      const policy = join(dir.path, 'policy.yaml');
      await writeFile(
        policy,
        [
          'apiVersion: kyverno.io/v1',
          'kind: ClusterPolicy',
          'metadata: {name: p}',
          'spec:',
          '  rules:',
          '  - name: r',
          '    match: {any: [{resources: {kinds: [ConfigMap]}}]}',
          '    validate: {message: m, pattern: {metadata: {name: "?*"}}}',
          '',
        ].join('\n'),
      );
      const brokenTest = join(dir.path, 'broken-test');
      await mkdir(brokenTest);
      await writeFile(
        join(brokenTest, 'kyverno-test.yaml'),
        'apiVersion: cli.kyverno.io/v1alpha1\nkind: Test\nmetadata:\n  name: t\npolicies: [\n',
      );
      const unknownField = join(dir.path, 'unknown-field');
      await mkdir(unknownField);
      await writeFile(
        join(unknownField, 'kyverno-test.yaml'),
        '# a comment first\n---\napiVersion: cli.kyverno.io/v1alpha1\nkind: Test\nmetadata:\n  name: t\nresultz: []\n',
      );
      const cases: [string, string[], string][] = [
        ['scan', ['scan', yaml], `${yaml}:5:1: invalid YAML: `],
        ['scan', ['scan', json, '-o', 'json'], `${json}:3:11: invalid JSON: `],
        ['scan', ['scan', hcl], `${hcl}:3:1: invalid HCL: `],
        ['apply', ['apply', policy, '--resource', yaml], `${yaml}:5:1: invalid YAML: `],
        ['apply', ['apply', yaml, '--resource', json], `${yaml}:5:1: invalid YAML: `],
        ['apply', ['apply', policy, '--resource', json], `${json}:3:11: invalid JSON: `],
        ['iam lint', ['iam', 'lint', json], `${json}:3:11: invalid JSON: `],
        ['iam compose', ['iam', 'compose', json], `${json}:3:11: invalid JSON: `],
        ['aft check', ['aft', 'check', hcl], `${hcl}:3:1: invalid HCL: `],
        ['test', ['test', brokenTest], `${join(brokenTest, 'kyverno-test.yaml')}:6:1: invalid YAML: `],
        ['test', ['test', unknownField], `${join(unknownField, 'kyverno-test.yaml')}:3:1: `],
      ];
      for (const [command, args, position] of cases) {
        const r = await runRampart(args);
        const where = `${args.join(' ')}: ${r.stdout}${r.stderr}`;
        assert.equal(r.code, 2, where);
        const first = r.stderr.split('\n')[0]!;
        assert.ok(first.startsWith(`rampart: ${command}: ${position}`), `${where}\nfirst line: ${first}`);
        assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, where);
        // Every line naming the broken file has the one prefix.
        for (const line of r.stderr.split('\n').filter((l) => l.includes(position.split(':')[0]!)))
          assert.ok(line.startsWith(`rampart: ${command}: `), `${where}\nline: ${line}`);
      }
    } finally {
      await dir.cleanup();
    }
  });

  test('usage errors carry the same prefix, with the sub-command named once', async () => {
    const cases: [string[], string][] = [
      [['scan', 'examples', '--pack', 'x', '--skip-pack', 'x'], 'rampart: scan: --pack x and --skip-pack x'],
      [['iam', 'trust', 'irsa'], 'rampart: iam trust irsa: --'],
      [['iam', 'lint'], 'rampart: iam lint: at least one policy file is required'],
      [['cp', 'only-one'], 'rampart: cp: expected SRC and DEST'],
      [['test'], 'rampart: test: at least one path is required'],
    ];
    for (const [args, prefix] of cases) {
      const r = await runRampart(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.startsWith(prefix), `${args.join(' ')}: ${r.stderr}`);
    }
  });

  test('errorLine and commandLabel', () => {
    assert.equal(
      errorLine('scan', 'a.yaml:1:2: invalid YAML: x'),
      'rampart: scan: a.yaml:1:2: invalid YAML: x\n',
    );
    assert.equal(errorLine('iam compose', 'iam compose: -O x: nope'), 'rampart: iam compose: -O x: nope\n');
    assert.equal(errorLine('scan', 'scan.yaml:1:1: bad'), 'rampart: scan: scan.yaml:1:1: bad\n');
    assert.equal(commandLabel(['iam', 'lint', 'x.json']), 'iam lint');
    assert.equal(commandLabel(['iam', '--help']), 'iam');
    assert.equal(commandLabel(['scan', 'lint']), 'scan');
    assert.equal(commandLabel(['--version']), undefined);
  });
});
