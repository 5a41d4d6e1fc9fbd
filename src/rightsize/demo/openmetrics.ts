import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mulberry32 } from '../../core/prng.js';

/** One raw series as it will be backfilled: labels and [unix seconds, value] samples in time order. */
export interface RawSeries {
  labels: Record<string, string>;
  samples: Array<[number, number]>;
}

export interface Family {
  name: string;
  type: 'counter' | 'gauge';
  series: RawSeries[];
}

export const SCRAPE = 30;
export const KSM_SCRAPE = 120;
/** Samples sit 7 s past a 30 s boundary so no sample falls exactly on a 75 s step or a 5 m lookback edge. */
export const OFFSET = 7;

export function alignedTimes(start: number, end: number, every: number): number[] {
  const out: number[] = [];
  let t = Math.ceil((start - OFFSET) / every) * every + OFFSET;
  for (; t <= end; t += every) out.push(t);
  return out;
}

export interface ContainerSpec {
  name: string;
  requests?: { cpu?: number; memory?: number };
  limits?: { cpu?: number; memory?: number };
  /** CPU cores used in the 30 s before t. */
  cpu: (t: number, rnd: () => number) => number;
  memory: (t: number, rnd: () => number) => number;
  /** The container restarts here: a new cAdvisor series (new id) whose counter starts again from 0. */
  restartAt?: number;
  /** Last terminated reason OOMKilled from this time. */
  oomKilledAt?: number;
  init?: 'init' | 'sidecar';
  /** Active only in [start, start + seconds) of the pod (init containers). */
  activeFor?: number;
  /** Known to kube-state-metrics only: cAdvisor never reports it. */
  noMetrics?: boolean;
}

export interface PodSpec {
  namespace: string;
  pod: string;
  owner?: { kind: string; name: string };
  replicaset?: { name: string; owner: { kind: string; name: string } };
  job?: { name: string; owner: { kind: string; name: string } };
  start: number;
  end: number;
  containers: ContainerSpec[];
  labels?: Record<string, string>;
}

export interface HpaSpec {
  namespace: string;
  name: string;
  target: { kind: string; name: string };
  metric: 'cpu' | 'memory';
}

/** Builds cAdvisor and kube-state-metrics families for a cluster description, deterministically. */
export function buildFamilies(pods: PodSpec[], hpas: HpaSpec[] = [], seed = 1): Family[] {
  const rnd = mulberry32(seed);
  const cpu: RawSeries[] = [];
  const mem: RawSeries[] = [];
  const start: RawSeries[] = [];
  const req: RawSeries[] = [];
  const lim: RawSeries[] = [];
  const initReq: RawSeries[] = [];
  const initLim: RawSeries[] = [];
  const initInfo: RawSeries[] = [];
  const owner: RawSeries[] = [];
  const rsOwner: RawSeries[] = [];
  const jobOwner: RawSeries[] = [];
  const reason: RawSeries[] = [];
  const podLabels: RawSeries[] = [];
  const seenRs = new Set<string>();
  const seenJob = new Set<string>();
  for (const p of pods) {
    const base = { namespace: p.namespace, pod: p.pod };
    const ksmTimes = alignedTimes(p.start, p.end, KSM_SCRAPE);
    const constant = (v: number) => ksmTimes.map((t) => [t, v] as [number, number]);
    owner.push({
      labels: {
        ...base,
        owner_kind: p.owner?.kind ?? '<none>',
        owner_name: p.owner?.name ?? '<none>',
        owner_is_controller: p.owner ? 'true' : 'false',
        uid: `uid-${p.pod}`,
      },
      samples: constant(1),
    });
    if (p.labels) {
      const l: Record<string, string> = { ...base, uid: `uid-${p.pod}` };
      for (const [k, v] of Object.entries(p.labels)) l[`label_${k.replace(/[^a-zA-Z0-9_]/g, '_')}`] = v;
      podLabels.push({ labels: l, samples: constant(1) });
    }
    if (p.replicaset && !seenRs.has(`${p.namespace}/${p.replicaset.name}`)) {
      seenRs.add(`${p.namespace}/${p.replicaset.name}`);
      rsOwner.push({
        labels: {
          namespace: p.namespace,
          replicaset: p.replicaset.name,
          owner_kind: p.replicaset.owner.kind,
          owner_name: p.replicaset.owner.name,
          owner_is_controller: 'true',
        },
        samples: constant(1),
      });
    }
    if (p.job && !seenJob.has(`${p.namespace}/${p.job.name}`)) {
      seenJob.add(`${p.namespace}/${p.job.name}`);
      jobOwner.push({
        labels: {
          namespace: p.namespace,
          job_name: p.job.name,
          owner_kind: p.job.owner.kind,
          owner_name: p.job.owner.name,
          owner_is_controller: 'true',
        },
        samples: constant(1),
      });
    }
    // The pod-level cgroup (container="") and the pause container are traps every query must exclude.
    const podTimes = alignedTimes(p.start, p.end, SCRAPE);
    const cad = { ...base, cpu: 'total', image: '', instance: 'node-1', job: 'kubelet', node: 'node-1' };
    let podCounter = 1000;
    cpu.push({
      labels: { ...cad, container: '', id: `/kubepods/${p.pod}` },
      samples: podTimes.map((t) => [t, (podCounter += 30 * 9)] as [number, number]),
    });
    mem.push({
      labels: { ...cad, container: '', id: `/kubepods/${p.pod}` },
      samples: podTimes.map((t) => [t, 9e12]),
    });
    mem.push({
      labels: { ...cad, container: 'POD', id: `/kubepods/${p.pod}/pause` },
      samples: podTimes.map((t) => [t, 8e12]),
    });
    for (const c of p.containers) {
      const cEnd = c.activeFor ? Math.min(p.end, p.start + c.activeFor) : p.end;
      const times = alignedTimes(p.start, cEnd, SCRAPE);
      const segments = c.restartAt
        ? [times.filter((t) => t < c.restartAt!), times.filter((t) => t >= c.restartAt!)]
        : [times];
      segments.forEach((seg, i) => {
        if (seg.length === 0 || c.noMetrics) return;
        const id = `/kubepods/${p.pod}/${c.name}-${i}`;
        const labels = { ...cad, container: c.name, id, image: `img/${c.name}` };
        // A fresh container's counter starts near zero, as cAdvisor's does after a restart.
        let counter = i === 0 ? 5000 + rnd() * 100 : 0.5;
        cpu.push({
          labels,
          samples: seg.map((t) => {
            counter += c.cpu(t, rnd) * SCRAPE;
            return [t, counter] as [number, number];
          }),
        });
        mem.push({ labels, samples: seg.map((t) => [t, c.memory(t, rnd)] as [number, number]) });
        start.push({ labels: { ...labels }, samples: seg.map((t) => [t, seg[0]! - 1] as [number, number]) });
      });
      const info = { ...base, container: c.name, node: 'node-1' };
      const reqTarget = c.init ? initReq : req;
      const limTarget = c.init ? initLim : lim;
      // Request and limit series, CPU and memory, for what the container declares.
      for (const [amounts, target] of [
        [c.requests, reqTarget],
        [c.limits, limTarget],
      ] as const) {
        for (const [resource, unit] of [
          ['cpu', 'core'],
          ['memory', 'byte'],
        ] as const) {
          const amount = amounts?.[resource];
          if (amount !== undefined)
            target.push({ labels: { ...info, resource, unit }, samples: constant(amount) });
        }
      }
      if (c.init) {
        initInfo.push({
          labels: { ...info, image: `img/${c.name}`, restart_policy: c.init === 'sidecar' ? 'Always' : '' },
          samples: constant(1),
        });
      }
      if (c.oomKilledAt !== undefined) {
        reason.push({
          labels: { ...info, reason: 'OOMKilled' },
          samples: ksmTimes.filter((t) => t >= c.oomKilledAt!).map((t) => [t, 1]),
        });
      }
    }
  }
  const hpaTarget: RawSeries[] = [];
  const hpaInfo: RawSeries[] = [];
  const allTimes = pods.flatMap((p) => [p.start, p.end]);
  const hpaTimes = alignedTimes(Math.min(...allTimes), Math.max(...allTimes), KSM_SCRAPE * 5);
  for (const h of hpas) {
    hpaTarget.push({
      labels: {
        namespace: h.namespace,
        horizontalpodautoscaler: h.name,
        metric_name: h.metric,
        metric_target_type: 'utilization',
      },
      samples: hpaTimes.map((t) => [t, 70]),
    });
    hpaInfo.push({
      labels: {
        namespace: h.namespace,
        horizontalpodautoscaler: h.name,
        scaletargetref_kind: h.target.kind,
        scaletargetref_name: h.target.name,
        scaletargetref_api_version: 'apps/v1',
      },
      samples: hpaTimes.map((t) => [t, 1]),
    });
  }
  return [
    { name: 'container_cpu_usage_seconds', type: 'counter', series: cpu },
    { name: 'container_memory_working_set_bytes', type: 'gauge', series: mem },
    { name: 'container_start_time_seconds', type: 'gauge', series: start },
    { name: 'kube_pod_container_resource_requests', type: 'gauge', series: req },
    { name: 'kube_pod_container_resource_limits', type: 'gauge', series: lim },
    { name: 'kube_pod_init_container_resource_requests', type: 'gauge', series: initReq },
    { name: 'kube_pod_init_container_resource_limits', type: 'gauge', series: initLim },
    { name: 'kube_pod_init_container_info', type: 'gauge', series: initInfo },
    { name: 'kube_pod_owner', type: 'gauge', series: owner },
    { name: 'kube_replicaset_owner', type: 'gauge', series: rsOwner },
    { name: 'kube_job_owner', type: 'gauge', series: jobOwner },
    { name: 'kube_pod_container_status_last_terminated_reason', type: 'gauge', series: reason },
    { name: 'kube_pod_labels', type: 'gauge', series: podLabels },
    { name: 'kube_horizontalpodautoscaler_spec_target_metric', type: 'gauge', series: hpaTarget },
    { name: 'kube_horizontalpodautoscaler_info', type: 'gauge', series: hpaInfo },
  ].filter((f) => f.series.length > 0) as Family[];
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

/** Writes families as OpenMetrics text (one contiguous family each, series in time order, ending in # EOF). */
export async function writeOpenMetrics(file: string, families: Family[]): Promise<void> {
  const out = createWriteStream(file);
  let buf = '';
  const flush = async (force = false) => {
    if (buf.length > 1 << 20 || (force && buf)) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  };
  for (const f of families) {
    buf += `# TYPE ${f.name} ${f.type}\n`;
    const sample = f.type === 'counter' ? `${f.name}_total` : f.name;
    for (const s of f.series) {
      const labels = Object.entries(s.labels)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',');
      const prefix = `${sample}{${labels}} `;
      for (const [t, v] of s.samples) {
        buf += `${prefix}${formatValue(v)} ${t}\n`;
        await flush();
      }
    }
  }
  buf += '# EOF\n';
  await flush(true);
  out.end();
  await once(out, 'finish');
}
