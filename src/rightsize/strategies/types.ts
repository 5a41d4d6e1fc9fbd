import type { Statistic } from '../collect.js';
import type { ContainerHistory, StrategyResult } from '../model.js';

export interface StrategyContext {
  /** Non-init containers in the workload's pod (the VPA splits its per-pod minimums over them). */
  containersPerPod: number;
  at: number;
}

export interface Strategy {
  name: string;
  settings: Record<string, unknown>;
  cpuStatistic: Statistic;
  memoryStatistic: Statistic;
  useOomKillData: boolean;
  /** Needs per-step samples (range queries) rather than only per-pod statistics. */
  samples: boolean;
  recommend(h: ContainerHistory, ctx: StrategyContext): StrategyResult;
}

export const MIB = 2 ** 20;

/** krr's rounding: CPU up to the millicore, memory up to the MiB, each raised to its minimum. */
export function roundCpu(v: number, min: number): number {
  return Math.max(Math.ceil(v * 1000) / 1000, min);
}

export function roundMemory(v: number, min: number): number {
  return Math.max(Math.ceil(v / MIB) * MIB, min);
}

export function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
