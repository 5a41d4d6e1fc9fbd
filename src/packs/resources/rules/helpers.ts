import { isObject } from '../../../core/document.js';
import type { TsRule } from '../../rule.js';

/** Namespaces counted as production: named in parameters.productionNamespaces or labelled environment=production. */
export function productionNamespaces(
  documents: Parameters<TsRule['check']>[0],
  parameters: Record<string, unknown>,
): Set<string> {
  const names = new Set<string>(
    Array.isArray(parameters.productionNamespaces) ? (parameters.productionNamespaces as string[]) : [],
  );
  for (const d of documents) {
    const c = d.content;
    if (!isObject(c) || c.kind !== 'Namespace' || !isObject(c.metadata)) continue;
    const labels = isObject(c.metadata.labels) ? c.metadata.labels : {};
    const env = String(labels.environment ?? labels.env ?? '').toLowerCase();
    if (env === 'production' || env === 'prod') names.add(String(c.metadata.name));
  }
  return names;
}

/** The kinds the resources pack's TypeScript rules read. */
export const WORKLOAD_KINDS = [
  'Pod',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
];
