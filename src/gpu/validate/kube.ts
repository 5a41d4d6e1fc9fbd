import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { UserError } from '../../core/errors.js';
import { KubeApiError, type KubeClient } from '../../kube/index.js';
import type { NodeInfo } from './plan.js';
import type { GpuCluster } from './run.js';

export function toNodeInfo(node: V1Node): NodeInfo {
  return {
    name: node.metadata?.name ?? '',
    labels: node.metadata?.labels ?? {},
    allocatable: node.status?.allocatable ?? {},
    taints: (node.spec?.taints ?? []).map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
    unschedulable: node.spec?.unschedulable === true,
  };
}

/** RBAC refusing us pod creation at all is not admission blocking a rogue pod: that must stop the run. */
function isRbacDenial(error: KubeApiError): boolean {
  return error.forbidden && /cannot create resource "pods"/.test(error.message);
}

/** The shared kube client seen as the small cluster interface validate needs. */
export function kubeCluster(client: KubeClient, namespace = client.namespace): GpuCluster {
  return {
    namespace,
    async listNodes(labelSelector) {
      return (await client.listNodes({ labelSelector })).map(toNodeInfo);
    },
    async createPod(pod) {
      try {
        await client.createPod(pod as V1Pod, namespace);
        return {};
      } catch (error) {
        if (error instanceof KubeApiError && isRbacDenial(error))
          throw new UserError(
            `gpu validate: not allowed to create pods in namespace ${namespace}: ${error.message}`,
            { exitCode: 1 },
          );
        // 403 from Pod Security or a policy webhook, 422/400 from validation: the API refused this pod.
        if (error instanceof KubeApiError && [400, 403, 422].includes(error.status))
          return { rejected: error.message };
        throw error;
      }
    },
    async waitRunning(name, timeoutMs, signal) {
      await client.waitForPodRunning(name, namespace, { timeoutMs, signal });
    },
    async exec(name, command, timeoutMs) {
      const r = await client.exec(name, command, { namespace, container: 'probe', timeoutMs });
      return {
        stdout: r.stdout,
        stderr: r.stderr,
        exitCode: r.exitCode,
        commandNotFound: r.commandNotFound,
        message: r.message,
      };
    },
    async deletePod(name) {
      await client.deletePod(name, { namespace, gracePeriodSeconds: 0 });
    },
    async listPodNames(labelSelector) {
      return (await client.listPods({ namespace, labelSelector }))
        .map((p) => p.metadata?.name ?? '')
        .filter(Boolean);
    },
  };
}
