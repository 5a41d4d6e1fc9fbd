import type { ContainerHistory, ResourceRecommendation } from '../model.js';
import { roundCpu, roundMemory, type Strategy, sum } from './types.js';

/** Kubecost's right-sizing profiles (kubecost/docs cluster sizing): target utilisation per profile. */
export const PROFILES = { development: 0.8, production: 0.65, 'high-availability': 0.5 } as const;
export type Profile = keyof typeof PROFILES;

export interface TargetUtilizationSettings {
  targetCpuUtilization: number;
  targetMemoryUtilization: number;
  /** Undefined = Kubecost's `max` algorithm; otherwise its `quantile` algorithm with this q. */
  quantile?: number;
  pointsRequired: number;
  allowHpa: boolean;
  minCpu: number;
  minMemory: number;
}

/**
 * Kubecost's requestSizingV2 model: base = max (or quantile) of usage over the window, taken over all replicas;
 * recommendation = base ÷ target utilisation. Limits are not recommended: current limits are kept, raised to the
 * new request when they would fall below it.
 */
export function targetUtilizationStrategy(s: TargetUtilizationSettings): Strategy {
  const stat =
    s.quantile === undefined ? ({ fn: 'max' } as const) : ({ fn: 'quantile', q: s.quantile } as const);
  return {
    name: 'target-utilization',
    settings: { ...s, algorithm: s.quantile === undefined ? 'max' : 'quantile' },
    cpuStatistic: stat,
    memoryStatistic: stat,
    useOomKillData: false,
    samples: false,
    recommend(h: ContainerHistory) {
      return {
        cpu: one(h, 'cpu', s, (v) => roundCpu(v / s.targetCpuUtilization, s.minCpu)),
        memory: one(h, 'memory', s, (v) => roundMemory(v / s.targetMemoryUtilization, s.minMemory)),
      };
    },
  };
}

function one(
  h: ContainerHistory,
  resource: 'cpu' | 'memory',
  s: TargetUtilizationSettings,
  scale: (v: number) => number,
): ResourceRecommendation {
  const data = h.pods.filter((p) => p[resource] !== undefined).map((p) => p[resource]!);
  if (data.length === 0) return { request: undefined, limit: undefined, reason: 'No data' };
  const points = sum(h.pods.map((p) => (resource === 'cpu' ? p.cpuCount : p.memoryCount)));
  if (points < s.pointsRequired) return { request: undefined, limit: undefined, reason: 'Not enough data' };
  if (h.hpa[resource] && !s.allowHpa) return { request: undefined, limit: undefined, reason: 'HPA detected' };
  const request = scale(Math.max(...data));
  const current = h.current.limits[resource];
  return { request, limit: current === null ? null : Math.max(current, request) };
}
