import { buildRecommendations, clusterScore, type Prices } from './analysis.js';
import { type CollectOptions, collect } from './collect.js';
import type { Recommendation, Report } from './model.js';
import type { PrometheusClient } from './prometheus.js';
import type { Strategy } from './strategies/types.js';

export type { Recommendation, Report } from './model.js';
export { PrometheusClient } from './prometheus.js';

export interface RightsizeOptions
  extends Omit<CollectOptions, 'cpuStatistic' | 'memoryStatistic' | 'useOomKillData' | 'samples'> {
  strategy: Strategy;
  prices: Prices;
}

/** Collects history from Prometheus, runs the strategy per container and scores the result. */
export async function rightsize(client: PrometheusClient, o: RightsizeOptions): Promise<Report> {
  const started = performance.now();
  const collected = await collect(client, {
    ...o,
    cpuStatistic: o.strategy.cpuStatistic,
    memoryStatistic: o.strategy.memoryStatistic,
    useOomKillData: o.strategy.useOomKillData,
    samples: o.strategy.samples,
  });
  const perPod = new Map<string, number>();
  for (const h of collected.containers) {
    if (h.role === 'init') continue;
    const k = `${h.workload.namespace}/${h.workload.kind}/${h.workload.name}`;
    perPod.set(k, (perPod.get(k) ?? 0) + 1);
  }
  const results = collected.containers.map((h) =>
    o.strategy.recommend(h, {
      at: o.at,
      containersPerPod: perPod.get(`${h.workload.namespace}/${h.workload.kind}/${h.workload.name}`) ?? 1,
    }),
  );
  const peakIsMax = o.strategy.memoryStatistic.fn === 'max';
  const { recommendations, workloads } = buildRecommendations(
    collected.containers,
    results,
    o.prices,
    peakIsMax,
  );
  // Sample arrays are only needed by the strategy; dropping them keeps reports small.
  for (const h of collected.containers) {
    for (const p of h.pods) {
      delete p.cpuSamples;
      delete p.memorySamples;
    }
  }
  const score = clusterScore(recommendations.map((r) => r.severity.overall));
  let monthly = 0;
  let cpuDelta = 0;
  let memDelta = 0;
  for (const r of recommendations) {
    monthly += r.savings.total;
    cpuDelta += ((r.recommended.requests.cpu ?? 0) - (r.current.requests.cpu ?? 0)) * r.replicas;
    memDelta += ((r.recommended.requests.memory ?? 0) - (r.current.requests.memory ?? 0)) * r.replicas;
  }
  return {
    generatedAt: new Date().toISOString(),
    at: o.at,
    strategy: { name: o.strategy.name, settings: o.strategy.settings },
    prometheus: client.base.origin + client.base.pathname.replace(/\/$/, ''),
    score,
    totals: {
      monthlySavings: Math.round(monthly * 100) / 100,
      cpuCoresDelta: Math.round(cpuDelta * 1000) / 1000,
      memoryBytesDelta: Math.round(memDelta),
    },
    recommendations,
    workloads,
    warnings: collected.warnings,
    ...(collected.emptyQueries.length && !recommendations.some(hasRecommendation)
      ? { noData: collected.emptyQueries }
      : {}),
    timing: {
      totalMs: Math.round(performance.now() - started),
      prometheusMs: Math.round(client.busyMs),
      queries: client.queries,
    },
  };
}

/** A row whose CPU and memory both lack data keeps the current values: it recommends nothing. */
function hasRecommendation(r: Recommendation): boolean {
  return r.reason.cpu === undefined || r.reason.memory === undefined;
}
