import { UserError } from '../core/errors.js';
import { loadPolicySources } from '../packs/policy-sources.js';
import { backgroundTargets, buildBackgroundReports, isBackgroundPolicy } from '../policy/background.js';
import type { RuleResponse } from '../policy/engine/evaluate.js';
import type { PolicyException } from '../policy/exceptions/index.js';
import type { LoadedPolicy } from '../policy/model/types.js';
import { KubeApiError } from './errors.js';
import {
  CLUSTER_POLICY_REPORTS,
  listRampartReports,
  MANAGED_BY,
  POLICY_REPORTS,
  type WriteOutcome,
  writePolicyReport,
} from './policy-reports.js';
import { type ApiResource, discoverResources, listAll, resourceName } from './resources.js';
import type { Json, KubeRest } from './rest.js';

export interface ReportPolicies {
  policies: LoadedPolicy[];
  exceptions: PolicyException[];
}

/** Policy files (PolicyExceptions among them are used) and built-in packs; an invalid policy is an input error. */
export async function loadReportPolicies(
  paths: readonly string[],
  packs: readonly string[],
): Promise<ReportPolicies> {
  return loadPolicySources({ paths, packs });
}

export interface ReportRunOptions extends ReportPolicies {
  /** Build the reports but write nothing (reads only). */
  dryRun?: boolean;
  /** List page size (default 500). */
  pageSize?: number;
  timestampSeconds?: number;
  /** Non-fatal problems: an API group whose discovery failed, a resource type the account may not list. */
  onWarning?: (message: string) => void;
}

export interface ReportRun {
  reports: Json[];
  results: RuleResponse[];
  /** How many objects were read from the cluster. */
  scanned: number;
  /** What happened to each report (empty for a dry run). */
  outcomes: WriteOutcome[];
}

/**
 * One background scan of a cluster: discover the resource types the background policies can select,
 * list them (paged), evaluate, and write one PolicyReport per namespace and one ClusterPolicyReport.
 * Reports Rampart wrote earlier for namespaces that are now clean are emptied, so nothing stale stays.
 */
export async function runBackgroundReport(rest: KubeRest, options: ReportRunOptions): Promise<ReportRun> {
  const warn = options.onWarning ?? (() => undefined);
  const background = options.policies.filter(isBackgroundPolicy);
  if (background.length === 0)
    throw new UserError(
      'report: none of the policies runs in the background (spec.background: false, or only mutate/generate rules)',
    );
  const discovered = await discoverResources(rest);
  for (const gv of discovered.unavailable)
    warn(`API group ${gv} is unavailable; its resources are not scanned`);
  const targets = backgroundTargets(background);
  const wanted = discovered.resources.filter(
    (r) =>
      r.kind === 'Namespace' || targets.all || targets.kinds.has(r.kind) || targets.resources.has(r.plural),
  );
  const objects: Json[] = [];
  for (const resource of dedupe(wanted)) {
    try {
      objects.push(...(await listAll(rest, resource, { pageSize: options.pageSize })).items);
    } catch (error) {
      // A wildcard policy asks for every type; an account allowed to list most of them still reports.
      const named = targets.kinds.has(resource.kind) || targets.resources.has(resource.plural);
      if (error instanceof KubeApiError && error.status === 403 && !named && resource.kind !== 'Namespace') {
        warn(`${error.message}; ${resourceName(resource)} not scanned`);
        continue;
      }
      throw error;
    }
  }
  const { results, reports } = buildBackgroundReports(background, objects, {
    exceptions: options.exceptions,
    source: rest.server,
    timestampSeconds: options.timestampSeconds,
  });
  for (const report of reports) {
    const meta = report.metadata as Json;
    meta.labels = { [MANAGED_BY.key]: MANAGED_BY.value };
  }
  if (options.dryRun) return { reports, results, scanned: objects.length, outcomes: [] };

  const served = new Set(discovered.resources.map((r) => `${r.apiVersion}/${r.kind}`));
  for (const type of [POLICY_REPORTS, CLUSTER_POLICY_REPORTS])
    if (!served.has(`${type.apiVersion}/${type.kind}`))
      throw new UserError(
        `report: the cluster does not serve ${type.kind} (${type.apiVersion}); install the wg-policy CRDs (Kyverno ships them) or use --dry-run`,
        { exitCode: 1 },
      );
  const toWrite = [...reports];
  const fresh = new Set(reports.map(reportKey));
  for (const old of await listRampartReports(rest, options.pageSize)) {
    if (fresh.has(reportKey(old))) continue;
    const meta = old.metadata as Json;
    toWrite.push({
      apiVersion: old.apiVersion,
      kind: old.kind,
      metadata: {
        name: meta.name,
        ...(meta.namespace ? { namespace: meta.namespace } : {}),
        labels: meta.labels,
      },
      results: [],
      summary: { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 },
    });
  }
  const outcomes: WriteOutcome[] = [];
  for (const report of toWrite) outcomes.push(await writePolicyReport(rest, report));
  return { reports: toWrite, results, scanned: objects.length, outcomes };
}

function reportKey(report: Json): string {
  const meta = (report.metadata ?? {}) as Json;
  return `${String(report.kind)}/${String(meta.namespace ?? '')}/${String(meta.name)}`;
}

/** A kind served by two groups (events in core and events.k8s.io) is listed once, from the first. */
function dedupe(resources: readonly ApiResource[]): ApiResource[] {
  const seen = new Set<string>();
  return resources.filter((r) => {
    if (seen.has(r.kind)) return false;
    seen.add(r.kind);
    return true;
  });
}
