import { UserError } from '../core/errors.js';

/** Series names, overridable for recording rules or renamed exporters (--series NAME=SERIES). */
export interface SeriesNames {
  cpu: string;
  memory: string;
  requests: string;
  limits: string;
  initRequests: string;
  initLimits: string;
  initInfo: string;
  podOwner: string;
  replicasetOwner: string;
  jobOwner: string;
  terminatedReason: string;
  hpaTarget: string;
  hpaInfo: string;
  podLabels: string;
  startTime: string;
}

export const DEFAULT_SERIES: SeriesNames = {
  cpu: 'container_cpu_usage_seconds_total',
  memory: 'container_memory_working_set_bytes',
  requests: 'kube_pod_container_resource_requests',
  limits: 'kube_pod_container_resource_limits',
  initRequests: 'kube_pod_init_container_resource_requests',
  initLimits: 'kube_pod_init_container_resource_limits',
  initInfo: 'kube_pod_init_container_info',
  podOwner: 'kube_pod_owner',
  replicasetOwner: 'kube_replicaset_owner',
  jobOwner: 'kube_job_owner',
  terminatedReason: 'kube_pod_container_status_last_terminated_reason',
  hpaTarget: 'kube_horizontalpodautoscaler_spec_target_metric',
  hpaInfo: 'kube_horizontalpodautoscaler_info',
  podLabels: 'kube_pod_labels',
  startTime: 'container_start_time_seconds',
};

/** Label names on the cAdvisor series (older kubelets use pod_name / container_name). */
export interface LabelNames {
  namespace: string;
  pod: string;
  container: string;
}

export const DEFAULT_LABELS: LabelNames = { namespace: 'namespace', pod: 'pod', container: 'container' };

const PROM_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Applies NAME=VALUE overrides to a defaults object, rejecting unknown keys and invalid names. */
export function applyOverrides<T extends object>(
  defaults: T,
  pairs: string[],
  flag: string,
  pattern = flag === 'label' ? LABEL_NAME : PROM_NAME,
): T {
  const out: Record<string, string> = { ...(defaults as Record<string, string>) };
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq) : '';
    const value = eq > 0 ? pair.slice(eq + 1) : '';
    if (!(key in out)) {
      throw new UserError(
        `--${flag} expects KEY=NAME with KEY one of ${Object.keys(out).join(', ')}; got "${pair}"`,
      );
    }
    if (!pattern.test(value))
      throw new UserError(`--${flag} ${key}: "${value}" is not a valid Prometheus name`);
    out[key] = value;
  }
  return out as T;
}
