import type { Document } from '../core/document.js';
import { isObject } from '../core/document.js';
import { UserError } from '../core/errors.js';
import type { Result, ResultStatus } from '../core/result.js';
import { type Severity, severityRank } from '../core/severity.js';
import { loadPack, type Pack } from '../packs/index.js';
import { baseRuleName } from '../policy/engine/evaluate.js';
import type { LoadedPolicy } from '../policy/model/types.js';
import { asResource, collectExceptions, namespaceLabels } from '../policy/stream.js';
import { DOCS_ANNOTATION, FIX_ANNOTATION, listPacks, scanRuleIds } from '../rules/registry.js';
import { scanTerraform } from '../terraform/scan.js';
import type { RampartConfig } from './config.js';
import { type DiscoveryNotice, discoverScanInputs } from './discover.js';
import { evaluateParallel, PARALLEL_THRESHOLD } from './parallel.js';

export { DOCS_ANNOTATION, FIX_ANNOTATION };
export const IGNORE_ANNOTATION = 'rampart.dev/ignore';
export const IGNORE_REASON_ANNOTATION = 'rampart.dev/ignore-reason';
const RULE_SEVERITY_PREFIX = 'rampart.dev/severity.';

export interface ScanOptions {
  paths: string[];
  config: RampartConfig;
  packs?: string[];
  skipPacks?: string[];
  rules?: string[];
  severity?: (s: Severity) => boolean;
  userPolicies?: LoadedPolicy[];
  /** Keep passing and not-applicable results (default: only findings, suppressions and reports). */
  includePassed?: boolean;
  /** Evaluation threads (default: one per core, up to 4, for large inputs; 1 on small ones). */
  threads?: number;
}

export interface ScanOutcome {
  results: Result[];
  notices: DiscoveryNotice[];
  errors: UserError[];
  documents: number;
  packs: string[];
  /** Counts of every result, including those left out of `results`. */
  summary: Record<ResultStatus, number>;
}

function ruleIdOf(result: Pick<Result, 'policy' | 'rule'>): string {
  return result.policy;
}

function annotations(content: unknown): Record<string, string> {
  if (!isObject(content) || !isObject(content.metadata) || !isObject(content.metadata.annotations)) return {};
  return content.metadata.annotations as Record<string, string>;
}

/** Pod-template annotations count too, so a Deployment's template can carry the suppression. */
function suppression(content: unknown): { ids: Set<string>; reason: string | undefined } | undefined {
  const sources = [annotations(content)];
  if (isObject(content) && isObject(content.spec) && isObject(content.spec.template)) {
    sources.push(annotations(content.spec.template));
  }
  for (const a of sources) {
    const list = a[IGNORE_ANNOTATION];
    if (typeof list === 'string' && list.trim()) {
      return {
        ids: new Set(
          list
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        ),
        reason: a[IGNORE_REASON_ANNOTATION],
      };
    }
  }
  return undefined;
}

function effectiveSeverity(
  result: Result,
  policy: LoadedPolicy | undefined,
  config: RampartConfig,
): Severity {
  const override = config.rules[ruleIdOf(result)]?.severity;
  if (override) return override;
  const perRule = policy?.annotations[`${RULE_SEVERITY_PREFIX}${baseRuleName(result.rule)}`];
  if (perRule && ['info', 'low', 'medium', 'high', 'critical'].includes(perRule)) return perRule as Severity;
  return result.severity;
}

function enrich(
  result: Result & { policyKey?: string },
  policy: LoadedPolicy | undefined,
  pack: string | undefined,
  config: RampartConfig,
): Result {
  const { policyKey: _key, ...out } = result;
  if (pack) out.category = pack;
  // The fix and docs link matter on findings; on passes and skips they only add bulk to reports.
  if (policy && (out.status === 'fail' || out.status === 'warn' || out.status === 'error')) {
    out.fix = policy.annotations[FIX_ANNOTATION] ?? out.fix;
    out.docs = policy.annotations[DOCS_ANNOTATION] ?? out.docs;
  }
  out.severity = effectiveSeverity(result, policy, config);
  return out;
}

/**
 * Findings are always listed, and so are results that carry properties: reports (the QoS class),
 * suppressions, exception skips and rule types the engine does not evaluate.
 */
function alwaysReported(r: Result): boolean {
  return r.status === 'fail' || r.status === 'warn' || r.status === 'error' || r.properties !== undefined;
}

export async function runScan(options: ScanOptions): Promise<ScanOutcome> {
  const { config } = options;
  const registered = listPacks();
  const available = registered.map((p) => p.name);
  const isTerraform = new Set(registered.filter((p) => p.target === 'terraform').map((p) => p.name));
  for (const p of [...(options.packs ?? []), ...(options.skipPacks ?? [])]) {
    if (!available.includes(p))
      throw new UserError(`scan: unknown pack "${p}" (available: ${available.join(', ')})`);
  }
  for (const p of Object.keys(config.packs)) {
    if (!available.includes(p)) {
      throw new UserError(
        `${config.file ?? 'rampart.yaml'}: packs.${p}: unknown pack (available: ${available.join(', ')})`,
      );
    }
  }
  const selectedAll = available.filter(
    (name) =>
      (options.packs?.length ? options.packs.includes(name) : true) &&
      !options.skipPacks?.includes(name) &&
      config.packs[name]?.enabled !== false,
  );
  const selected = selectedAll.filter((name) => !isTerraform.has(name));
  const terraformPacks = selectedAll.filter((name) => isTerraform.has(name));
  const packs: Pack[] = await Promise.all(selected.map((name) => loadPack(name)));
  const configNotices = await unknownRuleNotices(config);
  const discovered = await discoverScanInputs(options.paths);
  const documents: Document[] = discovered.documents.map(asResource);

  const packOf = new Map<LoadedPolicy, string>();
  const policies: LoadedPolicy[] = [];
  for (const pack of packs) {
    for (const p of pack.policies) {
      if (config.rules[p.name]?.enabled === false) continue;
      if (options.rules?.length && !options.rules.includes(p.name)) continue;
      packOf.set(p, pack.name);
      policies.push(p);
    }
  }
  for (const p of options.userPolicies ?? []) policies.push(p);
  const byName = new Map(policies.map((p) => [p.name, p]));

  const variables: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config.parameters)) variables[`rampart.${k}`] = v;
  const labels = namespaceLabels(documents);
  const threads = options.threads ?? (documents.length >= PARALLEL_THRESHOLD ? undefined : 1);
  // Kyverno PolicyExceptions kept in the scanned repository apply to the packs and user policies alike.
  const { exceptions, errors: exceptionErrors } = collectExceptions(documents);
  const raw: Result[] = await evaluateParallel(policies, documents, variables, labels, exceptions, threads);
  const results: Result[] = [];
  const docById = new Map<string, Document>();
  for (const d of documents) docById.set(`${d.origin.file}#${d.origin.index}#${d.origin.line}`, d);
  // Passes and not-applicable skips are only counted unless asked for: on a large repository they are
  // most of the results and most of the time spent reporting. (With rendered overlays everything is
  // kept until duplicates are removed, so the counts stay exact.)
  const dropped: Record<ResultStatus, number> = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  const keepAll = options.includePassed || discovered.rendered;
  for (const r of raw) {
    const policy = byName.get(r.policy);
    if (!keepAll && !alwaysReported(r)) {
      if (!options.severity || options.severity(effectiveSeverity(r, policy, config))) dropped[r.status]++;
      continue;
    }
    results.push(enrich(r, policy, policy ? packOf.get(policy) : undefined, config));
  }
  for (const pack of packs) {
    for (const rule of pack.rules) {
      if (config.rules[rule.meta.id]?.enabled === false) continue;
      if (options.rules?.length && !options.rules.includes(rule.meta.id)) continue;
      for (const r of rule.check(documents, { parameters: config.parameters }))
        results.push(enrich(r, undefined, pack.name, config));
    }
  }

  // Inline suppression: annotated resources turn their findings into skips with the stated reason.
  const suppressed = results.map((r) => {
    if (r.status !== 'fail' && r.status !== 'warn') return r;
    const doc = r.origin ? docById.get(`${r.origin.file}#${r.origin.index}#${r.origin.line}`) : undefined;
    const s = doc ? suppression(doc.content) : undefined;
    if (!s || !(s.ids.has(ruleIdOf(r)) || s.ids.has(baseRuleName(r.rule)) || s.ids.has('*'))) return r;
    if (!s.reason) {
      return { ...r, message: `${r.message} (suppression ignored: ${IGNORE_REASON_ANNOTATION} is required)` };
    }
    return {
      ...r,
      status: 'skip' as const,
      message: `suppressed: ${s.reason}`,
      properties: { ...r.properties, suppressed: s.reason },
    };
  });

  let terraformErrors: UserError[] = [];
  let terraformDocuments = 0;
  if (discovered.terraformFiles.length && terraformPacks.length) {
    const tf = await scanTerraform(discovered.terraformFiles, { config: config.terraform });
    for (const r of tf.results) {
      if (!terraformPacks.includes(r.category)) continue;
      if (config.rules[r.rule]?.enabled === false) continue;
      if (options.rules?.length && !options.rules.includes(r.rule) && !options.rules.includes(r.policy))
        continue;
      const severity = config.rules[r.rule]?.severity;
      suppressed.push(severity ? { ...r, severity } : r);
    }
    terraformErrors = tf.errors;
    terraformDocuments = tf.documents.length;
  }

  // A rendered overlay and its base manifest often yield the same finding at the same place: report it once.
  const seen = new Set<string>();
  const unique = !discovered.rendered
    ? suppressed
    : suppressed.filter((r) => {
        const key = `${r.policy}|${r.rule}|${r.status}|${r.origin?.file}|${r.origin?.line}|${r.resource.kind}|${r.resource.name}|${r.message}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
  const severityFiltered = unique.filter((r) => !options.severity || options.severity(r.severity));
  const summary = { ...dropped };
  for (const r of severityFiltered) summary[r.status]++;
  const filtered = options.includePassed ? severityFiltered : severityFiltered.filter(alwaysReported);
  // Plain code-unit comparison: localeCompare costs seconds on a few hundred thousand results.
  filtered.sort((a, b) => {
    const fa = a.origin?.file ?? '';
    const fb = b.origin?.file ?? '';
    if (fa !== fb) return fa < fb ? -1 : 1;
    return (
      (a.origin?.line ?? 0) - (b.origin?.line ?? 0) || severityRank(b.severity) - severityRank(a.severity)
    );
  });
  return {
    results: filtered,
    notices: [...configNotices, ...discovered.notices],
    errors: [...discovered.errors, ...exceptionErrors, ...terraformErrors],
    // Terraform resources count as documents too, so the footer does not say "Scanned 0 documents".
    documents: documents.length + terraformDocuments,
    packs: selectedAll,
    summary,
  };
}

/** Rule settings in rampart.yaml that name no rule would silently do nothing: say so. */
async function unknownRuleNotices(config: RampartConfig): Promise<DiscoveryNotice[]> {
  const ids = Object.keys(config.rules);
  if (!ids.length) return [];
  const known = await scanRuleIds();
  return ids
    .filter((id) => !known.has(id))
    .map((id) => ({
      path: config.file ?? 'rampart.yaml',
      message: `rules.${id} matches no rule (see docs/packs.md)`,
    }));
}
