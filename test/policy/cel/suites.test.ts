import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fixture, runRampart, tempDir } from '../../helpers/index.js';

const suites = readdirSync(fixture('policy', 'cel', 'suites'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

describe('CEL Kyverno test suites under `rampart test`', () => {
  for (const suite of suites) {
    test(suite, async () => {
      const r = await runRampart(['test', fixture('policy', 'cel', 'suites', suite)]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /Test Summary: \d+ tests passed and 0 tests failed/);
    });
  }

  test('a wrong expectation fails the run with exit 1', async () => {
    const dir = await tempDir();
    try {
      await writeFile(
        join(dir.path, 'policy.yaml'),
        `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: no-default
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}
  validations:
  - expression: "object.metadata.namespace != 'default'"
`,
      );
      await writeFile(join(dir.path, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n');
      await writeFile(
        join(dir.path, 'kyverno-test.yaml'),
        `apiVersion: cli.kyverno.io/v1alpha1
kind: Test
metadata: {name: t}
policies: [policy.yaml]
resources: [cm.yaml]
results:
- {policy: no-default, kind: ConfigMap, resources: [c], result: pass}
`,
      );
      const r = await runRampart(['test', dir.path]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /Want pass, got fail/);
    } finally {
      await dir.cleanup();
    }
  });

  test('a CEL syntax error is reported with policy, field and column, exit 2 from apply', async () => {
    const dir = await tempDir();
    try {
      await writeFile(
        join(dir.path, 'policy.yaml'),
        `apiVersion: policies.kyverno.io/v1
kind: ValidatingPolicy
metadata:
  name: broken
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
  validations:
  - expression: "true"
  - expression: "object.spec.containers.all(c, c.image ==)"
`,
      );
      await writeFile(
        join(dir.path, 'pod.yaml'),
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers: []\n',
      );
      const r = await runRampart([
        'apply',
        join(dir.path, 'policy.yaml'),
        '--resource',
        join(dir.path, 'pod.yaml'),
      ]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(
        r.stderr,
        /ValidatingPolicy\/broken: spec\.validations\[1\]\.expression \(line 1, column \d+\)/,
      );
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    } finally {
      await dir.cleanup();
    }
  });
});
