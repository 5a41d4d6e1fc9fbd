import { isUserError } from '../../core/errors.js';
import type { Result } from '../../core/result.js';
import {
  crossAccessScript,
  OBSERVE_SCRIPT,
  type Observation,
  parseObservation,
  visibleDevices,
} from './observe.js';
import { type NodeInfo, type PoolPlan, planValidation } from './plan.js';
import { buildPod, LABEL_RUN, type PodPlan } from './pods.js';
import { judgeAuthorized, judgeMigPair, judgeRogue, type PodOutcome } from './verdict.js';

/** What validate needs from a cluster; src/gpu/validate/kube.ts adapts the shared kube client to it. */
export interface GpuCluster {
  namespace: string;
  listNodes(labelSelector?: string): Promise<NodeInfo[]>;
  /** Creates the pod; an API or admission refusal resolves as `{ rejected }` instead of throwing. */
  createPod(pod: Record<string, unknown>): Promise<{ rejected?: string }>;
  /** Resolves when the pod runs; rejects with a readable reason when it ends, is stuck or times out. */
  waitRunning(name: string, timeoutMs: number, signal: AbortSignal): Promise<void>;
  exec(
    name: string,
    command: string[],
    timeoutMs: number,
  ): Promise<{
    stdout: string;
    stderr: string;
    exitCode: number | undefined;
    commandNotFound: boolean;
    message?: string;
  }>;
  deletePod(name: string): Promise<void>;
  /** Names of pods carrying a label selector (the sweep after a run). */
  listPodNames(labelSelector: string): Promise<string[]>;
}

export interface ValidateOptions {
  image: string;
  nodeSelector?: string;
  migProfile?: string;
  runId: string;
  /** activeDeadlineSeconds of every pod: they end themselves even if rampart dies before deleting them. */
  deadlineSeconds: number;
  startTimeoutMs: number;
  execTimeoutMs: number;
  signal: AbortSignal;
  log?: (line: string) => void;
}

export interface ValidateReport {
  runId: string;
  namespace: string;
  pools: { pool: string; node: string; notes: string[] }[];
  results: Result[];
  /** Pods that could not be deleted (named so the user can remove them). */
  leftBehind: string[];
}

async function runPod(
  cluster: GpuCluster,
  plan: PodPlan,
  pool: PoolPlan,
  options: ValidateOptions,
): Promise<PodOutcome> {
  const pod = buildPod(plan, {
    image: options.image,
    runId: options.runId,
    deadlineSeconds: options.deadlineSeconds,
    taints: pool.node.taints,
  });
  const created = await cluster.createPod(pod);
  if (created.rejected !== undefined) return { kind: 'rejected', message: created.rejected };
  try {
    await cluster.waitRunning(plan.name, options.startTimeoutMs, options.signal);
  } catch (error) {
    return { kind: 'not-running', message: (error as Error).message };
  }
  const res = await cluster
    .exec(plan.name, ['sh', '-c', OBSERVE_SCRIPT], options.execTimeoutMs)
    .catch((error: Error) => ({
      stdout: '',
      stderr: '',
      exitCode: undefined,
      commandNotFound: false,
      message: error.message,
    }));
  if (res.commandNotFound) return { kind: 'exec-failed', message: `the image ${options.image} has no sh` };
  if (res.exitCode !== 0 || !res.stdout.includes('### smi-rc'))
    return {
      kind: 'exec-failed',
      message: `probe script failed (exit ${res.exitCode ?? '?'}): ${(res.message ?? res.stderr).trim() || 'no output'}`,
    };
  return { kind: 'observed', observation: parseObservation(res.stdout) };
}

function observed(outcome: PodOutcome | undefined): Observation | null {
  return outcome?.kind === 'observed' ? outcome.observation : null;
}

async function validatePool(
  cluster: GpuCluster,
  pool: PoolPlan,
  options: ValidateOptions,
): Promise<Result[]> {
  const outcomes = new Map<string, PodOutcome>();
  // Pods of one pool run side by side: the rogue ones need no GPU, the authorized ones one each.
  // allSettled: every pod's create has returned before a fatal error (no permission) ends the run, so the
  // cleanup that follows sees them all.
  const settled = await Promise.allSettled(
    pool.pods.map(async (plan) => {
      options.log?.(`${pool.pool}: ${plan.variant} on ${plan.node} (${plan.name})`);
      try {
        outcomes.set(plan.name, await runPod(cluster, plan, pool, options));
      } catch (error) {
        if (isUserError(error)) throw error;
        outcomes.set(plan.name, { kind: 'not-running', message: (error as Error).message });
      }
    }),
  );
  const fatal = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (fatal) throw fatal.reason;
  const results: Result[] = [];
  for (const plan of pool.pods) {
    const outcome = outcomes.get(plan.name)!;
    results.push(
      plan.variant.startsWith('rogue-') ? judgeRogue(plan, outcome) : judgeAuthorized(plan, outcome),
    );
  }
  if (pool.migPair) {
    const [a, b] = pool.migPair;
    const oa = observed(outcomes.get(a.name));
    const ob = observed(outcomes.get(b.name));
    if (oa && ob) {
      const target = visibleDevices(ob).find((u) => u.startsWith('MIG-'));
      let cross = null;
      if (target) {
        const res = await cluster
          .exec(a.name, ['sh', '-c', crossAccessScript(target)], options.execTimeoutMs)
          .catch((error: Error) => ({ stdout: `### query\n${error.message}\n### rc 255` }));
        cross = { stdout: res.stdout, target };
      }
      results.push(...judgeMigPair(a, b, oa, ob, cross));
    }
  }
  return results;
}

/** Deletes every pod of this run: those we created and any the API created that we lost track of. */
async function cleanup(cluster: GpuCluster, names: string[], runId: string): Promise<string[]> {
  const swept = await cluster.listPodNames(`${LABEL_RUN}=${runId}`).catch(() => [] as string[]);
  const all = [...new Set([...names, ...swept])];
  const failed: string[] = [];
  await Promise.all(all.map((n) => cluster.deletePod(n).catch(() => void failed.push(n))));
  return failed.sort();
}

/**
 * The seed's procedure, automated: plan pods per GPU pool, run them, judge what each saw, and always
 * delete them (the caller aborts `signal` on Ctrl-C; deletion still runs).
 */
export async function validateCluster(
  cluster: GpuCluster,
  options: ValidateOptions,
): Promise<ValidateReport> {
  const nodes = await cluster.listNodes(options.nodeSelector);
  const pools = planValidation(nodes, {
    namespace: cluster.namespace,
    runId: options.runId,
    migProfile: options.migProfile,
  });
  const results: Result[] = [];
  let leftBehind: string[] = [];
  try {
    for (const pool of pools) {
      if (options.signal.aborted) break;
      results.push(...(await validatePool(cluster, pool, options)));
    }
  } finally {
    leftBehind = await cleanup(
      cluster,
      pools.flatMap((p) => p.pods.map((pod) => pod.name)),
      options.runId,
    );
  }
  return {
    runId: options.runId,
    namespace: cluster.namespace,
    pools: pools.map((p) => ({ pool: p.pool, node: p.node.name, notes: p.notes })),
    results,
    leftBehind,
  };
}
