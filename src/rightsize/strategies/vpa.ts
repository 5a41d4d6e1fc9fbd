import type { ContainerHistory, ResourceRecommendation } from '../model.js';
import { decayWeight, ExponentialHistogram } from './histogram.js';
import { MIB, type Strategy, type StrategyContext, sum } from './types.js';

export interface VpaSettings {
  targetPercentile: number;
  lowerPercentile: number;
  upperPercentile: number;
  marginFraction: number;
  podMinCpu: number;
  podMinMemory: number;
  halfLifeSeconds: number;
  memoryIntervalSeconds: number;
  oomBumpUpRatio: number;
  oomMinBumpUpBytes: number;
  pointsRequired: number;
  allowHpa: boolean;
  stepSeconds: number;
}

export const VPA_DEFAULTS: Omit<VpaSettings, 'pointsRequired' | 'allowHpa' | 'stepSeconds'> = {
  targetPercentile: 0.9,
  lowerPercentile: 0.5,
  upperPercentile: 0.95,
  marginFraction: 0.15,
  podMinCpu: 0.025,
  podMinMemory: 250 * MIB,
  halfLifeSeconds: 86_400,
  memoryIntervalSeconds: 86_400,
  oomBumpUpRatio: 1.2,
  oomMinBumpUpBytes: 100 * MIB,
};

const CPU_SAMPLE_WEIGHT = 0.1;
const DAY = 86_400;

/**
 * The VPA recommender's estimators (pkg/recommender/logic) fed from Prometheus history instead of
 * metrics-server: CPU samples every step, memory as one peak per container per 24 h interval, both in decaying
 * exponential histograms. CPU and memory limits follow the VPA admission controller: scaled in proportion to
 * the request when set, left unset otherwise.
 */
export function vpaStrategy(s: VpaSettings): Strategy {
  return {
    name: 'vpa',
    settings: { ...s },
    cpuStatistic: { fn: 'max' },
    memoryStatistic: { fn: 'max' },
    useOomKillData: false,
    samples: true,
    recommend(h: ContainerHistory, ctx: StrategyContext) {
      const cpuHist = new ExponentialHistogram(1000, 0.01, 1.05);
      const memHist = new ExponentialHistogram(1e12, 1e7, 1.05);
      let first = Number.POSITIVE_INFINITY;
      let last = Number.NEGATIVE_INFINITY;
      let cpuSamples = 0;
      for (const pod of h.pods) {
        for (const [t, v] of pod.cpuSamples ?? []) {
          cpuHist.add(v, decayWeight(CPU_SAMPLE_WEIGHT, t, ctx.at, s.halfLifeSeconds));
          first = Math.min(first, t);
          last = Math.max(last, t);
          cpuSamples++;
        }
        // One peak per container per interval, the interval starting at the container's first sample.
        const mem = pod.memorySamples ?? [];
        if (mem.length === 0) continue;
        const start = mem[0]![0];
        const peaks = new Map<number, number>();
        for (const [t, v] of mem) {
          const k = Math.floor((t - start) / s.memoryIntervalSeconds);
          peaks.set(k, Math.max(peaks.get(k) ?? 0, v));
        }
        for (const [k, v] of peaks) {
          const end = Math.min(start + (k + 1) * s.memoryIntervalSeconds, ctx.at);
          memHist.add(v, decayWeight(1, end, ctx.at, s.halfLifeSeconds));
        }
        if (h.oomKilled) {
          const peak = Math.max(...mem.map(([, v]) => v));
          const used = Math.max(h.current.requests.memory ?? 0, peak);
          memHist.add(Math.max(used + s.oomMinBumpUpBytes, used * s.oomBumpUpRatio), 1);
        }
      }
      // VPA's confidence: days of history, capped by samples counted at one per minute.
      const minuteEquivalents = (cpuSamples * s.stepSeconds) / 60;
      const confidence = cpuSamples ? Math.min((last - first) / DAY, minuteEquivalents / (60 * 24)) : 0;
      const n = Math.max(1, ctx.containersPerPod);
      const minCpu = s.podMinCpu / n;
      const minMem = s.podMinMemory / n;
      const m = 1 + s.marginFraction;
      const lowerFactor = confidence > 0 ? (1 + 0.001 / confidence) ** -2 : 0;
      const upperFactor = confidence > 0 ? (1 + 1 / confidence) ** 1 : Number.POSITIVE_INFINITY;
      const estimate = (hist: ExponentialHistogram, min: number) => ({
        target: Math.max(hist.percentile(s.targetPercentile) * m, min),
        lower: Math.max(hist.percentile(s.lowerPercentile) * m * lowerFactor, min),
        upper: Math.max(hist.percentile(s.upperPercentile) * m * upperFactor, min),
      });
      const c = estimate(cpuHist, minCpu);
      const mm = estimate(memHist, minMem);
      const cpuRound = (v: number) => Math.ceil(v * 1000 - 1e-9) / 1000;
      const memRound = (v: number) => Math.ceil(v - 1e-6);
      const cpu = gate(h, 'cpu', s, cpuHist.totalWeight > 0, sum(h.pods.map((p) => p.cpuCount)));
      const memory = gate(h, 'memory', s, memHist.totalWeight > 0, sum(h.pods.map((p) => p.memoryCount)));
      return {
        cpu: cpu ?? withLimit(h, 'cpu', cpuRound(c.target)),
        memory: memory ?? withLimit(h, 'memory', memRound(mm.target)),
        bounds: {
          lower: { cpu: cpuRound(c.lower), memory: memRound(mm.lower) },
          upper: {
            cpu: Number.isFinite(c.upper) ? cpuRound(c.upper) : null,
            memory: Number.isFinite(mm.upper) ? memRound(mm.upper) : null,
          },
        },
      };
    },
  };
}

function gate(
  h: ContainerHistory,
  resource: 'cpu' | 'memory',
  s: VpaSettings,
  hasData: boolean,
  points: number,
): ResourceRecommendation | undefined {
  if (!hasData) return { request: undefined, limit: undefined, reason: 'No data' };
  if (points < s.pointsRequired) return { request: undefined, limit: undefined, reason: 'Not enough data' };
  if (h.hpa[resource] && !s.allowHpa) return { request: undefined, limit: undefined, reason: 'HPA detected' };
  return undefined;
}

/** The admission controller keeps the limit/request ratio of the pod spec. */
function withLimit(h: ContainerHistory, resource: 'cpu' | 'memory', request: number): ResourceRecommendation {
  const req = h.current.requests[resource];
  const lim = h.current.limits[resource];
  if (lim === null) return { request, limit: null };
  if (!req) return { request, limit: Math.max(lim, request) };
  const scaled = (lim / req) * request;
  return { request, limit: resource === 'cpu' ? Math.ceil(scaled * 1000) / 1000 : Math.ceil(scaled) };
}
