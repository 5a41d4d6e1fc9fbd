import type { Document } from '../core/document.js';
import { isObject } from '../core/document.js';
import type { Result } from '../core/result.js';
import { compareQuantities, parseQuantity } from '../core/units/quantity.js';
import { resourceRef } from '../policy/engine/resource.js';
import type { TsRuleMeta } from './index.js';

/** Where each workload kind keeps its pod template, as Kyverno's autogen sees them. */
const TEMPLATE_PATHS: Record<string, string[]> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

export interface Workload {
  doc: Document;
  kind: string;
  namespace: string;
  name: string;
  /** Labels of the workload merged with its pod template's. */
  labels: Record<string, string>;
  podSpec: Record<string, any>;
}

export function asWorkload(doc: Document): Workload | undefined {
  const c = doc.content;
  if (!isObject(c) || typeof c.kind !== 'string') return undefined;
  const path = TEMPLATE_PATHS[c.kind];
  if (!path) return undefined;
  let node: unknown = c;
  for (const key of path) node = isObject(node) ? node[key] : undefined;
  if (!isObject(node) || !isObject(node.spec)) return undefined;
  const ref = resourceRef(c);
  const labelsOf = (o: unknown) =>
    isObject(o) && isObject(o.metadata) && isObject(o.metadata.labels)
      ? (o.metadata.labels as Record<string, string>)
      : {};
  return {
    doc,
    kind: c.kind,
    namespace: ref.namespace,
    name: ref.name,
    labels: { ...labelsOf(c), ...labelsOf(node) },
    podSpec: node.spec as Record<string, any>,
  };
}

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

/** Quantity.Cmp equality; two values Kubernetes cannot parse count as equal, as before. */
function sameQuantity(a: unknown, b: unknown): boolean {
  const x = parseQuantity(String(a));
  const y = parseQuantity(String(b));
  if (x === undefined || y === undefined) return x === y;
  return compareQuantities(x, y) === 0;
}

/** Kubernetes' QoS rules (pkg/apis/core/v1/helper/qos), over app and init containers. */
export function qosClass(podSpec: Record<string, any>): QosClass {
  const containers: any[] = [...(podSpec.containers ?? []), ...(podSpec.initContainers ?? [])];
  let anySet = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const requests = isObject(c?.resources?.requests) ? c.resources.requests : {};
    const limits = isObject(c?.resources?.limits) ? c.resources.limits : {};
    for (const r of ['cpu', 'memory']) {
      if (requests[r] !== undefined || limits[r] !== undefined) anySet = true;
      if (limits[r] === undefined) {
        guaranteed = false;
        continue;
      }
      // An unset request defaults to the limit.
      if (requests[r] !== undefined && !sameQuantity(requests[r], limits[r])) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export function tsResult(
  meta: TsRuleMeta,
  doc: Document,
  status: Result['status'],
  message: string,
  properties?: Record<string, unknown>,
): Result {
  return {
    policy: meta.id,
    rule: meta.id,
    resource: resourceRef(doc.content),
    status,
    message,
    severity: meta.severity,
    category: meta.category,
    origin: doc.origin,
    title: meta.title,
    fix: meta.fix,
    docs: meta.docs ?? `docs/packs.md#${meta.id}`,
    ...(properties ? { properties } : {}),
  };
}
