import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runRampart, tempDir } from '../../helpers/index.js';

const policy = (schedule: string) => `apiVersion: kyverno.io/v2
kind: ClusterCleanupPolicy
metadata: {name: idle-deployments}
spec:
  schedule: "${schedule}"
  match:
    any:
    - resources: {kinds: [Deployment]}
  conditions:
    all:
    - {key: "{{ target.spec.replicas }}", operator: Equals, value: 0}
`;
const resources = `apiVersion: apps/v1
kind: Deployment
metadata: {name: idle, namespace: dev}
spec: {replicas: 0}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: busy, namespace: dev}
spec: {replicas: 3}
`;

test('rampart cleanup --dry-run lists what would be deleted; a bad schedule is a usage error naming the field', async () => {
  const dir = await tempDir();
  try {
    await writeFile(join(dir.path, 'good.yaml'), policy('0 1 * * *'));
    await writeFile(join(dir.path, 'bad.yaml'), policy('0 25 * * *'));
    await writeFile(join(dir.path, 'res.yaml'), resources);
    const ok = await runRampart(['cleanup', '--dry-run', 'good.yaml', '-r', 'res.yaml', '-o', 'json'], {
      cwd: dir.path,
    });
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(
      JSON.parse(ok.stdout).deletions.map((d: any) => [d.policy, d.kind, d.namespace, d.name]),
      [['idle-deployments', 'Deployment', 'dev', 'idle']],
    );
    const bad = await runRampart(['cleanup', '--dry-run', 'bad.yaml', '-r', 'res.yaml'], { cwd: dir.path });
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /spec\.schedule: invalid cron schedule "0 25 \* \* \*": hour: 25 is out of range 0-23/,
    );
    const noDry = await runRampart(['cleanup', 'good.yaml', '-r', 'res.yaml'], { cwd: dir.path });
    assert.equal(noDry.code, 2);
  } finally {
    await dir.cleanup();
  }
});
