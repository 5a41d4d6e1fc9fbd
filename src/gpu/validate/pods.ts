/**
 * The pods `rampart gpu validate` runs, as plain Kubernetes JSON. Pure: the same plan gives the same specs.
 */

export const VARIANTS = [
  'rogue-plain',
  'rogue-env-all',
  'rogue-runtimeclass',
  'rogue-volume-mount',
  'rogue-privileged',
  'authorized',
  'mig-a',
  'mig-b',
] as const;
export type Variant = (typeof VARIANTS)[number];

export const ROGUE_VARIANTS: readonly Variant[] = VARIANTS.filter((v) => v.startsWith('rogue-'));

/** What each variant tries, for reports. */
export const VARIANT_TITLES: Record<Variant, string> = {
  'rogue-plain': 'no GPU request (the image default NVIDIA_VISIBLE_DEVICES applies)',
  'rogue-env-all': 'no GPU request, env NVIDIA_VISIBLE_DEVICES=all',
  'rogue-runtimeclass': 'no GPU request, runtimeClassName: nvidia',
  'rogue-volume-mount': 'no GPU request, hostPath /dev/null at /var/run/nvidia-container-devices/all',
  'rogue-privileged': 'no GPU request, privileged (admission should block it)',
  authorized: 'nvidia.com/gpu: 1 (must see exactly one GPU, by UUID)',
  'mig-a': 'one MIG instance (first of a pair on the same profile)',
  'mig-b': 'one MIG instance (second of the pair)',
};

export const DEFAULT_IMAGE = 'nvidia/cuda:12.4.1-base-ubuntu22.04';
export const LABEL_MANAGED = 'app.kubernetes.io/managed-by';
export const LABEL_RUN = 'rampart.dev/gpu-validate-run';
export const LABEL_VARIANT = 'rampart.dev/gpu-validate-variant';

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface PodPlan {
  variant: Variant;
  name: string;
  namespace: string;
  node: string;
  pool: string;
  /** The GPU resource an authorized or MIG pod requests (`nvidia.com/gpu`, `nvidia.com/mig-1g.5gb`). */
  resource?: string;
}

export interface PodOptions {
  image: string;
  runId: string;
  /** The pod ends itself after this long even if rampart is killed before it deletes it. */
  deadlineSeconds: number;
  taints: Taint[];
}

/** Tolerations for the GPU taints: the usual nvidia.com/gpu one, plus any GPU-looking taint on the target node. */
export function gpuTolerations(taints: Taint[]): Record<string, string>[] {
  const keys = new Set(['nvidia.com/gpu']);
  // AKS taints GPU pools sku=gpu:NoSchedule, so the value counts as well as the key.
  for (const t of taints) if (/gpu|nvidia|accelerator/i.test(`${t.key}=${t.value ?? ''}`)) keys.add(t.key);
  return [...keys].sort().map((key) => ({ key, operator: 'Exists' }));
}

/** A DNS-1123 pod name from the variant, run id and pool. */
export function podName(variant: Variant, runId: string, poolIndex: number): string {
  return `rampart-gpu-${variant}-${runId}-${poolIndex}`.toLowerCase().slice(0, 63).replace(/-+$/, '');
}

export function buildPod(plan: PodPlan, options: PodOptions): Record<string, unknown> {
  const container: Record<string, unknown> = {
    name: 'probe',
    image: options.image,
    // The probe runs by exec; the main process only keeps the container alive until the deadline.
    command: ['sleep', String(options.deadlineSeconds)],
  };
  const spec: Record<string, unknown> = {
    restartPolicy: 'Never',
    activeDeadlineSeconds: options.deadlineSeconds,
    terminationGracePeriodSeconds: 1,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    nodeSelector: { 'kubernetes.io/hostname': plan.node },
    tolerations: gpuTolerations(options.taints),
    containers: [container],
  };
  switch (plan.variant) {
    case 'rogue-env-all':
      container.env = [{ name: 'NVIDIA_VISIBLE_DEVICES', value: 'all' }];
      break;
    case 'rogue-runtimeclass':
      spec.runtimeClassName = 'nvidia';
      break;
    case 'rogue-volume-mount':
      // The toolkit reads a /dev/null mount under this directory as a device request (requestsFromMounts).
      spec.volumes = [{ name: 'gpu-request', hostPath: { path: '/dev/null' } }];
      container.volumeMounts = [{ name: 'gpu-request', mountPath: '/var/run/nvidia-container-devices/all' }];
      break;
    case 'rogue-privileged':
      container.securityContext = { privileged: true };
      break;
    case 'authorized':
    case 'mig-a':
    case 'mig-b': {
      const resource = plan.resource ?? 'nvidia.com/gpu';
      container.resources = { limits: { [resource]: '1' }, requests: { [resource]: '1' } };
      break;
    }
    default:
      break;
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: plan.name,
      namespace: plan.namespace,
      labels: {
        [LABEL_MANAGED]: 'rampart',
        [LABEL_RUN]: options.runId,
        [LABEL_VARIANT]: plan.variant,
      },
      annotations: { 'rampart.dev/purpose': `GPU isolation check: ${VARIANT_TITLES[plan.variant]}` },
    },
    spec,
  };
}
