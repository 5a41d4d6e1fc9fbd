import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OBSERVE_SCRIPT, parseObservation } from '../../src/gpu/validate/observe.js';
import { migResource, type NodeInfo, planValidation, poolOf } from '../../src/gpu/validate/plan.js';
import { buildPod, gpuTolerations, LABEL_RUN, type PodPlan } from '../../src/gpu/validate/pods.js';
import { judgeAuthorized, judgeMigPair, judgeRogue } from '../../src/gpu/validate/verdict.js';

const A100 = 'GPU-838f60d9-651f-9166-ea42-f9da674a6947';
const MIG0 = 'MIG-ffda444c-c706-57c6-98c9-67c441a0b109';
const MIG1 = 'MIG-fe9bc608-60f5-5479-8cc4-1827021d27a9';
const L4 = 'GPU-4f6c1a3e-2b7d-4c61-9a0e-5d2b8c7e1f90';
const L4b = 'GPU-9b1e7d42-6a3c-4f85-b2d1-0c8e5a7f3b26';

function node(
  name: string,
  allocatable: Record<string, string>,
  labels: Record<string, string> = {},
): NodeInfo {
  return {
    name,
    labels,
    allocatable,
    taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }],
    unschedulable: false,
  };
}

const plan = (variant: PodPlan['variant'], resource?: string): PodPlan => ({
  variant,
  name: `rampart-gpu-${variant}-abc-0`,
  namespace: 'gpu-check',
  node: 'gpu-1',
  pool: 'node=gpu-1',
  ...(resource ? { resource } : {}),
});

/** What OBSERVE_SCRIPT prints, section by section (the shape the parser reads). */
function script(parts: { devices?: string[]; env?: string[]; smi?: string[]; rc: number }): string {
  return [
    '### devices',
    ...(parts.devices ?? []),
    '### env',
    ...(parts.env ?? []),
    '### mounts',
    '### smi',
    ...(parts.smi ?? []),
    `### smi-rc ${parts.rc}`,
    '',
  ].join('\n');
}

describe('gpu validate: pod specs', () => {
  test('each variant carries its one difference; all are labelled, deadlined, tolerate GPU taints, pinned to the node', () => {
    const opts = {
      image: 'img:1',
      runId: 'abc',
      deadlineSeconds: 300,
      taints: [
        { key: 'sku', value: 'gpu', effect: 'NoSchedule' },
        { key: 'other', effect: 'NoSchedule' },
      ],
    };
    const pods = Object.fromEntries(
      (
        [
          'rogue-plain',
          'rogue-env-all',
          'rogue-runtimeclass',
          'rogue-volume-mount',
          'rogue-privileged',
          'authorized',
          'mig-a',
        ] as const
      ).map((v) => [
        v,
        buildPod(
          plan(
            v,
            v === 'mig-a' ? 'nvidia.com/mig-1g.5gb' : v === 'authorized' ? 'nvidia.com/gpu' : undefined,
          ),
          opts,
        ) as any,
      ]),
    );
    for (const pod of Object.values(pods)) {
      assert.equal(pod.metadata.labels[LABEL_RUN], 'abc');
      assert.equal(pod.spec.activeDeadlineSeconds, 300);
      assert.deepEqual(pod.spec.nodeSelector, { 'kubernetes.io/hostname': 'gpu-1' });
      assert.deepEqual(
        pod.spec.tolerations.map((t: any) => t.key),
        ['nvidia.com/gpu', 'sku'],
      );
      assert.equal(pod.spec.restartPolicy, 'Never');
      assert.equal(pod.spec.containers[0].image, 'img:1');
    }
    assert.equal(pods['rogue-plain'].spec.containers[0].resources, undefined);
    assert.equal(pods['rogue-plain'].spec.containers[0].env, undefined);
    assert.deepEqual(pods['rogue-env-all'].spec.containers[0].env, [
      { name: 'NVIDIA_VISIBLE_DEVICES', value: 'all' },
    ]);
    assert.equal(pods['rogue-runtimeclass'].spec.runtimeClassName, 'nvidia');
    assert.deepEqual(pods['rogue-volume-mount'].spec.volumes, [
      { name: 'gpu-request', hostPath: { path: '/dev/null' } },
    ]);
    assert.equal(
      pods['rogue-volume-mount'].spec.containers[0].volumeMounts[0].mountPath,
      '/var/run/nvidia-container-devices/all',
    );
    assert.equal(pods['rogue-privileged'].spec.containers[0].securityContext.privileged, true);
    assert.deepEqual(pods.authorized.spec.containers[0].resources.limits, { 'nvidia.com/gpu': '1' });
    assert.deepEqual(pods['mig-a'].spec.containers[0].resources.limits, { 'nvidia.com/mig-1g.5gb': '1' });
    assert.deepEqual(gpuTolerations([]), [{ key: 'nvidia.com/gpu', operator: 'Exists' }]);
  });
});

describe('gpu validate: plan', () => {
  test('one node per pool, GPU nodes only, MIG pair where two instances of a profile are free', () => {
    const nodes = [
      node('gpu-b', { 'nvidia.com/gpu': '2' }, { 'cloud.google.com/gke-nodepool': 'l4' }),
      node('gpu-a', { 'nvidia.com/gpu': '2' }, { 'cloud.google.com/gke-nodepool': 'l4' }),
      node('cpu-1', { cpu: '8' }),
      node(
        'mig-1',
        { 'nvidia.com/mig-1g.5gb': '7', 'nvidia.com/mig-3g.20gb': '1' },
        { 'nvidia.com/mig.strategy': 'mixed' },
      ),
    ];
    const pools = planValidation(nodes, { namespace: 'ns', runId: 'r1' });
    assert.deepEqual(
      pools.map((p) => [p.pool, p.node.name]),
      [
        ['cloud.google.com/gke-nodepool=l4', 'gpu-a'],
        ['node=mig-1', 'mig-1'],
      ],
    );
    assert.deepEqual(
      pools[0]!.pods.map((p) => p.variant),
      [
        'rogue-plain',
        'rogue-env-all',
        'rogue-runtimeclass',
        'rogue-volume-mount',
        'rogue-privileged',
        'authorized',
      ],
    );
    assert.equal(pools[0]!.migPair, null);
    assert.deepEqual(
      pools[1]!.migPair!.map((p) => p.resource),
      ['nvidia.com/mig-1g.5gb', 'nvidia.com/mig-1g.5gb'],
    );
    assert.match(pools[1]!.notes.join(), /authorized pod skipped/);
    assert.equal(new Set(pools.flatMap((p) => p.pods.map((x) => x.name))).size, 13);
  });

  test('--mig-profile picks the resource; single strategy uses nvidia.com/gpu; too few instances is a note', () => {
    const mixed = node('m', { 'nvidia.com/mig-1g.10gb.me': '2', 'nvidia.com/mig-1g.5gb': '1' });
    assert.deepEqual(migResource(mixed, '1g.10gb+me'), { resource: 'nvidia.com/mig-1g.10gb.me' });
    assert.match((migResource(mixed, '1g.5gb') as { note: string }).note, /1 allocatable instance/);
    const single = node('s', { 'nvidia.com/gpu': '7' }, { 'nvidia.com/mig.strategy': 'single' });
    assert.deepEqual(migResource(single, '1g.5gb'), { resource: 'nvidia.com/gpu' });
    assert.equal(
      poolOf(node('x', {}, { 'eks.amazonaws.com/nodegroup': 'p4d' })),
      'eks.amazonaws.com/nodegroup=p4d',
    );
  });
});

describe('gpu validate: observation and verdicts', () => {
  test('the observation script is POSIX sh and its output parses', () => {
    assert.match(OBSERVE_SCRIPT, /### smi-rc/);
    const o = parseObservation(
      script({
        devices: ['/dev/nvidia0', '/dev/nvidiactl', '/dev/nvidia-caps/nvidia-cap21'],
        env: ['NVIDIA_VISIBLE_DEVICES=' + MIG0, 'NVIDIA_DRIVER_CAPABILITIES=compute,utility'],
        smi: [`GPU 0: NVIDIA A100-SXM4-40GB (UUID: ${A100})`, `  MIG 1g.5gb      Device  0: (UUID: ${MIG0})`],
        rc: 0,
      }),
    );
    assert.deepEqual(o.deviceNodes, ['/dev/nvidia0', '/dev/nvidiactl', '/dev/nvidia-caps/nvidia-cap21']);
    assert.equal(o.env.NVIDIA_VISIBLE_DEVICES, MIG0);
    assert.equal(o.smiExit, 0);
    assert.equal(o.gpus[0]!.mig[0]!.uuid, MIG0);
  });

  test('rogue: isolated passes, any GPU seen is a critical leak, admission refusal passes, privileged that runs warns', () => {
    const isolated = parseObservation(script({ env: ['NVIDIA_VISIBLE_DEVICES=all'], rc: 127 }));
    assert.equal(judgeRogue(plan('rogue-plain'), { kind: 'observed', observation: isolated }).status, 'pass');
    const leak = parseObservation(
      script({
        env: ['NVIDIA_VISIBLE_DEVICES=all'],
        smi: [`GPU 0: NVIDIA L4 (UUID: ${L4})`, `GPU 1: NVIDIA L4 (UUID: ${L4b})`],
        rc: 0,
      }),
    );
    const r = judgeRogue(plan('rogue-env-all'), { kind: 'observed', observation: leak });
    assert.equal(r.status, 'fail');
    assert.equal(r.severity, 'critical');
    assert.match(r.message, new RegExp(`LEAK.*${L4}, ${L4b}`));
    assert.ok(r.fix);
    // A device node alone (no nvidia-smi in the image) is still a leak.
    const nodeOnly = parseObservation(script({ devices: ['/dev/nvidia0'], rc: 127 }));
    assert.equal(
      judgeRogue(plan('rogue-volume-mount'), { kind: 'observed', observation: nodeOnly }).status,
      'fail',
    );
    assert.equal(
      judgeRogue(plan('rogue-privileged'), {
        kind: 'rejected',
        message: 'violates PodSecurity "baseline:latest"',
      }).status,
      'pass',
    );
    assert.equal(
      judgeRogue(plan('rogue-privileged'), { kind: 'observed', observation: isolated }).status,
      'warn',
    );
    assert.equal(
      judgeRogue(plan('rogue-runtimeclass'), {
        kind: 'not-running',
        message: 'RuntimeClass "nvidia" not found',
      }).status,
      'skip',
    );
    assert.equal(
      judgeRogue(plan('rogue-plain'), { kind: 'not-running', message: 'ErrImagePull' }).status,
      'error',
    );
  });

  test('authorized: exactly one device by UUID passes; two is a leak; none fails; env "all" warns', () => {
    const one = parseObservation(
      script({ env: [`NVIDIA_VISIBLE_DEVICES=${L4}`], smi: [`GPU 0: NVIDIA L4 (UUID: ${L4})`], rc: 0 }),
    );
    assert.equal(judgeAuthorized(plan('authorized'), { kind: 'observed', observation: one }).status, 'pass');
    const two = parseObservation(
      script({
        env: [`NVIDIA_VISIBLE_DEVICES=${L4}`],
        smi: [`GPU 0: NVIDIA L4 (UUID: ${L4})`, `GPU 1: NVIDIA L4 (UUID: ${L4b})`],
        rc: 0,
      }),
    );
    const leak = judgeAuthorized(plan('authorized'), { kind: 'observed', observation: two });
    assert.equal(leak.status, 'fail');
    assert.equal(leak.severity, 'critical');
    const none = parseObservation(script({ smi: ['No devices were found'], rc: 6 }));
    assert.equal(judgeAuthorized(plan('authorized'), { kind: 'observed', observation: none }).status, 'fail');
    const cdi = parseObservation(
      script({ env: ['NVIDIA_VISIBLE_DEVICES=all'], smi: [`GPU 0: NVIDIA L4 (UUID: ${L4})`], rc: 0 }),
    );
    assert.equal(judgeAuthorized(plan('authorized'), { kind: 'observed', observation: cdi }).status, 'warn');
    const wholeGpu = judgeAuthorized(plan('mig-a', 'nvidia.com/mig-1g.5gb'), {
      kind: 'observed',
      observation: one,
    });
    assert.equal(wholeGpu.status, 'fail');
    assert.match(wholeGpu.message, /whole GPU/);
    assert.equal(
      judgeAuthorized(plan('authorized'), { kind: 'not-running', message: 'Insufficient nvidia.com/gpu' })
        .status,
      'error',
    );
  });

  test('MIG pair: distinct UUIDs and a refused cross query pass; a shared instance or a reachable one is a leak', () => {
    const mig = (uuid: string) =>
      parseObservation(
        script({
          env: [`NVIDIA_VISIBLE_DEVICES=${uuid}`],
          smi: [
            `GPU 0: NVIDIA A100-SXM4-40GB (UUID: ${A100})`,
            `  MIG 1g.5gb      Device  0: (UUID: ${uuid})`,
          ],
          rc: 0,
        }),
      );
    const a = plan('mig-a', 'nvidia.com/mig-1g.5gb');
    const b = { ...plan('mig-b', 'nvidia.com/mig-1g.5gb'), name: 'rampart-gpu-mig-b-abc-0' };
    const ok = judgeMigPair(a, b, mig(MIG0), mig(MIG1), {
      target: MIG1,
      stdout: `GPU 0: x (UUID: ${A100})\n  MIG 1g.5gb      Device  0: (UUID: ${MIG0})\n### query\nNo devices were found\n### rc 6\n`,
    });
    assert.deepEqual(
      ok.map((r) => [r.rule, r.status]),
      [
        ['mig-distinct', 'pass'],
        ['mig-cross-access', 'pass'],
      ],
    );
    const shared = judgeMigPair(a, b, mig(MIG0), mig(MIG0), null);
    assert.deepEqual(
      shared.map((r) => [r.rule, r.status]),
      [['mig-distinct', 'fail']],
    );
    const reached = judgeMigPair(a, b, mig(MIG0), mig(MIG1), {
      target: MIG1,
      stdout: `### query\n==============NVSMI LOG==============\n### rc 0\n`,
    });
    assert.equal(reached[1]!.status, 'fail');
    assert.match(reached[1]!.message, /exit 0/);
  });
});
