import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Document } from '../../src/core/document.js';
import { parsePolicy } from '../../src/policy/parse.js';
import {
  applyPaths,
  BATCH_SIZE,
  collectExceptions,
  evaluateStream,
  namespaceLabels,
} from '../../src/policy/stream.js';

const origin = { file: 'x.yaml', line: 1, column: 1, index: 0 };

function doc(content: Record<string, unknown>): Document {
  return { id: 'd', origin, format: 'kubernetes', content };
}

async function* none(): AsyncGenerator<Document> {}

describe('policy stream', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rampart-stream-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('applyPaths streams more than a batch, looks Namespaces up from a first pass, reports unsupported kinds once', async () => {
    await writeFile(
      join(dir, 'policy.yaml'),
      [
        'apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: prod-team}\nspec:\n  rules:\n    - name: team\n      match: {any: [{resources: {kinds: [Pod], namespaceSelector: {matchLabels: {env: prod}}}}]}\n      validate: {message: team label required, pattern: {metadata: {labels: {team: "?*"}}}}',
        'apiVersion: kyverno.io/v2\nkind: ClusterCleanupPolicy\nmetadata: {name: vap}\nspec: {}',
      ].join('\n---\n'),
    );
    const count = BATCH_SIZE + 44;
    const pods = Array.from(
      { length: count },
      (_, i) =>
        `apiVersion: v1\nkind: Pod\nmetadata: {name: p${i}, namespace: ${i % 2 ? 'prod' : 'dev'}${i % 4 === 1 ? ', labels: {team: a}' : ''}}\nspec: {containers: [{name: c, image: i}]}`,
    );
    // The Namespace comes after the pods: only the first pass can know its labels in time.
    await writeFile(
      join(dir, 'resources.yaml'),
      [...pods, 'apiVersion: v1\nkind: Namespace\nmetadata: {name: prod, labels: {env: prod}}'].join(
        '\n---\n',
      ),
    );
    const results = await applyPaths({
      policyPaths: [join(dir, 'policy.yaml')],
      resourcePaths: [join(dir, 'resources.yaml')],
    });
    const unsupported = results.filter((r) => r.policy === 'vap');
    assert.equal(unsupported.length, 1);
    assert.equal(unsupported[0]!.message, 'ClusterCleanupPolicy policies are not supported yet');
    const team = results.filter((r) => r.policy === 'prod-team');
    // Only the prod pods match; one in two of them carries the label.
    assert.equal(team.length, count / 2);
    assert.equal(team.filter((r) => r.status === 'pass').length, count / 4);
    assert.ok(team.every((r) => r.resource.namespace === 'prod'));
  });

  test('applyPaths: an invalid policy or exception is an input error', async () => {
    await writeFile(
      join(dir, 'bad.yaml'),
      'apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: bad}\nspec: {rules: [{name: r}]}',
    );
    await assert.rejects(
      applyPaths({ policyPaths: [join(dir, 'bad.yaml')], resourcePaths: [join(dir, 'bad.yaml')] }),
      /invalid policy "bad": spec\.rules\[0\]\.match: required/,
    );
    await writeFile(join(dir, 'empty.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}');
    await assert.rejects(
      applyPaths({ policyPaths: [join(dir, 'empty.yaml')], resourcePaths: [join(dir, 'empty.yaml')] }),
      /apply: no policies found/,
    );
  });

  test('evaluateStream reports an unsupported policy even without resources', async () => {
    const vap = parsePolicy({
      content: {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name: 'v' },
      },
      origin,
    });
    const results = await evaluateStream([vap], none(), {});
    assert.deepEqual(
      results.map((r) => [r.policy, r.status]),
      [['v', 'skip']],
    );
  });

  test('collectExceptions keeps valid exceptions and collects the errors of invalid ones', () => {
    const valid = doc({
      apiVersion: 'kyverno.io/v2',
      kind: 'PolicyException',
      metadata: { name: 'ok', namespace: 'default' },
      spec: {
        exceptions: [{ policyName: 'p', ruleNames: ['r'] }],
        match: { any: [{ resources: { kinds: ['Pod'] } }] },
      },
    });
    const invalid = doc({
      apiVersion: 'kyverno.io/v2',
      kind: 'PolicyException',
      metadata: { name: 'bad' },
      spec: {},
    });
    const { exceptions, errors } = collectExceptions([valid, invalid, doc({ kind: 'Pod' })]);
    assert.deepEqual(
      exceptions.map((e) => e.key),
      ['default/ok'],
    );
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /bad/);
  });

  test('namespaceLabels reads Namespace objects only', () => {
    assert.deepEqual(
      namespaceLabels([
        doc({ kind: 'Namespace', metadata: { name: 'a', labels: { env: 'x' } } }),
        doc({ kind: 'Namespace', metadata: { name: 'b' } }),
        doc({ kind: 'Pod', metadata: { name: 'c', labels: { env: 'y' } } }),
      ]),
      { a: { env: 'x' }, b: {} },
    );
  });
});
