import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Rule } from '../../../src/policy/model/types.js';
import { runTestFile } from '../../../src/policy/testfile/run.js';
import { imageVerdictLookup, parseValuesSpec } from '../../../src/policy/values.js';
import { OFFLINE_REASON, verifyImagesRule } from '../../../src/policy/verifyimages/index.js';
import { REPO_ROOT, runRampart, tempDir } from '../../helpers/index.js';

const suites = join(REPO_ROOT, 'test', 'policy', 'verifyimages', 'suites');

describe('verifyImages outcomes from the values file', () => {
  test('the suites pass with every row checked: pass, fail and skip, and the digest mutateDigest writes', async () => {
    const statuses = new Set<string>();
    for (const name of ['supplied-outcomes', 'offline']) {
      const file = join(suites, name, 'kyverno-test.yaml');
      for (const o of await runTestFile(file)) {
        assert.equal(o.error, null, `${file}: ${o.error}`);
        assert.ok(o.rows.length > 0, `${file}: no rows`);
        for (const r of o.rows) {
          assert.ok(r.ok, `${file}: ${r.policy}/${r.rule} ${r.resourceKey}: ${r.reason} ${r.diff ?? ''}`);
          statuses.add(String(r.expected));
        }
      }
    }
    assert.deepEqual([...statuses].sort(), ['fail', 'pass', 'skip']);
  });

  test('a mistake in imageVerifications is an error naming the entry and field', () => {
    const bad = (entry: unknown) => () => parseValuesSpec({ imageVerifications: [entry] }, 'values.yaml');
    assert.throws(
      bad({ image: 'a:1' }),
      /values\.yaml: values\.imageVerifications\[0\]\.verified: must be true or false/,
    );
    assert.throws(bad({ verified: true }), /imageVerifications\[0\]\.image: required/);
    assert.throws(
      bad({ image: 'a:1', verified: true, digest: 'abc' }),
      /imageVerifications\[0\]\.digest: must be a digest/,
    );
    assert.throws(
      bad({ image: 'a:1', verified: true, signed: true }),
      /imageVerifications\[0\]: unknown field "signed"/,
    );
    assert.throws(
      () => parseValuesSpec({ imageVerifications: {} }, 'v.yaml'),
      /imageVerifications must be a list/,
    );
  });
});

describe('verifyImagesRule with supplied verifications', () => {
  const digest = `sha256:${'ab'.repeat(32)}`;
  const rule = (mutateDigest?: boolean) =>
    ({
      name: 'verify',
      match: {},
      verifyImages: [
        {
          imageReferences: ['docker.io/*', 'nginx*'],
          ...(mutateDigest === undefined ? {} : { mutateDigest }),
        },
      ],
    }) as Rule;
  const cronJob = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'c' },
    spec: {
      jobTemplate: {
        spec: {
          template: {
            spec: {
              initContainers: [{ name: 'i', image: 'registry.k8s.io/pause:3.9' }],
              containers: [{ name: 'n', image: 'nginx:1.27' }],
            },
          },
        },
      },
    },
  };
  const lookup = imageVerdictLookup(
    parseValuesSpec(
      {
        imageVerifications: [
          { image: 'docker.io/nginx:*', verified: true, digest, policy: 'p' },
          { image: 'nginx:*', verified: false },
        ],
      },
      'values.yaml',
    ),
  )!;

  test('an entry matches the image as written or in its full form, scoped to its policy', () => {
    assert.deepEqual(lookup('nginx:1.27', 'verify', { name: 'p', namespace: undefined }), {
      verified: true,
      digest,
    });
    assert.deepEqual(lookup('nginx:1.27', 'verify', { name: 'other', namespace: undefined }), {
      verified: false,
    });
    assert.equal(lookup('redis:7', 'verify', { name: 'p', namespace: undefined }), undefined);
  });

  test('mutateDigest (the default) writes the supplied digest at the container pointer, as Kyverno does', () => {
    const out = verifyImagesRule(rule(), cronJob, lookup, { name: 'p', namespace: undefined })!;
    assert.equal(out.status, 'pass');
    assert.deepEqual(out.patch, [
      {
        op: 'replace',
        path: '/spec/jobTemplate/spec/template/spec/containers/0/image',
        value: `docker.io/nginx:1.27@${digest}`,
      },
    ]);
    assert.equal(
      (out.patchedResource as any).spec.jobTemplate.spec.template.spec.containers[0].image,
      `docker.io/nginx:1.27@${digest}`,
    );
    assert.equal(cronJob.spec.jobTemplate.spec.template.spec.containers[0]!.image, 'nginx:1.27');
    const off = verifyImagesRule(rule(false), cronJob, lookup, { name: 'p', namespace: undefined })!;
    assert.equal(off.status, 'pass');
    assert.equal(off.patchedResource, undefined);
  });

  test('an unverified image fails; an image with no entry keeps the offline skip', () => {
    assert.equal(
      verifyImagesRule(rule(), cronJob, lookup, { name: 'other', namespace: undefined })?.status,
      'fail',
    );
    const partial = imageVerdictLookup(
      parseValuesSpec({ imageVerifications: [{ image: 'busybox', verified: true }] }, 'v'),
    )!;
    const both = {
      ...cronJob,
      spec: {
        jobTemplate: {
          spec: {
            template: {
              spec: {
                containers: [
                  { name: 'a', image: 'busybox' },
                  { name: 'b', image: 'nginx:1' },
                ],
              },
            },
          },
        },
      },
    };
    assert.equal(verifyImagesRule(rule(), both, partial)?.message, OFFLINE_REASON);
    const verifiedBusybox = {
      ...both,
      spec: {
        jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', image: 'busybox' }] } } } },
      },
    };
    // `busybox` is selected by `docker.io/*` through its full reference, docker.io/busybox:latest.
    assert.equal(verifyImagesRule(rule(), verifiedBusybox, partial)?.status, 'pass');
  });
});

describe('rampart test prints a unified diff for a patchedResource mismatch', () => {
  test('expected file → actual, with the changed line marked and context around it', async () => {
    const dir = await tempDir();
    try {
      await cp(join(REPO_ROOT, 'test', 'policy', 'mutate', 'suites', 'rampart-pull-policy'), dir.path, {
        recursive: true,
      });
      const patched = join(dir.path, 'patched.yaml');
      const text = await readFile(patched, 'utf8');
      await writeFile(patched, text.replace('imagePullPolicy: Always', 'imagePullPolicy: IfNotPresent'));
      const run = await runRampart(['test', dir.path]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stdout, /│ Fail +│ Resource diff │/);
      assert.match(run.stdout, /Resource diff for row \d+ \(v1\/Pod\/shop\/mixed\):/);
      const diff = run.stdout.slice(run.stdout.indexOf('--- patched.yaml'));
      const lines = diff.split('\n').map((l) => l.replace(/^ {4}/, ''));
      assert.equal(lines[0], '--- patched.yaml');
      assert.equal(lines[1], '+++ actual');
      assert.match(lines[2]!, /^@@ -\d+,\d+ \+\d+,\d+ @@$/);
      assert.ok(
        lines.some((l) => /^- +imagePullPolicy: IfNotPresent$/.test(l)),
        diff,
      );
      assert.ok(
        lines.some((l) => /^\+ +imagePullPolicy: Always$/.test(l)),
        diff,
      );
      assert.ok(
        lines.some((l) => l.startsWith(' ') && l.includes('image: nginx:latest')),
        diff,
      );
      // Both rules' rows for the Pod compare the same patched object.
      assert.match(run.stdout, /Test Summary: 2 tests passed and 2 tests failed/);
    } finally {
      await dir.cleanup();
    }
  });
});
