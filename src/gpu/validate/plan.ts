import { type PodPlan, podName, ROGUE_VARIANTS, type Taint, type Variant } from './pods.js';

/** The parts of a Node the plan needs, as plain data. */
export interface NodeInfo {
  name: string;
  labels: Record<string, string>;
  allocatable: Record<string, string>;
  taints: Taint[];
  unschedulable: boolean;
}

export interface PoolPlan {
  pool: string;
  node: NodeInfo;
  pods: PodPlan[];
  /** The MIG pair's pods (also in `pods`), when the node has a MIG resource with two free instances. */
  migPair: [PodPlan, PodPlan] | null;
  /** Why a check was left out on this pool. */
  notes: string[];
}

export interface PlanOptions {
  namespace: string;
  runId: string;
  /** A MIG profile such as 1g.5gb; without it the first MIG resource with two instances is used. */
  migProfile?: string;
}

/** Labels that name a node pool on the common platforms, most specific first; GFD's product label last. */
export const POOL_LABELS = [
  'cloud.google.com/gke-nodepool',
  'eks.amazonaws.com/nodegroup',
  'kubernetes.azure.com/agentpool',
  'karpenter.sh/nodepool',
  'node.kubernetes.io/instance-type',
  'nvidia.com/gpu.product',
];

function quantity(value: string | undefined): number {
  const n = Number(value ?? '0');
  return Number.isFinite(n) ? n : 0;
}

export function gpuResources(node: NodeInfo): string[] {
  return Object.keys(node.allocatable).filter(
    (k) => (k === 'nvidia.com/gpu' || k.startsWith('nvidia.com/mig-')) && quantity(node.allocatable[k]) > 0,
  );
}

export function poolOf(node: NodeInfo): string {
  for (const label of POOL_LABELS) {
    const v = node.labels[label];
    if (v) return `${label}=${v}`;
  }
  return `node=${node.name}`;
}

/** The MIG resource for a pair of pods on this node, or why there is none. */
export function migResource(node: NodeInfo, profile?: string): { resource: string } | { note: string } {
  const migs = gpuResources(node).filter((r) => r.startsWith('nvidia.com/mig-'));
  if (profile) {
    // The device plugin's mixed-strategy name: "+" in a profile becomes "." (internal/rm/rm.go).
    const wanted = `nvidia.com/mig-${profile.replace(/\+/g, '.')}`;
    if (quantity(node.allocatable[wanted]) >= 2) return { resource: wanted };
    if (
      node.labels['nvidia.com/mig.strategy'] === 'single' &&
      quantity(node.allocatable['nvidia.com/gpu']) >= 2
    )
      return { resource: 'nvidia.com/gpu' };
    return {
      note: `MIG pair skipped: ${wanted} has ${quantity(node.allocatable[wanted])} allocatable instance(s), two are needed`,
    };
  }
  const pairable = migs.find((r) => quantity(node.allocatable[r]) >= 2);
  if (pairable) return { resource: pairable };
  if (
    node.labels['nvidia.com/mig.strategy'] === 'single' &&
    quantity(node.allocatable['nvidia.com/gpu']) >= 2
  )
    return { resource: 'nvidia.com/gpu' };
  return {
    note: migs.length
      ? 'MIG pair skipped: no MIG resource with two allocatable instances'
      : 'no MIG resources on this node',
  };
}

/**
 * One node per GPU pool (the first schedulable one by name), and on it the rogue variants, an authorized
 * pod and, where MIG is available, a pair on one profile. Pure.
 */
export function planValidation(nodes: NodeInfo[], options: PlanOptions): PoolPlan[] {
  const pools = new Map<string, NodeInfo>();
  for (const node of [...nodes].sort((a, b) => a.name.localeCompare(b.name))) {
    if (node.unschedulable || gpuResources(node).length === 0) continue;
    const pool = poolOf(node);
    if (!pools.has(pool)) pools.set(pool, node);
  }
  return [...pools.entries()].map(([pool, node], index) => {
    const plan = (variant: Variant, resource?: string): PodPlan => ({
      variant,
      name: podName(variant, options.runId, index),
      namespace: options.namespace,
      node: node.name,
      pool,
      ...(resource ? { resource } : {}),
    });
    const notes: string[] = [];
    const pods = ROGUE_VARIANTS.map((v) => plan(v));
    if (quantity(node.allocatable['nvidia.com/gpu']) > 0) pods.push(plan('authorized', 'nvidia.com/gpu'));
    else notes.push('authorized pod skipped: no allocatable nvidia.com/gpu (MIG mixed strategy?)');
    const mig = migResource(node, options.migProfile);
    let migPair: [PodPlan, PodPlan] | null = null;
    if ('resource' in mig) {
      migPair = [plan('mig-a', mig.resource), plan('mig-b', mig.resource)];
      pods.push(...migPair);
    } else notes.push(mig.note);
    return { pool, node, pods, migPair, notes };
  });
}
