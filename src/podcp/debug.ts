import { randomBytes } from 'node:crypto';
import type { V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from '../kube/client.js';
import { CopyError, EXIT_TOOLS } from './errors.js';
import { shQuote } from './spec.js';

/** How a copy reaches a container that has no shell or no tar: through an ephemeral debug container. */
export interface DebugOptions {
  /** Image of the ephemeral container; it needs sh, tar, find, stat, head (busybox has them). */
  image: string;
  /**
   * The process whose filesystem is the target container's, as /proc/PID/root sees it. With
   * targetContainerName the debug container shares the target's PID namespace, where the target's
   * entrypoint is PID 1 (default "1"). Pods with shareProcessNamespace need the entrypoint's PID instead.
   */
  targetPid?: string;
  /** Add CAP_SYS_PTRACE: reading /proc/PID/root of a process under another UID needs it. */
  ptrace?: boolean;
  /** The debug container exits by itself after this many seconds even if never told to (default 3600). */
  lifetimeSeconds?: number;
  /** How long to wait for the debug container to start (default 120 s). */
  startTimeoutMs?: number;
}

/** An attached debug container: paths in the target container map to paths the debug container can open. */
export interface DebugAttachment {
  container: string;
  /** `/etc/x` → `/proc/1/root/etc/x`; `x` (relative to the target's working directory) → `/proc/1/cwd/x`. */
  mapPath(path: string): string;
  /** Tells the debug container to exit (ephemeral containers cannot be removed, only ended). */
  release(): Promise<void>;
}

const DONE_DIR = '/tmp';

/**
 * Adds an ephemeral container to the pod, as `kubectl debug --target` does, and waits until it runs.
 * Its command idles until a marker file appears (or the lifetime ends), so release() can end it.
 */
export async function attachDebugContainer(
  client: KubeClient,
  podName: string,
  namespace: string,
  requestedContainer: string | undefined,
  options: DebugOptions,
): Promise<DebugAttachment> {
  const pod = await client.getPod(podName, namespace);
  const target = requestedContainer ?? defaultContainer(pod);
  if (!target) throw new CopyError(`${namespace}/${podName}: the pod has no containers`, EXIT_TOOLS);
  const name = `rampart-cp-${randomBytes(3).toString('hex')}`;
  const marker = `${DONE_DIR}/${name}.done`;
  const lifetime = options.lifetimeSeconds ?? 3600;
  await client.addEphemeralContainer(
    podName,
    {
      name,
      image: options.image,
      command: [
        'sh',
        '-c',
        'i=0; while [ ! -e "$1" ] && [ "$i" -lt "$2" ]; do sleep 1; i=$((i+1)); done',
        'sh',
        marker,
        String(lifetime),
      ],
      targetContainerName: target,
      ...(options.ptrace ? { securityContext: { capabilities: { add: ['SYS_PTRACE'] } } } : {}),
    },
    namespace,
  );
  await waitForEphemeralContainer(client, podName, namespace, name, options.startTimeoutMs ?? 120_000);
  const pid = options.targetPid ?? '1';
  return {
    container: name,
    mapPath: (path) =>
      path.startsWith('/') ? `/proc/${pid}/root${path}` : `/proc/${pid}/cwd/${path || '.'}`,
    release: async () => {
      await client.exec(podName, ['sh', '-c', `touch ${shQuote(marker)}`], {
        namespace,
        container: name,
      });
    },
  };
}

/** The container kubectl picks when none is named: the default-container annotation, else the first. */
export function defaultContainer(pod: V1Pod): string | undefined {
  return (
    pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'] ?? pod.spec?.containers?.[0]?.name
  );
}

async function waitForEphemeralContainer(
  client: KubeClient,
  podName: string,
  namespace: string,
  name: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pod = await client.getPod(podName, namespace);
    const status = pod.status?.ephemeralContainerStatuses?.find((s) => s.name === name);
    if (status?.state?.running) return;
    const waiting = status?.state?.waiting?.reason ?? '';
    if (status?.state?.terminated || /ErrImagePull|ImagePullBackOff|InvalidImageName/.test(waiting)) {
      const why = status?.state?.terminated?.reason ?? waiting;
      throw new CopyError(
        `${namespace}/${podName}: debug container ${name} did not start (${why})`,
        EXIT_TOOLS,
      );
    }
    if (Date.now() >= deadline) {
      throw new CopyError(
        `${namespace}/${podName}: debug container ${name} not running after ${timeoutMs} ms`,
        EXIT_TOOLS,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}
