import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { celServicesFor, RULELESS_KINDS } from '../../../src/policy/testfile/cel-context.js';
import type { TestSpec } from '../../../src/policy/testfile/schema.js';
import { tempDir } from '../../helpers/index.js';

const base = (over: Partial<TestSpec>): TestSpec => ({
  name: 't',
  policies: [],
  resources: [],
  exceptions: [],
  clusterResources: [],
  apiCallResponses: [],
  globalContextEntries: {},
  paramResources: [],
  targetResources: [],
  results: [],
  notices: [],
  ...over,
});

describe('CEL test context', () => {
  test('Context file resources and images, http mocks and global context entries', async () => {
    const dir = await tempDir();
    try {
      await writeFile(
        join(dir.path, 'context.yaml'),
        `apiVersion: cli.kyverno.io/v1alpha1
kind: Context
metadata: {name: c}
spec:
  resources:
  - {apiVersion: v1, kind: ConfigMap, metadata: {name: cm}, data: {a: b}}
  images:
  - {image: nginx:1.27, resolvedImage: docker.io/library/nginx:1.27}
`,
      );
      const { services, resources } = await celServicesFor(
        base({
          context: 'context.yaml',
          apiCallResponses: [
            { urlPath: '/v1/x', method: 'post', response: { statusCode: 201, body: { ok: true } } },
          ],
          globalContextEntries: { deployments: [1, 2] },
        }),
        dir.path,
        (b, p) => join(b, p),
      );
      assert.equal(resources.length, 1);
      const first = resources[0]?.content as { metadata?: { namespace?: string } } | undefined;
      assert.equal(first?.metadata?.namespace, 'default');
      assert.deepEqual(services.images?.get('nginx:1.27'), {
        image: 'nginx:1.27',
        resolvedImage: 'docker.io/library/nginx:1.27',
      });
      assert.deepEqual(services.http, [
        { method: 'POST', url: undefined, urlPath: '/v1/x', statusCode: 201, body: { ok: true } },
      ]);
      assert.deepEqual(services.globalContext, [{ name: 'deployments', data: [1, 2] }]);
    } finally {
      await dir.cleanup();
    }
  });
  test('ruleless kinds are the CEL kinds, not ClusterPolicy', () => {
    assert.ok(RULELESS_KINDS.has('ValidatingAdmissionPolicy'));
    assert.ok(RULELESS_KINDS.has('NamespacedValidatingPolicy'));
    assert.ok(!RULELESS_KINDS.has('ClusterPolicy'));
  });
});
