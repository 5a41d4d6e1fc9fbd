import type { QosClass } from '../core/k8s/qos.js';

export type { QosClass };
/** Shared data shapes of the right-sizing pipeline: collected history in, recommendations out. */

export interface Resources {
  /** Cores; null = unset. */
  cpu: number | null;
  /** Bytes; null = unset. */
  memory: number | null;
}

export interface ContainerResources {
  requests: Resources;
  limits: Resources;
}

export interface WorkloadRef {
  namespace: string;
  kind: string;
  name: string;
}

export type ContainerRole = 'app' | 'init' | 'sidecar';

/** Per-pod statistics of one container, as Prometheus computed them. */
export interface PodStats {
  pod: string;
  /** The strategy's CPU statistic (e.g. p95 of rate), in cores. */
  cpu?: number;
  cpuCount: number;
  /** The strategy's memory statistic (e.g. max working set), in bytes. */
  memory?: number;
  memoryCount: number;
  /** Memory limit in force at an OOM kill, when --use-oomkill-data. */
  oomLimit?: number;
  cpuAvg?: number;
  memoryAvg?: number;
  /** Highest CPU rate seen within the startup period of a container. */
  cpuStartupPeak?: number;
  /** Raw samples for strategies that build their own histograms: [unix seconds, value]. */
  cpuSamples?: Array<[number, number]>;
  memorySamples?: Array<[number, number]>;
  running: boolean;
  /** Non-finite values Prometheus returned for this pod (dropped). */
  invalid?: string[];
}

export interface ContainerHistory {
  workload: WorkloadRef;
  container: string;
  role: ContainerRole;
  current: ContainerResources;
  pods: PodStats[];
  /** HPA on this workload targets these resources' utilisation. */
  hpa: { cpu: boolean; memory: boolean };
  oomKilled: boolean;
}

export interface ResourceRecommendation {
  /** Cores or bytes; null = leave unset; undefined = no recommendation (see reason). */
  request: number | null | undefined;
  limit: number | null | undefined;
  reason?: string;
}

export interface StrategyResult {
  cpu: ResourceRecommendation;
  memory: ResourceRecommendation;
  /** Extra strategy output (e.g. VPA bounds), carried into json and VPA objects. */
  bounds?: { lower: Resources; upper: Resources };
}

export type KrrSeverity = 'UNKNOWN' | 'GOOD' | 'OK' | 'WARNING' | 'CRITICAL';

export interface Recommendation {
  namespace: string;
  workload: { kind: string; name: string };
  container: string;
  role: ContainerRole;
  pods: number;
  replicas: number;
  current: ContainerResources;
  recommended: ContainerResources;
  bounds?: { lower: Resources; upper: Resources };
  usage: {
    cpu: { statistic: number | null; average: number | null; points: number };
    memory: { statistic: number | null; average: number | null; points: number };
  };
  qos: { current: QosClass; recommended: QosClass };
  efficiency: { current: Efficiency; recommended: Efficiency };
  savings: { cpu: number; memory: number; total: number };
  severity: { cpu: KrrSeverity; memory: KrrSeverity; overall: KrrSeverity };
  reason: { cpu?: string; memory?: string };
  warnings: string[];
}

export interface Efficiency {
  cpu: number | null;
  memory: number | null;
  total: number | null;
}

export interface Report {
  generatedAt: string;
  at: number;
  strategy: { name: string; settings: Record<string, unknown> };
  prometheus: string;
  score: { value: number; letter: string };
  totals: { monthlySavings: number; cpuCoresDelta: number; memoryBytesDelta: number };
  recommendations: Recommendation[];
  workloads: WorkloadSummary[];
  warnings: string[];
  /** Set when nothing could be recommended because these queries returned no series. */
  noData?: string[];
  timing: { totalMs: number; prometheusMs: number; queries: number };
}

export interface WorkloadSummary {
  namespace: string;
  kind: string;
  name: string;
  /** Pod-level effective requests: max(largest init container, sum of app containers and sidecars). */
  effectiveRequests: { current: Resources; recommended: Resources };
  hpa: { cpu: boolean; memory: boolean };
}
