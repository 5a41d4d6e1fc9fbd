import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { kubeCluster } from '../../src/gpu/validate/kube.js';
import { LABEL_VARIANT } from '../../src/gpu/validate/pods.js';
import { type ValidateReport, validateCluster } from '../../src/gpu/validate/run.js';
import { KubeClient } from '../../src/kube/index.js';
import { fixture, REPO_ROOT, runRampart, tempDir } from '../helpers/index.js';
import { FakeApiServer, type FakePod, type FakeScenario } from '../kube/fake-apiserver.js';

const STAND_IN_DIR = fixture('gpu', 'fixtures', 'stand-in');
const L4b = 'GPU-9b1e7d42-6a3c-4f85-b2d1-0c8e5a7f3b26';
const MIG0 = 'MIG-ffda444c-c706-57c6-98c9-67c441a0b109';
const MIG1 = 'MIG-fe9bc608-60f5-5479-8cc4-1827021d27a9';
/** A PATH without nvidia-smi: what a container gets when the toolkit injected nothing. */
const BARE_PATH = '/usr/local/bin:/usr/bin:/bin';

const l4Node = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: {
    name: 'gpu-l4-1',
    labels: { 'kubernetes.io/hostname': 'gpu-l4-1', 'nvidia.com/gpu.product': 'NVIDIA-L4', gpu: 'true' },
  },
  spec: { taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] },
  status: { allocatable: { cpu: '8', 'nvidia.com/gpu': '2' } },
};
const migNode = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: {
    name: 'gpu-a100-1',
    labels: { 'kubernetes.io/hostname': 'gpu-a100-1', 'nvidia.com/mig.strategy': 'mixed', gpu: 'true' },
  },
  spec: { taints: [] },
  status: { allocatable: { cpu: '8', 'nvidia.com/mig-1g.5gb': '2' } },
};
const cpuNode = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'cpu-1', labels: {} },
  status: { allocatable: { cpu: '4' } },
};

const variant = (pod: FakePod) => pod.metadata.labels?.[LABEL_VARIANT] ?? '';
/** What the toolkit would inject into a pod: nvidia-smi on PATH and the devices named in the env var. */
const sees = (devices: string, node = 'l4x2') => ({
  PATH: `${STAND_IN_DIR}:${BARE_PATH}`,
  NVIDIA_VISIBLE_DEVICES: devices,
  STANDIN_NODE: node,
});
const nothing = { PATH: BARE_PATH, NVIDIA_VISIBLE_DEVICES: 'all' };
const podSecurity = (pod: FakePod) =>
  variant(pod) === 'rogue-privileged' || variant(pod) === 'rogue-volume-mount'
    ? {
        reject: {
          code: 403,
          message: `pods "${pod.metadata.name}" is forbidden: violates PodSecurity "baseline:latest"`,
        },
      }
    : undefined;

async function withFake(
  scenario: FakeScenario,
  fn: (fake: FakeApiServer, kubeconfig: string) => Promise<void>,
): Promise<void> {
  const fake = await FakeApiServer.start({ startDelayMs: 20, ...scenario });
  const tmp = await tempDir('rampart-gpu-validate-');
  try {
    await fn(fake, fake.writeKubeconfig(tmp.path, { namespace: 'gpu-check' }));
  } finally {
    await fake.close();
    await tmp.cleanup();
  }
}

async function validate(
  kubeconfig: string,
  extra: { nodeSelector?: string; migProfile?: string } = {},
): Promise<ValidateReport> {
  const cluster = kubeCluster(KubeClient.fromOptions({ kubeconfig }));
  return validateCluster(cluster, {
    image: 'nvidia/cuda:12.4.1-base-ubuntu22.04',
    runId: 't1',
    deadlineSeconds: 120,
    startTimeoutMs: 10_000,
    execTimeoutMs: 10_000,
    signal: new AbortController().signal,
    ...extra,
  });
}

const byRule = (report: ValidateReport) => Object.fromEntries(report.results.map((r) => [r.rule, r.status]));

describe('gpu validate against the FAKE API server (exec runs the probe script as a real process)', () => {
  test('isolated cluster: rogue pods see nothing, admission blocks privileged and hostPath, authorized sees one GPU', async () => {
    await withFake(
      {
        nodes: [l4Node, cpuNode],
        onCreatePod: podSecurity,
        podEnv: (pod) => (variant(pod) === 'authorized' ? sees(L4b) : nothing),
      },
      async (fake, kubeconfig) => {
        const report = await validate(kubeconfig);
        assert.deepEqual(
          report.pools.map((p) => p.node),
          ['gpu-l4-1'],
        );
        assert.deepEqual(byRule(report), {
          'rogue-plain': 'pass',
          'rogue-env-all': 'pass',
          'rogue-runtimeclass': 'pass',
          'rogue-volume-mount': 'pass',
          'rogue-privileged': 'pass',
          authorized: 'pass',
        });
        assert.match(
          report.results.find((r) => r.rule === 'authorized')!.message,
          new RegExp(`exactly one device ${L4b}`),
        );
        assert.match(report.results.find((r) => r.rule === 'rogue-privileged')!.message, /PodSecurity/);
        // Every created pod is gone, and only pods were touched in the namespace given by the kubeconfig.
        assert.equal(fake.deleted.length, 4);
        assert.ok(fake.deleted.every((k) => k.startsWith('gpu-check/rampart-gpu-')));
        assert.deepEqual(report.leftBehind, []);
        // Exec really ran sh with the observation script in each running pod.
        assert.equal(fake.execs.filter((e) => e.command[0] === 'sh').length, 4);
      },
    );
  });

  test('leaking via env: the image default and NVIDIA_VISIBLE_DEVICES=all give a GPU-less pod every GPU', async () => {
    await withFake(
      {
        nodes: [l4Node],
        onCreatePod: podSecurity,
        podEnv: (pod) => {
          const v = variant(pod);
          if (v === 'authorized') return sees(L4b);
          return v === 'rogue-plain' || v === 'rogue-env-all' || v === 'rogue-runtimeclass'
            ? sees('all')
            : nothing;
        },
      },
      async (_fake, kubeconfig) => {
        const report = await validate(kubeconfig);
        const rules = byRule(report);
        assert.equal(rules['rogue-plain'], 'fail');
        assert.equal(rules['rogue-env-all'], 'fail');
        assert.equal(rules['rogue-runtimeclass'], 'fail');
        assert.equal(rules.authorized, 'pass');
        const leak = report.results.find((r) => r.rule === 'rogue-env-all')!;
        assert.equal(leak.severity, 'critical');
        assert.match(
          leak.message,
          /LEAK: a pod without a GPU request sees .*GPU-4f6c1a3e-2b7d-4c61-9a0e-5d2b8c7e1f90, GPU-9b1e7d42/,
        );
      },
    );
  });

  test('leaking via privileged: admission lets a privileged pod run and it sees every GPU', async () => {
    await withFake(
      {
        nodes: [l4Node],
        podEnv: (pod) => {
          const v = variant(pod);
          if (v === 'authorized') return sees(L4b);
          return v === 'rogue-privileged' ? sees('all') : nothing;
        },
      },
      async (_fake, kubeconfig) => {
        const report = await validate(kubeconfig);
        const failed = report.results.filter((r) => r.status === 'fail').map((r) => r.rule);
        assert.deepEqual(failed, ['rogue-privileged']);
      },
    );
  });

  test('MIG: two pods on one profile get distinct MIG instances and cannot reach each other; a shared view is caught', async () => {
    const migView = (pod: FakePod, shared: boolean) => {
      const v = variant(pod);
      if (v === 'mig-a') return sees(shared ? 'all' : MIG0, 'a100-mig');
      if (v === 'mig-b') return sees(MIG1, 'a100-mig');
      return nothing;
    };
    await withFake(
      { nodes: [migNode, l4Node], onCreatePod: podSecurity, podEnv: (pod) => migView(pod, false) },
      async (fake, kubeconfig) => {
        const report = await validate(kubeconfig, {
          nodeSelector: 'nvidia.com/mig.strategy=mixed',
          migProfile: '1g.5gb',
        });
        assert.deepEqual(
          report.pools.map((p) => p.node),
          ['gpu-a100-1'],
        );
        const rules = byRule(report);
        assert.equal(rules['mig-a'], 'pass');
        assert.equal(rules['mig-b'], 'pass');
        assert.equal(rules['mig-distinct'], 'pass');
        assert.equal(rules['mig-cross-access'], 'pass');
        assert.ok(!('authorized' in rules), 'no nvidia.com/gpu on a mixed-strategy MIG node');
        const cross = fake.execs.find((e) => e.command.join(' ').includes('nvidia-smi -q -i'))!;
        assert.equal(variant(cross.pod), 'mig-a');
        assert.match(cross.command.join(' '), new RegExp(MIG1));
      },
    );
    await withFake(
      { nodes: [migNode], onCreatePod: podSecurity, podEnv: (pod) => migView(pod, true) },
      async (_fake, kubeconfig) => {
        const rules = byRule(await validate(kubeconfig));
        assert.equal(rules['mig-a'], 'fail');
        assert.equal(rules['mig-cross-access'], 'fail');
      },
    );
  });

  test('binary: exit 1 on a leak with junit output and an HTML report; exit 0 when isolated', async () => {
    const tmp = await tempDir('rampart-gpu-html-');
    try {
      await withFake(
        {
          nodes: [l4Node],
          podEnv: (pod) =>
            variant(pod) === 'authorized'
              ? sees(L4b)
              : variant(pod) === 'rogue-privileged'
                ? sees('all')
                : nothing,
        },
        async (_fake, kubeconfig) => {
          const html = `${tmp.path}/report.html`;
          const run = await runRampart([
            'gpu',
            'validate',
            '--kubeconfig',
            kubeconfig,
            '-o',
            'junit',
            '--html',
            html,
          ]);
          assert.equal(run.code, 1, run.stderr);
          assert.match(run.stdout, /<testsuites/);
          assert.match(run.stdout, /rogue-privileged/);
          const page = await import('node:fs/promises').then((fs) => fs.readFile(html, 'utf8'));
          assert.match(page, /^<!DOCTYPE html>/);
          assert.match(page, /1 isolation failure/);
          assert.doesNotMatch(page, /<script|https?:\/\/(?!github\.com)/);
        },
      );
      await withFake(
        {
          nodes: [l4Node],
          onCreatePod: podSecurity,
          podEnv: (pod) => (variant(pod) === 'authorized' ? sees(L4b) : nothing),
        },
        async (_fake, kubeconfig) => {
          const run = await runRampart(['gpu', 'validate', '--kubeconfig', kubeconfig, '-o', 'json']);
          assert.equal(run.code, 0, run.stderr);
          assert.equal((JSON.parse(run.stdout) as { results: unknown[] }).results.length, 6);
        },
      );
    } finally {
      await tmp.cleanup();
    }
  });

  test('Ctrl-C while pods start: the run stops and every pod is deleted', async () => {
    await withFake({ nodes: [l4Node], startDelayMs: 60_000 }, async (fake, kubeconfig) => {
      const child = spawn(
        process.execPath,
        [`${REPO_ROOT}/bin/rampart.js`, 'gpu', 'validate', '--kubeconfig', kubeconfig],
        {
          env: { ...process.env, NO_COLOR: '1' },
        },
      );
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      // Wait until all six pods exist, then interrupt.
      for (let i = 0; i < 200 && fake.requests.filter((r) => r.method === 'POST').length < 6; i++)
        await new Promise((r) => setTimeout(r, 50));
      child.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(code, 130, stderr);
      assert.match(stderr, /interrupted, deleting the test pods/);
      assert.equal(fake.deleted.length, 6);
      for (const key of fake.deleted) assert.equal(fake.hasPod(key.split('/')[1]!, 'gpu-check'), false);
    });
  });
  test('no GPU node matched is a usage error (2); RBAC refusing pod creation stops the run (1) and cleans up', async () => {
    await withFake({ nodes: [cpuNode] }, async (_fake, kubeconfig) => {
      const run = await runRampart([
        'gpu',
        'validate',
        '--kubeconfig',
        kubeconfig,
        '--node-selector',
        'gpu=true',
      ]);
      assert.equal(run.code, 2);
      assert.match(
        run.stderr,
        /no schedulable node with an allocatable nvidia\.com\/gpu .* matches gpu=true/,
      );
    });
    let created = 0;
    await withFake(
      {
        nodes: [l4Node],
        onCreatePod: (pod) =>
          variant(pod) === 'authorized'
            ? {
                reject: {
                  code: 403,
                  message:
                    'pods is forbidden: User "dev" cannot create resource "pods" in API group "" in the namespace "gpu-check"',
                },
              }
            : void created++,
      },
      async (fake, kubeconfig) => {
        const run = await runRampart(['gpu', 'validate', '--kubeconfig', kubeconfig]);
        assert.equal(run.code, 1);
        assert.match(run.stderr, /not allowed to create pods in namespace gpu-check/);
        assert.doesNotMatch(run.stderr, /internal error/);
        assert.equal(fake.deleted.length, created);
        assert.ok(created > 0);
      },
    );
  });
});
