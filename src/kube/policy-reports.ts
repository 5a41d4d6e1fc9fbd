import { isDeepStrictEqual } from 'node:util';
import { KubeApiError } from './errors.js';
import { type ApiResource, collectionPath, listAll } from './resources.js';
import type { Json, KubeRest } from './rest.js';

export const POLICY_REPORT_GROUP = 'wgpolicyk8s.io';
export const POLICY_REPORT_VERSION = 'v1alpha2';
/** The label Rampart's reports carry, so a later run finds (and empties) the ones it wrote before. */
export const MANAGED_BY = { key: 'app.kubernetes.io/managed-by', value: 'rampart' } as const;

export const POLICY_REPORTS: ApiResource = {
  group: POLICY_REPORT_GROUP,
  version: POLICY_REPORT_VERSION,
  apiVersion: `${POLICY_REPORT_GROUP}/${POLICY_REPORT_VERSION}`,
  kind: 'PolicyReport',
  plural: 'policyreports',
  namespaced: true,
  verbs: ['create', 'get', 'list', 'update'],
};
export const CLUSTER_POLICY_REPORTS: ApiResource = {
  ...POLICY_REPORTS,
  kind: 'ClusterPolicyReport',
  plural: 'clusterpolicyreports',
  namespaced: false,
};

export interface WriteOutcome {
  kind: string;
  namespace?: string;
  name: string;
  action: 'created' | 'updated' | 'unchanged';
  /** Requests that lost a race (409) before this one went through. */
  conflicts: number;
}

export interface WriteOptions {
  /** Attempts before giving up on a report that keeps conflicting (default 5). */
  maxAttempts?: number;
}

/**
 * Creates the report, or updates the one that exists: read it, carry its resourceVersion into a full
 * replace, and on 409 (someone else wrote it in between, or created it first) read again and retry, as
 * client-go's RetryOnConflict does. A report whose results did not change (timestamps aside) is left alone.
 */
export async function writePolicyReport(
  rest: KubeRest,
  report: Json,
  options: WriteOptions = {},
): Promise<WriteOutcome> {
  const meta = report.metadata as { name: string; namespace?: string };
  const type = report.kind === 'ClusterPolicyReport' ? CLUSTER_POLICY_REPORTS : POLICY_REPORTS;
  const collection = collectionPath(type, meta.namespace);
  const path = `${collection}/${encodeURIComponent(meta.name)}`;
  const label = `${type.plural}.${type.group} ${meta.namespace ? `${meta.namespace}/` : ''}${meta.name}`;
  const outcome = (action: WriteOutcome['action'], conflicts: number): WriteOutcome => ({
    kind: String(report.kind),
    ...(meta.namespace ? { namespace: meta.namespace } : {}),
    name: meta.name,
    action,
    conflicts,
  });
  const maxAttempts = options.maxAttempts ?? 5;
  let conflicts = 0;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    let existing: Json | undefined;
    try {
      existing = await rest.request({ method: 'GET', path, what: `get ${label}` });
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 404)) throw error;
    }
    try {
      if (!existing) {
        await rest.request({ method: 'POST', path: collection, body: report, what: `create ${label}` });
        return outcome('created', conflicts);
      }
      if (sameContent(existing, report)) return outcome('unchanged', conflicts);
      const current = (existing.metadata ?? {}) as Json;
      const body = {
        ...report,
        metadata: {
          ...current,
          ...(report.metadata as Json),
          labels: { ...(current.labels as Json | undefined), ...((report.metadata as Json).labels as Json) },
          resourceVersion: current.resourceVersion,
        },
      };
      await rest.request({ method: 'PUT', path, body, what: `update ${label}` });
      return outcome('updated', conflicts);
    } catch (error) {
      // 409 is both "AlreadyExists" (a create lost the race) and "Conflict" (a stale resourceVersion).
      if (error instanceof KubeApiError && error.status === 409) {
        conflicts++;
        continue;
      }
      throw error;
    }
  }
  throw new KubeApiError(409, `write ${label}: still conflicting after ${maxAttempts} attempts`, {
    reason: 'Conflict',
  });
}

/** Results and summary equal, ignoring each result's timestamp (a rescan with no change writes nothing). */
function sameContent(existing: Json, report: Json): boolean {
  const strip = (r: Json) => ({
    summary: r.summary,
    results: ((r.results as Json[] | undefined) ?? []).map(({ timestamp: _t, ...rest }) => rest),
  });
  return isDeepStrictEqual(strip(existing), strip(report));
}

/** The reports an earlier run wrote (found by label), so that namespaces now clean get emptied. */
export async function listRampartReports(rest: KubeRest, pageSize?: number): Promise<Json[]> {
  const labelSelector = `${MANAGED_BY.key}=${MANAGED_BY.value}`;
  const namespaced = await listAll(rest, POLICY_REPORTS, { labelSelector, pageSize });
  const cluster = await listAll(rest, CLUSTER_POLICY_REPORTS, { labelSelector, pageSize });
  return [...namespaced.items, ...cluster.items];
}
