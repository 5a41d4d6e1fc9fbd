import { qosClass } from '../core/k8s/qos.js';
import { formatCpu, formatMemory } from '../core/units/resources.js';
import type {
  ContainerHistory,
  ContainerResources,
  Efficiency,
  KrrSeverity,
  Recommendation,
  Resources,
  StrategyResult,
  WorkloadSummary,
} from './model.js';

export interface Prices {
  /** Currency units per core-hour. */
  cpu: number;
  /** Currency units per GiB-hour. */
  memory: number;
}

/** OpenCost's default on-demand prices (configs/default.json): per vCPU-hour and per GiB-hour. */
export const DEFAULT_PRICES: Prices = { cpu: 0.031611, memory: 0.004237 };
export const HOURS_PER_MONTH = 730;
const GIB = 2 ** 30;

/** krr's per-resource severity from |current − recommended| (robusta_krr/core/models/severity.py). */
export function krrSeverity(
  current: number | null,
  recommended: number | null | undefined,
  resource: 'cpu' | 'memory',
): KrrSeverity {
  if (recommended === undefined) return 'UNKNOWN';
  if (current === null && recommended === null) return 'GOOD';
  if (current === null || recommended === null) return 'WARNING';
  const diff =
    resource === 'cpu' ? Math.abs(current - recommended) : Math.abs(current - recommended) / 1024 / 1024;
  const [critical, warning, ok] = resource === 'cpu' ? [0.5, 0.25, 0.1] : [500, 250, 100];
  if (diff >= critical) return 'CRITICAL';
  if (diff >= warning) return 'WARNING';
  if (diff >= ok) return 'OK';
  return 'GOOD';
}

const SEVERITY_ORDER: KrrSeverity[] = ['CRITICAL', 'WARNING', 'OK', 'GOOD', 'UNKNOWN'];

export function worstSeverity(list: KrrSeverity[]): KrrSeverity {
  return SEVERITY_ORDER.find((s) => list.includes(s)) ?? 'UNKNOWN';
}

/** krr's cluster score: int((N − Σcost)/N·100), cost 0.7 per WARNING and 1 per CRITICAL; letters F<30≤D<55≤C<70≤B<90≤A. */
export function clusterScore(severities: KrrSeverity[]): { value: number; letter: string } {
  if (severities.length === 0) return { value: 0, letter: 'F' };
  const cost = severities.reduce((a, s) => a + (s === 'WARNING' ? 0.7 : s === 'CRITICAL' ? 1 : 0), 0);
  const value = Math.trunc(((severities.length - cost) / severities.length) * 100);
  const letter = value < 30 ? 'F' : value < 55 ? 'D' : value < 70 ? 'C' : value < 90 ? 'B' : 'A';
  return { value, letter };
}

/** OpenCost's efficiency: usage ÷ request per resource, total weighted by each resource's cost. */
export function efficiency(
  requests: Resources,
  usage: { cpu: number | null; memory: number | null },
  prices: Prices,
): Efficiency {
  const one = (req: number | null, use: number | null) => {
    if (use === null) return null;
    if (!req) return use > 0 ? 1 : 0;
    return use / req;
  };
  const cpu = one(requests.cpu, usage.cpu);
  const memory = one(requests.memory, usage.memory);
  // Cost follows OpenCost's allocation: the larger of request and usage, priced per hour.
  const cpuCost = Math.max(requests.cpu ?? 0, usage.cpu ?? 0) * prices.cpu;
  const memCost = (Math.max(requests.memory ?? 0, usage.memory ?? 0) / GIB) * prices.memory;
  let total: number | null = null;
  if (cpu !== null && memory !== null && cpuCost + memCost > 0) {
    total = (cpu * cpuCost + memory * memCost) / (cpuCost + memCost);
  }
  return { cpu, memory, total };
}

function resolved(current: number | null, rec: number | null | undefined): number | null {
  return rec === undefined ? current : rec;
}

function weightedAverage(values: Array<[number | undefined, number]>): number | null {
  let sum = 0;
  let weight = 0;
  for (const [v, w] of values) {
    if (v === undefined || !(w > 0)) continue;
    sum += v * w;
    weight += w;
  }
  return weight > 0 ? sum / weight : null;
}

/** Turns strategy output into the reported row: severity, QoS, efficiency, savings and warnings. */
export function buildRecommendations(
  histories: ContainerHistory[],
  results: StrategyResult[],
  prices: Prices,
  peakIsMax: boolean,
): { recommendations: Recommendation[]; workloads: WorkloadSummary[] } {
  const recs: Recommendation[] = histories.map((h, i) => {
    const r = results[i]!;
    const recommended: ContainerResources = {
      requests: {
        cpu: resolved(h.current.requests.cpu, r.cpu.request),
        memory: resolved(h.current.requests.memory, r.memory.request),
      },
      limits: {
        cpu: resolved(h.current.limits.cpu, r.cpu.limit),
        memory: resolved(h.current.limits.memory, r.memory.limit),
      },
    };
    const sev = (res: 'cpu' | 'memory') =>
      worstSeverity([
        krrSeverity(h.current.requests[res], r[res].request, res),
        krrSeverity(h.current.limits[res], r[res].limit, res),
      ]);
    const cpuSev = sev('cpu');
    // krr marks memory CRITICAL whenever the container was OOM-killed.
    const memSev = h.oomKilled ? 'CRITICAL' : sev('memory');
    const cpuPoints = h.pods.reduce((a, p) => a + p.cpuCount, 0);
    const memPoints = h.pods.reduce((a, p) => a + p.memoryCount, 0);
    const cpuStat = h.pods.some((p) => p.cpu !== undefined)
      ? Math.max(...h.pods.map((p) => p.cpu ?? 0))
      : null;
    const memStat = h.pods.some((p) => p.memory !== undefined)
      ? Math.max(...h.pods.map((p) => p.memory ?? 0))
      : null;
    const usage = {
      cpu: weightedAverage(h.pods.map((p) => [p.cpuAvg, p.cpuCount])),
      memory: weightedAverage(h.pods.map((p) => [p.memoryAvg, p.memoryCount])),
    };
    const replicas = h.pods.filter((p) => p.running).length;
    const cpuDelta = (h.current.requests.cpu ?? 0) - (recommended.requests.cpu ?? 0);
    const memDelta = (h.current.requests.memory ?? 0) - (recommended.requests.memory ?? 0);
    const cpuSaving = cpuDelta * prices.cpu * HOURS_PER_MONTH * replicas;
    const memSaving = (memDelta / GIB) * prices.memory * HOURS_PER_MONTH * replicas;
    const warnings: string[] = [];
    const startup = Math.max(0, ...h.pods.map((p) => p.cpuStartupPeak ?? 0));
    if (r.cpu.request != null && startup > r.cpu.request) {
      warnings.push(
        `CPU request ${formatCpu(r.cpu.request)} is below the startup peak ${formatCpu(Math.ceil(startup * 1000) / 1000)}; startup will be slower`,
      );
    }
    if (r.cpu.limit != null && startup > r.cpu.limit) {
      warnings.push(
        `CPU limit ${formatCpu(r.cpu.limit)} is below the startup peak; startup will be throttled`,
      );
    }
    if (peakIsMax && r.memory.limit != null && memStat !== null && r.memory.limit < memStat) {
      warnings.push(
        `memory limit ${formatMemory(r.memory.limit)} is below the peak ${formatMemory(memStat)} seen; expect OOM kills`,
      );
    }
    return {
      namespace: h.workload.namespace,
      workload: { kind: h.workload.kind, name: h.workload.name },
      container: h.container,
      role: h.role,
      pods: h.pods.length,
      replicas,
      current: h.current,
      recommended,
      ...(r.bounds ? { bounds: r.bounds } : {}),
      usage: {
        cpu: { statistic: cpuStat, average: usage.cpu, points: cpuPoints },
        memory: { statistic: memStat, average: usage.memory, points: memPoints },
      },
      qos: { current: 'BestEffort', recommended: 'BestEffort' },
      efficiency: {
        current: efficiency(h.current.requests, usage, prices),
        recommended: efficiency(recommended.requests, usage, prices),
      },
      savings: { cpu: round2(cpuSaving), memory: round2(memSaving), total: round2(cpuSaving + memSaving) },
      severity: { cpu: cpuSev, memory: memSev, overall: worstSeverity([cpuSev, memSev]) },
      reason: {
        ...(r.cpu.reason ? { cpu: r.cpu.reason } : {}),
        ...(r.memory.reason ? { memory: r.memory.reason } : {}),
      },
      warnings,
    };
  });

  const byWorkload = new Map<string, Recommendation[]>();
  for (const rec of recs) {
    const k = `${rec.namespace}/${rec.workload.kind}/${rec.workload.name}`;
    byWorkload.set(k, [...(byWorkload.get(k) ?? []), rec]);
  }
  const workloads: WorkloadSummary[] = [];
  for (const list of byWorkload.values()) {
    const now = qosClass(list.map((r) => r.current));
    const after = qosClass(list.map((r) => r.recommended));
    for (const r of list) {
      r.qos = { current: now, recommended: after };
      if (now !== after) {
        r.warnings.push(
          now === 'Guaranteed'
            ? `moves the pod out of Guaranteed QoS (to ${after}): it becomes evictable before Guaranteed pods under node pressure`
            : `changes the pod's QoS class from ${now} to ${after}`,
        );
      }
    }
    const first = list[0]!;
    const h = histories.find(
      (x) =>
        x.workload.namespace === first.namespace &&
        x.workload.kind === first.workload.kind &&
        x.workload.name === first.workload.name,
    );
    workloads.push({
      namespace: first.namespace,
      kind: first.workload.kind,
      name: first.workload.name,
      effectiveRequests: {
        current: effective(list, 'current'),
        recommended: effective(list, 'recommended'),
      },
      hpa: h?.hpa ?? { cpu: false, memory: false },
    });
  }
  return { recommendations: recs, workloads };
}

/**
 * A pod's effective request (the scheduler's view): the larger of the biggest init container and the sum of
 * app containers plus native sidecars, which keep running next to the app.
 */
export function effective(list: Recommendation[], which: 'current' | 'recommended'): Resources {
  const out: Resources = { cpu: null, memory: null };
  for (const r of ['cpu', 'memory'] as const) {
    const running = list.filter((c) => c.role !== 'init').map((c) => c[which].requests[r]);
    const init = list.filter((c) => c.role === 'init').map((c) => c[which].requests[r]);
    const known = [...running, ...init].some((v) => v !== null);
    if (!known) continue;
    const sum = running.reduce<number>((a, v) => a + (v ?? 0), 0);
    out[r] = Math.max(sum, ...init.map((v) => v ?? 0));
  }
  return out;
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
