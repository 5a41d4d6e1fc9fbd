import type { Document } from '../core/document.js';
import { isObject } from '../core/document.js';
import { POD_TEMPLATE_PATH } from '../core/k8s/pod-controllers.js';
import type { Result } from '../core/result.js';
import { ruleResult } from '../core/rule.js';
import { resourceRef } from '../policy/engine/resource.js';
import { packRuleMeta, type TsRuleMeta } from './rule.js';

export interface Workload {
  doc: Document;
  kind: string;
  namespace: string;
  name: string;
  /** Labels of the workload merged with its pod template's. */
  labels: Record<string, string>;
  podSpec: Record<string, any>;
}

/** Each of the pack's TypeScript rules reads the same documents: the view is made once per document. */
const workloads = new WeakMap<Document, Workload | null>();

export function asWorkload(doc: Document): Workload | undefined {
  let workload = workloads.get(doc);
  if (workload === undefined) {
    workload = workloadOf(doc) ?? null;
    workloads.set(doc, workload);
  }
  return workload ?? undefined;
}

function workloadOf(doc: Document): Workload | undefined {
  const c = doc.content;
  if (!isObject(c) || typeof c.kind !== 'string') return undefined;
  const path = POD_TEMPLATE_PATH[c.kind];
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

export function tsResult(
  meta: TsRuleMeta,
  doc: Document,
  status: Result['status'],
  message: string,
  properties?: Record<string, unknown>,
): Result {
  return ruleResult(packRuleMeta(meta), {
    resource: resourceRef(doc.content),
    origin: doc.origin,
    status,
    message,
    properties,
  });
}
