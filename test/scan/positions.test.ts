import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { emptyConfig } from '../../src/scan/config.js';
import { fieldPathOf, fromDotted, fromPointer } from '../../src/scan/field-path.js';
import { locateField } from '../../src/scan/locate.js';
import { runScan } from '../../src/scan/run.js';

const POD = `# leading comment
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  hostPID: true
  containers:
  - name: app
    image: nginx:latest
    securityContext:
      privileged: true
  - name: "side"
    image: busybox
    securityContext: {runAsNonRoot: true}
`;

describe('finding positions', () => {
  test('field paths come from pattern failure paths and Pod Security field errors', () => {
    assert.deepEqual(fieldPathOf('rule x failed at path /spec/containers/0/securityContext/privileged/'), [
      'spec',
      'containers',
      0,
      'securityContext',
      'privileged',
    ]);
    assert.deepEqual(
      fieldPathOf(
        '(Forbidden reason: host namespaces, field error list: [spec.jobTemplate.spec.template.spec.hostPID is forbidden',
      ),
      ['spec', 'jobTemplate', 'spec', 'template', 'spec', 'hostPID'],
    );
    assert.deepEqual(fromPointer('/metadata/annotations/a~1b/'), ['metadata', 'annotations', 'a/b']);
    assert.deepEqual(fromDotted('spec.containers[1].ports[0]'), ['spec', 'containers', 1, 'ports', 0]);
    assert.deepEqual(fieldPathOf('x', { fieldPath: ['spec', 'replicas'] }), ['spec', 'replicas']);
    assert.equal(fieldPathOf('validation failure: no path here'), undefined);
  });

  test('locateField walks block YAML by indentation, compact sequences included', () => {
    assert.deepEqual(locateField(POD, 2, ['spec', 'hostPID']), {
      line: 7,
      column: 3,
      depth: 2,
      path: 'spec.hostPID',
    });
    assert.deepEqual(locateField(POD, 2, ['spec', 'containers', 0, 'securityContext', 'privileged']), {
      line: 12,
      column: 7,
      depth: 5,
      path: 'spec.containers[0].securityContext.privileged',
    });
    // A quoted value and the second item of a sequence written at its key's indentation.
    assert.deepEqual(locateField(POD, 2, ['spec', 'containers', 1, 'image']), {
      line: 14,
      column: 5,
      depth: 4,
      path: 'spec.containers[1].image',
    });
    // A missing field points at its closest existing parent.
    assert.deepEqual(locateField(POD, 2, ['spec', 'containers', 0, 'resources', 'limits']), {
      line: 9,
      column: 3,
      depth: 3,
      path: 'spec.containers[0]',
    });
    // A flow mapping is not walked: the key holding it is the closest parent.
    assert.deepEqual(locateField(POD, 2, ['spec', 'containers', 1, 'securityContext', 'runAsNonRoot']), {
      line: 15,
      column: 5,
      depth: 4,
      path: 'spec.containers[1].securityContext',
    });
  });

  describe('in a scan', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'rampart-positions-'));
      await writeFile(
        join(dir, 'cron.yaml'),
        `apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
  namespace: batch
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          hostPID: true
          restartPolicy: OnFailure
          containers:
            - name: report
              image: registry.example.com/report:1.0
---
apiVersion: v1
kind: Pod
metadata:
  name: gpu
  namespace: batch
spec:
  containers:
    - name: exporter
      image: registry.example.com/exporter:1.0
      env:
        - name: NVIDIA_VISIBLE_DEVICES
          value: all
`,
      );
    });
    after(() => rm(dir, { recursive: true, force: true }));

    test('PSS (autogen), pattern, container-named foreach findings and a missing field land on their lines', async () => {
      const outcome = await runScan({ paths: [dir], config: emptyConfig() });
      const at = (policy: string, name: string) => {
        const r = [...outcome.results].find(
          (x) => x.policy === policy && x.resource.name === name && x.status !== 'skip',
        );
        assert.ok(r, `${policy} on ${name}`);
        return [r.origin?.line, r.origin?.column, r.origin?.path];
      };
      assert.deepEqual(at('pss-baseline', 'nightly'), [
        12,
        11,
        'spec.jobTemplate.spec.template.spec.hostPID',
      ]);
      // automountServiceAccountToken is missing: its parent, the pod spec, is reported.
      assert.deepEqual(at('automount-service-account-token', 'nightly'), [
        11,
        9,
        'spec.jobTemplate.spec.template.spec',
      ]);
      assert.deepEqual(at('gpu-env-without-limit', 'gpu'), [25, 5, 'spec.containers[0]']);
      // A finding about the whole resource stays on the document's first line.
      assert.deepEqual(at('require-owner-annotations', 'nightly'), [1, 1, undefined]);
    });
  });
});
