/**
 * Kyverno `CleanupPolicy` / `ClusterCleanupPolicy` (kyverno.io/v2, v2beta1): parsed and validated
 * (the cron `schedule` included), then evaluated over given resources as the cleanup controller does
 * (pkg/controllers/cleanup): a resource is deleted when `match` selects it, `exclude` does not, and
 * `conditions` hold with the resource as `target` in the context. A namespaced CleanupPolicy only
 * sees resources in its own namespace.
 */
import type { Document, SourcePosition } from '../../core/document.js';
import { isObject } from '../../core/document.js';
import { UserError } from '../../core/errors.js';
import { evaluateConditions } from '../conditions/index.js';
import { matchesRule } from '../match/index.js';
import { EvalContext, substituteVariables } from '../vars/index.js';
import { cronProblem } from './cron.js';

export { cronProblem } from './cron.js';

const KINDS = new Set(['CleanupPolicy', 'ClusterCleanupPolicy']);
const VERSIONS = new Set(['kyverno.io/v2', 'kyverno.io/v2beta1', 'kyverno.io/v2alpha1']);
const SPEC_FIELDS = new Set([
  'match',
  'exclude',
  'conditions',
  'context',
  'schedule',
  'deletionPropagationPolicy',
]);

export interface CleanupPolicy {
  kind: 'CleanupPolicy' | 'ClusterCleanupPolicy';
  name: string;
  namespace?: string;
  schedule: string;
  match: Record<string, unknown>;
  exclude?: Record<string, unknown>;
  conditions?: unknown;
  origin: SourcePosition | null;
}

export interface CleanupCandidate {
  policy: string;
  resource: Record<string, unknown>;
  origin: SourcePosition | null;
}

export function isCleanupPolicyDocument(content: unknown): boolean {
  return (
    isObject(content) &&
    typeof content.kind === 'string' &&
    KINDS.has(content.kind) &&
    typeof content.apiVersion === 'string' &&
    content.apiVersion.startsWith('kyverno.io/')
  );
}

/** Parses a cleanup policy, or throws a UserError naming every bad field (`spec.schedule`). */
export function parseCleanupPolicy(doc: Pick<Document, 'content' | 'origin'>): CleanupPolicy {
  const raw = doc.content;
  const position = doc.origin ?? undefined;
  if (!isObject(raw)) throw new UserError('a cleanup policy must be an object', { position });
  const metadata = isObject(raw.metadata) ? raw.metadata : {};
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  const problems: string[] = [];
  if (!name) problems.push('metadata.name: required');
  if (!VERSIONS.has(String(raw.apiVersion)))
    problems.push(`apiVersion: unsupported "${String(raw.apiVersion)}"`);
  const spec = isObject(raw.spec) ? raw.spec : undefined;
  if (!spec) problems.push('spec: required');
  else {
    for (const key of Object.keys(spec))
      if (!SPEC_FIELDS.has(key)) problems.push(`spec.${key}: unknown field`);
    const cron = cronProblem(spec.schedule);
    if (cron)
      problems.push(`spec.schedule: invalid cron schedule ${JSON.stringify(spec.schedule ?? '')}: ${cron}`);
    if (!isObject(spec.match)) problems.push('spec.match: required');
    if (spec.exclude !== undefined && !isObject(spec.exclude))
      problems.push('spec.exclude: must be an object');
    if (spec.context !== undefined)
      problems.push('spec.context: context entries need a cluster and are not supported offline');
  }
  if (problems.length) {
    throw new UserError(`invalid cleanup policy "${name || '(unnamed)'}": ${problems.join('; ')}`, {
      position,
    });
  }
  const kind = raw.kind as CleanupPolicy['kind'];
  return {
    kind,
    name,
    namespace:
      kind === 'CleanupPolicy'
        ? typeof metadata.namespace === 'string'
          ? metadata.namespace
          : 'default'
        : undefined,
    schedule: String(spec!.schedule),
    match: spec!.match as Record<string, unknown>,
    exclude: spec!.exclude as Record<string, unknown> | undefined,
    conditions: spec!.conditions,
    origin: doc.origin ?? null,
  };
}

/** What the policies would delete among the documents, in policy then document order. */
export function cleanupCandidates(
  policies: readonly CleanupPolicy[],
  documents: readonly Document[],
): CleanupCandidate[] {
  const out: CleanupCandidate[] = [];
  for (const policy of policies) {
    for (const doc of documents) {
      const resource = doc.content;
      if (!isObject(resource)) continue;
      const meta = isObject(resource.metadata) ? resource.metadata : {};
      if (policy.namespace !== undefined && meta.namespace !== policy.namespace) continue;
      const matched = matchesRule(
        { match: policy.match, exclude: policy.exclude, name: policy.name },
        { resource, operation: 'DELETE', policyNamespace: policy.namespace },
      ).matched;
      if (!matched) continue;
      if (policy.conditions !== undefined && policy.conditions !== null) {
        const ctx = new EvalContext({ target: resource, request: { operation: 'DELETE', object: resource } });
        let passed: boolean;
        try {
          passed = evaluateConditions(policy.conditions, (v) => substituteVariables(v, ctx)).passed;
        } catch (error) {
          throw new UserError(
            `cleanup policy "${policy.name}": conditions failed: ${(error as Error).message}`,
            {
              position: policy.origin ?? undefined,
            },
          );
        }
        if (!passed) continue;
      }
      out.push({
        policy: policy.namespace ? `${policy.namespace}/${policy.name}` : policy.name,
        resource,
        origin: doc.origin,
      });
    }
  }
  return out;
}
