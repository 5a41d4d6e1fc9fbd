import type { ContainerHistory, ResourceRecommendation } from '../model.js';
import { roundCpu, roundMemory, type Strategy, sum } from './types.js';

export interface SimpleSettings {
  cpuPercentile: number;
  memoryBufferPercentage: number;
  pointsRequired: number;
  allowHpa: boolean;
  useOomKillData: boolean;
  oomMemoryBufferPercentage: number;
  minCpu: number;
  minMemory: number;
}

/**
 * krr's `simple` strategy (robusta_krr/strategies/simple.py): CPU request = max over pods of each pod's
 * percentile of rate(cpu[step]) sampled every step; CPU limit unset; memory request = limit = max working set
 * × (1 + buffer), or the OOM-killed limit × (1 + OOM buffer) when larger.
 */
export function simpleStrategy(s: SimpleSettings): Strategy {
  return {
    name: 'simple',
    settings: { ...s },
    cpuStatistic: { fn: 'quantile', q: s.cpuPercentile / 100 },
    memoryStatistic: { fn: 'max' },
    useOomKillData: s.useOomKillData,
    samples: false,
    recommend(h: ContainerHistory) {
      return { cpu: cpu(h, s), memory: memory(h, s) };
    },
  };
}

function cpu(h: ContainerHistory, s: SimpleSettings): ResourceRecommendation {
  const data = h.pods.filter((p) => p.cpu !== undefined).map((p) => p.cpu!);
  if (data.length === 0) return { request: undefined, limit: undefined, reason: 'No data' };
  if (sum(h.pods.map((p) => p.cpuCount)) < s.pointsRequired) {
    return { request: undefined, limit: undefined, reason: 'Not enough data' };
  }
  if (h.hpa.cpu && !s.allowHpa) return { request: undefined, limit: undefined, reason: 'HPA detected' };
  return { request: roundCpu(Math.max(...data), s.minCpu), limit: null };
}

function memory(h: ContainerHistory, s: SimpleSettings): ResourceRecommendation {
  const data = h.pods.filter((p) => p.memory !== undefined).map((p) => p.memory!);
  const oom = s.useOomKillData ? Math.max(0, ...h.pods.map((p) => p.oomLimit ?? 0)) : 0;
  if (data.length === 0) return { request: undefined, limit: undefined, reason: 'No data' };
  if (sum(h.pods.map((p) => p.memoryCount)) < s.pointsRequired) {
    return { request: undefined, limit: undefined, reason: 'Not enough data' };
  }
  if (h.hpa.memory && !s.allowHpa) return { request: undefined, limit: undefined, reason: 'HPA detected' };
  const v = Math.max(
    Math.max(...data) * (1 + s.memoryBufferPercentage / 100),
    oom * (1 + s.oomMemoryBufferPercentage / 100),
  );
  const rounded = roundMemory(v, s.minMemory);
  return { request: rounded, limit: rounded, ...(oom > 0 ? { reason: 'OOMKill detected' } : {}) };
}
