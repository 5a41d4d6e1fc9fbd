import {
  ApiException,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node';
import { type KubeConfigOptions, loadKubeConfig, type ResolvedKubeConfig } from './config.js';
import { KubeApiError, KubeConnectionError, statusMessage } from './errors.js';
import {
  type ExecOptions,
  type ExecRequest,
  type ExecResult,
  type ExecSession,
  exec,
  execBytes,
  openExec,
} from './exec.js';

export interface WaitOptions {
  /** Give up after this long (default 120 s). */
  timeoutMs?: number;
  /** Poll interval (default 500 ms). */
  intervalMs?: number;
  signal?: AbortSignal;
}

/**
 * The one cluster client the cluster-side commands share: REST calls through `@kubernetes/client-node`
 * (every kubeconfig auth method), exec through our own WebSocket stream layer. Errors from the server
 * become KubeApiError with the HTTP status, so callers can tell not-found from forbidden.
 */
export class KubeClient {
  readonly config: ResolvedKubeConfig;
  readonly core: CoreV1Api;

  constructor(config: ResolvedKubeConfig) {
    this.config = config;
    this.core = config.kc.makeApiClient(CoreV1Api);
  }

  static fromOptions(options: KubeConfigOptions = {}): KubeClient {
    return new KubeClient(loadKubeConfig(options));
  }

  get namespace(): string {
    return this.config.namespace;
  }

  get server(): string {
    return this.config.server;
  }

  /** What exec needs; also lets a caller pass this client where a KubeTarget is expected. */
  get kc() {
    return this.config.kc;
  }

  async createPod(pod: V1Pod, namespace = pod.metadata?.namespace ?? this.namespace): Promise<V1Pod> {
    return this.call(`create pod ${pod.metadata?.name ?? ''}`, () =>
      this.core.createNamespacedPod({ namespace, body: pod }),
    );
  }

  async getPod(name: string, namespace = this.namespace): Promise<V1Pod> {
    return this.call(`pod ${namespace}/${name}`, () => this.core.readNamespacedPod({ name, namespace }));
  }

  /** Deletes a pod; a pod that is already gone is not an error. */
  async deletePod(
    name: string,
    options: { namespace?: string; gracePeriodSeconds?: number } = {},
  ): Promise<void> {
    const namespace = options.namespace ?? this.namespace;
    try {
      await this.call(`delete pod ${namespace}/${name}`, () =>
        this.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: options.gracePeriodSeconds }),
      );
    } catch (error) {
      if (error instanceof KubeApiError && error.notFound) return;
      throw error;
    }
  }

  async listPods(
    options: { namespace?: string; labelSelector?: string; fieldSelector?: string } = {},
  ): Promise<V1Pod[]> {
    const namespace = options.namespace ?? this.namespace;
    const list = await this.call(`pods in ${namespace}`, () =>
      this.core.listNamespacedPod({
        namespace,
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
      }),
    );
    return list.items;
  }

  async listNodes(options: { labelSelector?: string; fieldSelector?: string } = {}): Promise<V1Node[]> {
    const list = await this.call('nodes', () =>
      this.core.listNode({ labelSelector: options.labelSelector, fieldSelector: options.fieldSelector }),
    );
    return list.items;
  }

  /**
   * Polls until the pod is Running (all containers started) and returns it. A pod that ends (Succeeded or
   * Failed) or a container stuck in a waiting state such as ErrImagePull rejects with the reason.
   */
  async waitForPodRunning(
    name: string,
    namespace = this.namespace,
    options: WaitOptions = {},
  ): Promise<V1Pod> {
    const timeoutMs = options.timeoutMs ?? 120_000;
    const intervalMs = options.intervalMs ?? 500;
    const deadline = Date.now() + timeoutMs;
    let last: V1Pod | undefined;
    for (;;) {
      if (options.signal?.aborted)
        throw new KubeApiError(0, `waiting for pod ${namespace}/${name} was cancelled`);
      last = await this.getPod(name, namespace);
      const phase = last.status?.phase;
      if (phase === 'Running') return last;
      if (phase === 'Succeeded' || phase === 'Failed') {
        throw new KubeApiError(0, `pod ${namespace}/${name} ended (${phase}) before it was running`, {
          reason: phase,
        });
      }
      const stuck = (last.status?.containerStatuses ?? []).find((c) =>
        /ErrImagePull|ImagePullBackOff|InvalidImageName|CreateContainerConfigError|CreateContainerError/.test(
          c.state?.waiting?.reason ?? '',
        ),
      );
      if (stuck) {
        const waiting = stuck.state?.waiting;
        throw new KubeApiError(
          0,
          `pod ${namespace}/${name}: container ${stuck.name} ${waiting?.reason}: ${waiting?.message ?? ''}`.trim(),
          {
            reason: waiting?.reason,
          },
        );
      }
      if (Date.now() >= deadline) {
        throw new KubeApiError(
          0,
          `pod ${namespace}/${name} not running after ${timeoutMs} ms (phase ${phase ?? 'unknown'})`,
          {
            reason: 'Timeout',
          },
        );
      }
      await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())), options.signal);
    }
  }

  /** Adds an ephemeral debug container to a running pod (what `kubectl debug` does) and returns the pod. */
  async addEphemeralContainer(
    pod: string,
    container: { name: string; image: string; command?: string[]; targetContainerName?: string },
    namespace = this.namespace,
  ): Promise<V1Pod> {
    const current = await this.getPod(pod, namespace);
    const existing = current.spec?.ephemeralContainers ?? [];
    const body = {
      spec: {
        ephemeralContainers: [
          ...existing,
          { ...container, stdin: false, tty: false, terminationMessagePolicy: 'File' },
        ],
      },
    };
    return this.call(`add debug container to ${namespace}/${pod}`, () =>
      this.core.patchNamespacedPodEphemeralcontainers(
        { name: pod, namespace, body },
        // A strategic merge patch, like kubectl debug sends.
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      ),
    );
  }

  openExec(request: Omit<ExecRequest, 'namespace'> & { namespace?: string }): Promise<ExecSession> {
    return openExec(this.config, { ...request, namespace: request.namespace ?? this.namespace });
  }

  exec(pod: string, command: string[], options: Partial<ExecOptions> = {}): Promise<ExecResult> {
    return exec(this.config, command, { ...options, pod, namespace: options.namespace ?? this.namespace });
  }

  execBytes(pod: string, command: string[], options: Partial<ExecOptions> = {}) {
    return execBytes(this.config, command, {
      ...options,
      pod,
      namespace: options.namespace ?? this.namespace,
    });
  }

  /** Runs one API call and turns the library's errors into KubeApiError / KubeConnectionError. */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toKubeError(what, error, this.server);
    }
  }
}

export function toKubeError(what: string, error: unknown, server: string): Error {
  if (error instanceof ApiException) {
    const body = typeof error.body === 'string' ? error.body : JSON.stringify(error.body ?? '');
    const { message, reason } = statusMessage(error.code, body);
    return new KubeApiError(error.code, `${what}: ${message}`, { reason, cause: error });
  }
  const code = (error as { code?: string })?.code;
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'ECONNRESET' ||
    (error as Error)?.name === 'FetchError'
  ) {
    return new KubeConnectionError(server, error);
  }
  return error as Error;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
