import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadPolicySources } from '../../src/packs/policy-sources.js';
import { fixture, tempDir } from '../helpers/index.js';

/** The one loader `rampart serve` and `rampart report` share: files (with their PolicyExceptions) and packs. */

const POLICIES = fixture('serve', 'fixtures', 'policies');

test('files then packs; PolicyExceptions beside the policies are collected', async () => {
  const tmp = await tempDir();
  try {
    await writeFile(
      join(tmp.path, 'exception.yaml'),
      [
        'apiVersion: kyverno.io/v2',
        'kind: PolicyException',
        'metadata: {name: allow-web, namespace: team-a}',
        'spec:',
        '  exceptions: [{policyName: require-team-label, ruleNames: [check-team]}]',
        '  match: {any: [{resources: {kinds: [Pod], names: [web]}}]}',
      ].join('\n'),
    );
    const loaded = await loadPolicySources({
      paths: [join(POLICIES, 'require-team-label.yaml'), tmp.path],
      packs: ['governance'],
    });
    assert.equal(loaded.policies[0]!.name, 'require-team-label');
    assert.ok(loaded.policies.length > 1, 'the pack policies follow');
    assert.deepEqual(
      loaded.exceptions.map((e) => e.key),
      ['team-a/allow-web'],
    );
  } finally {
    await tmp.cleanup();
  }
});

test('an unknown pack, an invalid policy (with its file and line) or nothing at all is an input error', async () => {
  await assert.rejects(
    loadPolicySources({ paths: [], packs: ['nope'] }),
    /unknown pack "nope" \(available: /,
  );
  const tmp = await tempDir();
  try {
    const bad = join(tmp.path, 'bad.yaml');
    await writeFile(
      bad,
      'apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: bad}\nspec:\n  rules: [{name: r}]\n',
    );
    await assert.rejects(loadPolicySources({ paths: [bad], packs: [] }), (error: Error) => {
      assert.match(error.message, /bad\.yaml:\d+:\d+: invalid policy "bad": /);
      return true;
    });
    await writeFile(bad, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n');
    await assert.rejects(loadPolicySources({ paths: [bad], packs: [] }), /no policies found in /);
  } finally {
    await tmp.cleanup();
  }
});
