import { buildFamilies, type Family, type HpaSpec, type PodSpec } from './openmetrics.js';

/** The tests' fixed evaluation time: 2026-01-01T00:00:00Z, a multiple of 75 s. */
export const AT = 1_767_225_600;
const H = 3600;
const D = 86_400;
const MI = 2 ** 20;

const diurnal = (t: number) => 0.5 + 0.5 * Math.sin((2 * Math.PI * t) / D);

/**
 * A small cluster covering every owner chain, a deleted pod, a restart, an HPA, an OOM kill and init containers,
 * its samples ending at `at` (the tests' fixed `AT` unless given; the demo passes now).
 */
export function clusterPods(at: number = AT): { pods: PodSpec[]; hpas: HpaSpec[] } {
  const web = (pod: string, start: number, end: number, restartAt?: number): PodSpec => ({
    namespace: 'shop',
    pod,
    owner: { kind: 'ReplicaSet', name: 'web-5d8f7c9b6' },
    replicaset: { name: 'web-5d8f7c9b6', owner: { kind: 'Deployment', name: 'web' } },
    start,
    end,
    labels: { app: 'web', tier: 'frontend' },
    containers: [
      {
        name: 'app',
        requests: { cpu: 0.5, memory: 512 * MI },
        limits: { memory: 512 * MI },
        cpu: (t, r) => 0.05 + 0.25 * diurnal(t) + 0.1 * r(),
        memory: (t, r) => 200 * MI + 60 * MI * diurnal(t) + r() * 40 * MI,
        restartAt,
      },
      {
        name: 'istio-proxy',
        requests: { cpu: 0.1, memory: 128 * MI },
        limits: { cpu: 2, memory: 1024 * MI },
        cpu: (_t, r) => 0.01 + 0.02 * r(),
        memory: (_t, r) => 60 * MI + r() * 10 * MI,
      },
    ],
  });
  const pods: PodSpec[] = [
    // Deleted 20 minutes before at, and started before the 14-day window: only in-window samples count.
    web('web-5d8f7c9b6-aaaaa', at - 15 * D, at - 20 * 60),
    web('web-5d8f7c9b6-bbbbb', at - 3 * D, at, at - 2 * D),
    {
      namespace: 'shop',
      pod: 'db-0',
      owner: { kind: 'StatefulSet', name: 'db' },
      start: at - 2 * D,
      end: at,
      labels: { app: 'db', tier: 'backend' },
      containers: [
        {
          name: 'postgres',
          requests: { cpu: 1, memory: 2048 * MI },
          limits: { cpu: 1, memory: 2048 * MI },
          // A startup burst far above the steady state: the p95 will sit below it.
          cpu: (t, r) => (t < at - 2 * D + 240 ? 1.5 : 0.2 + 0.3 * diurnal(t) * r()),
          memory: (_t, r) => 900 * MI + r() * 100 * MI,
        },
        {
          // A native sidecar: an init container with restartPolicy Always that runs next to the app.
          name: 'log-shipper',
          init: 'sidecar',
          requests: { cpu: 0.05, memory: 32 * MI },
          limits: { cpu: 0.05, memory: 32 * MI },
          cpu: (_t, r) => 0.01 * r(),
          memory: () => 20 * MI,
        },
        {
          name: 'migrate',
          init: 'init',
          requests: { cpu: 0.2, memory: 256 * MI },
          limits: { cpu: 0.2, memory: 256 * MI },
          cpu: (_t, r) => 0.15 * r(),
          memory: () => 50 * MI,
          activeFor: 20 * 60,
        },
      ],
    },
    {
      namespace: 'shop',
      pod: 'api-6b7c8d9e0f-ccccc',
      owner: { kind: 'ReplicaSet', name: 'api-6b7c8d9e0f' },
      replicaset: { name: 'api-6b7c8d9e0f', owner: { kind: 'Deployment', name: 'api' } },
      start: at - D,
      end: at,
      containers: [
        {
          name: 'api',
          requests: { cpu: 0.25, memory: 300 * MI },
          limits: { memory: 300 * MI },
          cpu: (_t, r) => 0.1 + 0.1 * r(),
          memory: (_t, r) => 250 * MI + r() * 30 * MI,
          oomKilledAt: at - 12 * H,
        },
      ],
    },
    {
      namespace: 'batch',
      pod: 'report-29000000-ddddd',
      owner: { kind: 'Job', name: 'report-29000000' },
      job: { name: 'report-29000000', owner: { kind: 'CronJob', name: 'report' } },
      start: at - 6 * H,
      end: at - 6 * H + 40 * 60,
      containers: [
        {
          name: 'job',
          requests: { cpu: 1, memory: 1024 * MI },
          cpu: () => 0.9,
          memory: () => 700 * MI,
        },
      ],
    },
    {
      namespace: 'kube-system',
      pod: 'logs-eeeee',
      owner: { kind: 'DaemonSet', name: 'logs' },
      start: at - D,
      end: at,
      containers: [{ name: 'fluentbit', cpu: (_t, r) => 0.002 * r(), memory: () => 30 * MI }],
    },
    {
      namespace: 'default',
      pod: 'debug',
      start: at - 6 * H,
      end: at,
      containers: [
        {
          name: 'shell',
          requests: { cpu: 0.1, memory: 64 * MI },
          cpu: (_t, r) => 0.3 * r(),
          memory: (_t, r) => 20 * MI + r() * MI,
        },
      ],
    },
  ];
  const hpas: HpaSpec[] = [
    { namespace: 'shop', name: 'api', target: { kind: 'Deployment', name: 'api' }, metric: 'cpu' },
  ];
  return { pods, hpas };
}

/** The cluster's cAdvisor and kube-state-metrics families, ending at `at`; the seed keeps them deterministic. */
export function clusterFamilies(at: number = AT): Family[] {
  const { pods, hpas } = clusterPods(at);
  return buildFamilies(pods, hpas, 42);
}
