import { UserError } from '../core/errors.js';
import type { LabelNames, SeriesNames } from './config.js';
import type { ContainerHistory, ContainerRole, PodStats, WorkloadRef } from './model.js';
import { type PrometheusClient, QueryTooLargeError, type Sample } from './prometheus.js';
import { escapeRegex, globToRegex, matchers, quote } from './promql.js';
import { type LabelRequirement, selectorMatchers } from './selector.js';
import { formatDuration } from './units.js';
import { resolveOwners, workloadKey } from './workloads.js';

/** The statistic a strategy wants Prometheus to compute per pod and container over the window. */
export type Statistic = { fn: 'quantile'; q: number } | { fn: 'max' };

export interface CollectOptions {
  at: number;
  windowSeconds: number;
  stepSeconds: number;
  series: SeriesNames;
  labels: LabelNames;
  /** Extra matchers for every cAdvisor selector, e.g. job="kubelet" or cluster="prod". */
  extraSelector?: string;
  namespaces: string[];
  excludeNamespaces: string[];
  selector: LabelRequirement[];
  workloadKinds: string[];
  maxSeriesPerQuery: number;
  cpuStatistic: Statistic;
  memoryStatistic: Statistic;
  useOomKillData: boolean;
  /** Seconds after a container start counted as its startup; 0 skips the startup-peak query. */
  startupSeconds: number;
  /** Fetch per-step samples (range queries) for strategies that keep their own histograms. */
  samples: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface Collected {
  containers: ContainerHistory[];
  warnings: string[];
  /** Queries that had to return series for any recommendation and returned none. */
  emptyQueries: string[];
}

type Key = string;
const keyOf = (ns: string, pod: string, ctr: string): Key => `${ns}\u0000${pod}\u0000${ctr}`;

function statExpr(s: Statistic, inner: string, range: string): string {
  return s.fn === 'max'
    ? `max_over_time(${inner}[${range}])`
    : `quantile_over_time(${s.q}, ${inner}[${range}])`;
}

/**
 * Runs the cluster-wide queries (one per metric per batch of namespaces or pods, never one per pod) and
 * assembles per-container histories grouped by workload.
 */
export async function collect(client: PrometheusClient, o: CollectOptions): Promise<Collected> {
  const warnings: string[] = [];
  const emptyQueries: string[] = [];
  const L = o.labels;
  const W = formatDuration(o.windowSeconds);
  const step = formatDuration(o.stepSeconds);
  const by = `${L.namespace}, ${L.pod}, ${L.container}`;

  const includeNs = o.namespaces.length ? o.namespaces.map(globToRegex).join('|') : undefined;
  const excludeNs = o.excludeNamespaces.length ? o.excludeNamespaces.map(globToRegex).join('|') : undefined;
  const nsFilter = (label: string) =>
    matchers(
      includeNs ? `${label}=~${quote(includeNs)}` : undefined,
      excludeNs ? `${label}!~${quote(excludeNs)}` : undefined,
    );
  const ksmNs = nsFilter('namespace');
  const cadvisorBase = matchers(
    `${L.container}!=""`,
    `${L.container}!="POD"`,
    nsFilter(L.namespace),
    o.extraSelector,
  );
  const S = o.series;
  const lastOver = (metric: string, extra: string, byLabels: string) =>
    `max by (${byLabels}) (last_over_time(${metric}{${matchers(ksmNs, extra)}}[${W}]))`;
  const instant = (q: string) => client.instant(q, o.at);
  const start = o.at - o.windowSeconds;

  const [
    discovered,
    podOwners,
    rsOwners,
    jobOwners,
    requests,
    limits,
    initRequests,
    initLimits,
    initInfo,
    hpaTargets,
    hpaInfo,
    running,
    oomReasons,
    oomLimits,
    podLabels,
  ] = await Promise.all([
    client.series(`${S.cpu}{${cadvisorBase}}`, start, o.at),
    instant(lastOver(S.podOwner, '', 'namespace, pod, owner_kind, owner_name')),
    instant(lastOver(S.replicasetOwner, '', 'namespace, replicaset, owner_kind, owner_name')),
    instant(lastOver(S.jobOwner, '', 'namespace, job_name, owner_kind, owner_name')),
    instant(lastOver(S.requests, 'resource=~"cpu|memory"', 'namespace, pod, container, resource')),
    instant(lastOver(S.limits, 'resource=~"cpu|memory"', 'namespace, pod, container, resource')),
    instant(lastOver(S.initRequests, 'resource=~"cpu|memory"', 'namespace, pod, container, resource')),
    instant(lastOver(S.initLimits, 'resource=~"cpu|memory"', 'namespace, pod, container, resource')),
    instant(lastOver(S.initInfo, '', 'namespace, pod, container, restart_policy')),
    instant(
      lastOver(
        S.hpaTarget,
        'metric_name=~"cpu|memory",metric_target_type="utilization"',
        'namespace, horizontalpodautoscaler, metric_name',
      ),
    ),
    instant(
      lastOver(S.hpaInfo, '', 'namespace, horizontalpodautoscaler, scaletargetref_kind, scaletargetref_name'),
    ),
    instant(`group by (${by}) (${S.cpu}{${cadvisorBase}})`),
    instant(lastOver(S.terminatedReason, 'reason="OOMKilled"', 'namespace, pod, container')),
    o.useOomKillData
      ? instant(
          `max_over_time(max(max(${S.limits}{${matchers(ksmNs, 'resource="memory"')}}) by (namespace, pod, container)` +
            ` * on (namespace, pod, container) group_left(reason)` +
            ` max(${S.terminatedReason}{${matchers(ksmNs, 'reason="OOMKilled"')}}) by (namespace, pod, container, reason))` +
            ` by (namespace, pod, container)[${W}:${step}])`,
        )
      : Promise.resolve([] as Sample[]),
    o.selector.length
      ? instant(
          `group by (namespace, pod) (last_over_time(${S.podLabels}{${matchers(ksmNs, ...selectorMatchers(o.selector))}}[${W}]))`,
        )
      : Promise.resolve(undefined),
  ]);

  const owners = resolveOwners({ pods: podOwners, replicasets: rsOwners, jobs: jobOwners });
  const selectedPods = podLabels
    ? new Set(podLabels.map((s) => `${s.metric.namespace}/${s.metric.pod}`))
    : undefined;

  // Containers present in cAdvisor within the window, filtered before any expensive query.
  const containers = new Map<Key, { ns: string; pod: string; ctr: string; workload: WorkloadRef }>();
  const consider = (ns: string | undefined, pod: string | undefined, ctr: string | undefined) => {
    if (!ns || !pod || !ctr || containers.has(keyOf(ns, pod, ctr))) return;
    if (selectedPods && !selectedPods.has(`${ns}/${pod}`)) return;
    const workload = owners.get(`${ns}/${pod}`) ?? { namespace: ns, kind: 'Pod', name: pod };
    if (
      o.workloadKinds.length &&
      !o.workloadKinds.some((k) => k.toLowerCase() === workload.kind.toLowerCase())
    ) {
      return;
    }
    containers.set(keyOf(ns, pod, ctr), { ns, pod, ctr, workload });
  };
  for (const labels of discovered) consider(labels[L.namespace], labels[L.pod], labels[L.container]);
  if (discovered.length === 0) {
    emptyQueries.push(`series ${S.cpu}{${cadvisorBase}}`);
    warnings.push(
      `no ${S.cpu} series with ${L.container}!="" in the ${W} before ${new Date(o.at * 1000).toISOString()}; ` +
        'check --prometheus, --at, --window, --series and --label',
    );
  }

  const stats = new Map<Key, PodStats>();
  const statsFor = (ns: string, pod: string, ctr: string): PodStats | undefined => {
    const k = keyOf(ns, pod, ctr);
    if (!containers.has(k)) return undefined;
    let s = stats.get(k);
    if (!s) {
      s = { pod, cpuCount: 0, memoryCount: 0, running: false };
      stats.set(k, s);
    }
    return s;
  };
  const cadvisorRow = (m: Record<string, string>) => statsFor(m[L.namespace]!, m[L.pod]!, m[L.container]!);
  const ksmRow = (m: Record<string, string>) => statsFor(m.namespace!, m.pod!, m.container!);
  const finite = (s: PodStats, what: string, v: number): number | undefined => {
    if (Number.isFinite(v)) return v;
    (s.invalid ??= []).push(`${what}=${v}`);
    return undefined;
  };

  const onCadvisor = (apply: (s: PodStats, v: number) => void) => (rows: Sample[]) => {
    for (const r of rows) {
      const s = cadvisorRow(r.metric);
      if (s) apply(s, r.value);
    }
  };

  // Batches keep each query under --max-series-per-query: whole namespaces where they fit, pod lists otherwise.
  const batches = planBatches([...containers.values()], o.maxSeriesPerQuery, L);
  // Containers kube-state-metrics knows but cAdvisor never reported (sidecars without metrics, pods that never
  // started) are listed as "No data" rather than silently missing.
  for (const r of [...requests, ...initRequests])
    consider(r.metric.namespace, r.metric.pod, r.metric.container);
  const cpuRate = (sel: string) => `max by (${by}) (rate(${S.cpu}{${sel}}[${step}]))`;
  const memory = (sel: string) => `max by (${by}) (${S.memory}{${sel}})`;
  const range = `${W}:${step}`;
  type Job = { query: (sel: string) => string; apply: (rows: Sample[]) => void };
  const jobs: Job[] = [
    {
      query: (sel) => statExpr(o.cpuStatistic, cpuRate(sel), range),
      apply: onCadvisor((s, v) => set(s, 'cpu', v)),
    },
    {
      query: (sel) => `count_over_time(max by (${by}) (${S.cpu}{${sel}})[${range}])`,
      apply: onCadvisor((s, v) => {
        s.cpuCount = v;
      }),
    },
    {
      query: (sel) => statExpr(o.memoryStatistic, memory(sel), range),
      apply: onCadvisor((s, v) => set(s, 'memory', v)),
    },
    {
      query: (sel) => `count_over_time(${memory(sel)}[${range}])`,
      apply: onCadvisor((s, v) => {
        s.memoryCount = v;
      }),
    },
    {
      // Average CPU from the counter's increase, divided by the pod's lifetime (points × step) below.
      query: (sel) => `sum by (${by}) (increase(${S.cpu}{${sel}}[${W}]))`,
      apply: onCadvisor((s, v) => set(s, 'cpuAvg', v)),
    },
    {
      query: (sel) => `max by (${by}) (avg_over_time(${S.memory}{${sel}}[${W}]))`,
      apply: onCadvisor((s, v) => set(s, 'memoryAvg', v)),
    },
  ];
  if (o.startupSeconds > 0) {
    jobs.push({
      query: (sel) =>
        `max_over_time((${cpuRate(sel)} and on (${by}) ` +
        `(max by (${by}) (time() - ${S.startTime}{${sel}}) < ${o.startupSeconds}))[${range}])`,
      apply: onCadvisor((s, v) => set(s, 'cpuStartupPeak', v)),
    });
  }
  function set(s: PodStats, field: 'cpu' | 'memory' | 'cpuAvg' | 'memoryAvg' | 'cpuStartupPeak', v: number) {
    s[field] = finite(s, field, v);
  }

  const total = batches.length * jobs.length + (o.samples ? batches.length * 2 : 0);
  let done = 0;
  const tick = () => o.onProgress?.(++done, total);
  o.onProgress?.(0, total);
  const tasks: Promise<void>[] = [];
  for (const batch of batches) {
    for (const job of jobs) {
      tasks.push(
        runSplitting(batch, (b) => instant(job.query(matchers(cadvisorBase, b.matcher))), L).then((rows) => {
          job.apply(rows);
          tick();
        }),
      );
    }
    if (o.samples) {
      for (const [field, q] of [
        ['cpuSamples', cpuRate],
        ['memorySamples', memory],
      ] as const) {
        tasks.push(
          rangeChunks(
            client,
            (sel) => q(matchers(cadvisorBase, sel)),
            batch,
            start,
            o.at,
            o.stepSeconds,
            L,
          ).then((series) => {
            for (const s of series) {
              const row = cadvisorRow(s.metric);
              if (row) row[field] = s.values.filter(([, v]) => Number.isFinite(v));
            }
            tick();
          }),
        );
      }
    }
  }
  await Promise.all(tasks);

  onCadvisor((s) => {
    s.running = true;
  })(running);
  for (const r of oomLimits) {
    const s = ksmRow(r.metric);
    if (s && Number.isFinite(r.value)) s.oomLimit = Math.max(s.oomLimit ?? 0, r.value);
  }
  for (const s of stats.values()) {
    if (s.cpuAvg !== undefined)
      s.cpuAvg = s.cpuCount > 0 ? s.cpuAvg / (s.cpuCount * o.stepSeconds) : undefined;
  }

  // Current requests/limits per container: the largest value among the workload's pods in the window.
  const initNames = new Map<string, ContainerRole>();
  for (const r of initInfo) {
    const wl = owners.get(`${r.metric.namespace}/${r.metric.pod}`);
    if (!wl) continue;
    const role: ContainerRole = r.metric.restart_policy === 'Always' ? 'sidecar' : 'init';
    initNames.set(`${workloadKey(wl)}/${r.metric.container}`, role);
  }
  const spec = new Map<string, { requests: Record<string, number>; limits: Record<string, number> }>();
  const addSpec = (rows: Sample[], kind: 'requests' | 'limits', initRole?: ContainerRole) => {
    for (const r of rows) {
      const wl = owners.get(`${r.metric.namespace}/${r.metric.pod}`) ?? {
        namespace: r.metric.namespace!,
        kind: 'Pod',
        name: r.metric.pod!,
      };
      const k = `${workloadKey(wl)}/${r.metric.container}`;
      if (initRole && !initNames.has(k)) initNames.set(k, initRole);
      let e = spec.get(k);
      if (!e) spec.set(k, (e = { requests: {}, limits: {} }));
      const res = r.metric.resource!;
      if (Number.isFinite(r.value)) e[kind][res] = Math.max(e[kind][res] ?? 0, r.value);
    }
  };
  addSpec(requests, 'requests');
  addSpec(limits, 'limits');
  addSpec(initRequests, 'requests', 'init');
  addSpec(initLimits, 'limits', 'init');

  const hpaTargetsBy = new Map<string, { cpu: boolean; memory: boolean }>();
  const hpaOf = new Map<string, { cpu: boolean; memory: boolean }>();
  for (const r of hpaTargets) {
    const k = `${r.metric.namespace}/${r.metric.horizontalpodautoscaler}`;
    const e = hpaOf.get(k) ?? { cpu: false, memory: false };
    if (r.metric.metric_name === 'cpu') e.cpu = true;
    if (r.metric.metric_name === 'memory') e.memory = true;
    hpaOf.set(k, e);
  }
  for (const r of hpaInfo) {
    const e = hpaOf.get(`${r.metric.namespace}/${r.metric.horizontalpodautoscaler}`);
    if (!e) continue;
    hpaTargetsBy.set(
      `${r.metric.namespace}/${r.metric.scaletargetref_kind}/${r.metric.scaletargetref_name}`,
      e,
    );
  }
  const oomKilled = new Set<string>();
  for (const r of oomReasons) {
    if (r.value > 0) {
      const wl = owners.get(`${r.metric.namespace}/${r.metric.pod}`);
      if (wl) oomKilled.add(`${workloadKey(wl)}/${r.metric.container}`);
    }
  }

  const grouped = new Map<string, ContainerHistory>();
  for (const [k, c] of containers) {
    const ck = `${workloadKey(c.workload)}/${c.ctr}`;
    let h = grouped.get(ck);
    if (!h) {
      const sp = spec.get(ck);
      h = {
        workload: c.workload,
        container: c.ctr,
        role: initNames.get(ck) ?? 'app',
        current: {
          requests: { cpu: sp?.requests.cpu ?? null, memory: sp?.requests.memory ?? null },
          limits: { cpu: sp?.limits.cpu ?? null, memory: sp?.limits.memory ?? null },
        },
        pods: [],
        hpa: hpaTargetsBy.get(workloadKey(c.workload)) ?? { cpu: false, memory: false },
        oomKilled: oomKilled.has(ck),
      };
      grouped.set(ck, h);
    }
    h.pods.push(stats.get(k) ?? { pod: c.pod, cpuCount: 0, memoryCount: 0, running: false });
  }
  for (const h of grouped.values()) {
    const invalid = h.pods.flatMap((p) => p.invalid ?? []);
    if (invalid.length) {
      warnings.push(
        `${h.workload.namespace}/${h.workload.kind}/${h.workload.name} ${h.container}: ignored non-finite results (${[...new Set(invalid)].slice(0, 3).join(', ')})`,
      );
    }
  }
  const list = [...grouped.values()].sort(
    (a, b) =>
      a.workload.namespace.localeCompare(b.workload.namespace) ||
      a.workload.kind.localeCompare(b.workload.kind) ||
      a.workload.name.localeCompare(b.workload.name) ||
      a.container.localeCompare(b.container),
  );
  return { containers: list, warnings, emptyQueries };
}

interface Batch {
  matcher: string;
  /** Pods by namespace, so a batch can be split when Prometheus still refuses it. */
  pods: Map<string, string[]>;
  size: number;
}

function batchFrom(
  pods: Map<string, string[]>,
  size: number,
  L: LabelNames,
  wholeNamespaces: boolean,
): Batch {
  const namespaces = [...pods.keys()];
  let matcher: string;
  if (wholeNamespaces) {
    matcher = `${L.namespace}=~${quote(namespaces.map(escapeRegex).join('|'))}`;
  } else {
    // Pod lists are only ever made within one namespace.
    const ns = namespaces[0]!;
    matcher = `${L.namespace}=${quote(ns)},${L.pod}=~${quote(pods.get(ns)!.map(escapeRegex).join('|'))}`;
  }
  return { matcher, pods, size };
}

/** Packs containers into batches of at most `max` series: whole namespaces first, pods of big namespaces after. */
export function planBatches(
  containers: Array<{ ns: string; pod: string; ctr: string }>,
  max: number,
  L: LabelNames,
): Batch[] {
  if (containers.length === 0) return [];
  const byNs = new Map<string, Map<string, number>>();
  for (const c of containers) {
    const pods = byNs.get(c.ns) ?? new Map<string, number>();
    pods.set(c.pod, (pods.get(c.pod) ?? 0) + 1);
    byNs.set(c.ns, pods);
  }
  const out: Batch[] = [];
  let current = new Map<string, string[]>();
  let size = 0;
  const flush = () => {
    if (current.size) out.push(batchFrom(current, size, L, true));
    current = new Map();
    size = 0;
  };
  for (const [ns, pods] of [...byNs].sort(([a], [b]) => a.localeCompare(b))) {
    const n = [...pods.values()].reduce((a, b) => a + b, 0);
    if (n > max) {
      let chunk: string[] = [];
      let chunkSize = 0;
      for (const [pod, count] of pods) {
        if (chunkSize + count > max && chunk.length) {
          out.push(batchFrom(new Map([[ns, chunk]]), chunkSize, L, false));
          chunk = [];
          chunkSize = 0;
        }
        chunk.push(pod);
        chunkSize += count;
      }
      if (chunk.length) out.push(batchFrom(new Map([[ns, chunk]]), chunkSize, L, false));
      continue;
    }
    if (size + n > max) flush();
    current.set(ns, [...pods.keys()]);
    size += n;
  }
  flush();
  if (out.length === 1 && !out[0]!.matcher.includes(`${L.pod}=~`)) {
    // One batch covering every namespace needs no namespace matcher (the base selector already filters).
    out[0] = { ...out[0]!, matcher: '' };
  }
  return out;
}

function splitBatch(b: Batch, L: LabelNames): Batch[] {
  const entries = [...b.pods];
  if (entries.length > 1) {
    const half = Math.ceil(entries.length / 2);
    return [entries.slice(0, half), entries.slice(half)].map((part) =>
      batchFrom(new Map(part), Math.ceil(b.size / 2), L, true),
    );
  }
  const [ns, pods] = entries[0]!;
  if (pods.length < 2) return [];
  const half = Math.ceil(pods.length / 2);
  return [pods.slice(0, half), pods.slice(half)].map((part) =>
    batchFrom(new Map([[ns, part]]), Math.ceil(b.size / 2), L, false),
  );
}

/** Runs a batch's query; when Prometheus refuses it as too large, halves the batch until it fits. */
async function runSplitting<T>(b: Batch, run: (b: Batch) => Promise<T[]>, L: LabelNames): Promise<T[]> {
  try {
    return await run(b);
  } catch (error) {
    if (!(error instanceof QueryTooLargeError)) throw error;
    const parts = splitBatch(b, L);
    if (parts.length === 0) {
      throw new UserError(
        `Prometheus refused a query even for a single pod (${error.message}); raise its --query.max-samples or shorten --window`,
      );
    }
    const results = await Promise.all(parts.map((p) => runSplitting(p, run, L)));
    return results.flat();
  }
}

const MAX_POINTS = 10_000;

/** Range queries split in time so no series exceeds Prometheus's 11,000-points-per-series limit. */
async function rangeChunks(
  client: PrometheusClient,
  query: (sel: string) => string,
  b: Batch,
  start: number,
  end: number,
  step: number,
  L: LabelNames,
) {
  const merged = new Map<string, { metric: Record<string, string>; values: Array<[number, number]> }>();
  const chunks: Array<[number, number]> = [];
  // Align to absolute multiples of the step, as subqueries do, so both views see the same instants.
  let t = Math.ceil(start / step) * step;
  while (t <= end) {
    const stop = Math.min(end, t + (MAX_POINTS - 1) * step);
    chunks.push([t, stop]);
    t = stop + step;
  }
  const parts = await Promise.all(
    chunks.map(([s, e]) => runSplitting(b, (bb) => client.range(query(bb.matcher), s, e, step), L)),
  );
  for (const part of parts) {
    for (const s of part) {
      const k = JSON.stringify(s.metric);
      const m = merged.get(k);
      if (m) m.values.push(...s.values);
      else merged.set(k, { metric: s.metric, values: [...s.values] });
    }
  }
  return [...merged.values()];
}
