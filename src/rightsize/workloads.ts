import type { WorkloadRef } from './model.js';
import type { Sample } from './prometheus.js';

/** Owner rows as kube-state-metrics exports them (kube_pod_owner, kube_replicaset_owner, kube_job_owner). */
export interface OwnerRows {
  pods: Sample[];
  replicasets: Sample[];
  jobs: Sample[];
}

const NO_OWNER = new Set(['', '<none>']);

/**
 * Resolves each pod to its top-level workload the way krr does: Pod → ReplicaSet → Deployment,
 * Pod → Job → CronJob, StatefulSet/DaemonSet/others directly, and pods without an owner as bare Pods.
 * A ReplicaSet or Job whose own owner row is missing stays what it is.
 */
export function resolveOwners(rows: OwnerRows): Map<string, WorkloadRef> {
  const rsOwner = new Map<string, { kind: string; name: string }>();
  for (const s of rows.replicasets) {
    const kind = s.metric.owner_kind ?? '';
    if (NO_OWNER.has(kind)) continue;
    rsOwner.set(`${s.metric.namespace}/${s.metric.replicaset}`, { kind, name: s.metric.owner_name ?? '' });
  }
  const jobOwner = new Map<string, { kind: string; name: string }>();
  for (const s of rows.jobs) {
    const kind = s.metric.owner_kind ?? '';
    if (NO_OWNER.has(kind)) continue;
    jobOwner.set(`${s.metric.namespace}/${s.metric.job_name}`, { kind, name: s.metric.owner_name ?? '' });
  }
  const out = new Map<string, WorkloadRef>();
  for (const s of rows.pods) {
    const namespace = s.metric.namespace ?? '';
    const pod = s.metric.pod ?? '';
    let kind = s.metric.owner_kind ?? '';
    let name = s.metric.owner_name ?? '';
    if (NO_OWNER.has(kind)) {
      kind = 'Pod';
      name = pod;
    } else if (kind === 'ReplicaSet') {
      const up = rsOwner.get(`${namespace}/${name}`);
      if (up) ({ kind, name } = up);
    } else if (kind === 'Job') {
      const up = jobOwner.get(`${namespace}/${name}`);
      if (up) ({ kind, name } = up);
    }
    const key = `${namespace}/${pod}`;
    // A pod can briefly show two owner rows (adoption); prefer the controller that is not a bare Pod.
    if (!out.has(key) || out.get(key)!.kind === 'Pod') out.set(key, { namespace, kind, name });
  }
  return out;
}

export function workloadKey(w: WorkloadRef): string {
  return `${w.namespace}/${w.kind}/${w.name}`;
}
