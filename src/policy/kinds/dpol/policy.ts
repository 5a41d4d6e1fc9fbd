/**
 * policies.kyverno.io DeletingPolicy and NamespacedDeletingPolicy: which objects the cleanup controller would
 * delete — matchConstraints selects them, every `conditions` expression holds (with `variables`), and a
 * NamespacedDeletingPolicy only sees its own namespace. The cron `schedule` is validated when the policy
 * loads. Offline nothing is deleted: `rampart cleanup --dry-run` lists the candidates, and in `apply`/`test`
 * each object gets Kyverno CLI's verdict, `pass` "resource matched" or `fail` "resource did not match".
 */
import type { Document } from '../../../core/document.js';
import { isObject } from '../../../core/document.js';
import { UserError } from '../../../core/errors.js';
import { compileCel } from '../../cel/index.js';
import { cronProblem } from '../../cleanup/cron.js';
import { type AdmissionInput, admissionActivation } from '../admission/activation.js';
import { matchResources } from '../admission/match-resources.js';
import {
  type CompiledValidating,
  compileValidating,
  evaluateMatchConditions,
  withVariables,
} from '../admission/validating.js';

export const DPOL_KINDS = new Set(['DeletingPolicy', 'NamespacedDeletingPolicy']);

export interface DeletingPolicy {
  kind: string;
  name: string;
  namespace?: string;
  schedule: string;
  matchConstraints?: Record<string, unknown>;
  /** `conditions` compiled as match conditions: each must be true. */
  compiled: CompiledValidating;
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function isDpolDocument(content: unknown): boolean {
  return (
    isObject(content) &&
    String(content.apiVersion ?? '').startsWith('policies.kyverno.io/') &&
    DPOL_KINDS.has(String(content.kind))
  );
}

export function loadDpol(content: Record<string, unknown>, file?: string): DeletingPolicy {
  const kind = String(content.kind);
  const meta = obj(content.metadata);
  const name = String(meta.name ?? '');
  const position = file ? { position: { file } } : {};
  if (!name) throw new UserError(`${kind}: metadata.name is required`, position);
  const spec = obj(content.spec);
  const cron = cronProblem(spec.schedule);
  if (cron)
    throw new UserError(
      `${kind}/${name}: spec.schedule: invalid cron schedule ${JSON.stringify(spec.schedule ?? '')}: ${cron}`,
      position,
    );
  const label = `${kind}/${name}`;
  const compiled = compileValidating(spec, [], 'Fail', {
    policy: label,
    file,
    bodyAt: 'spec',
    validationsField: 'validations',
  });
  compiled.matchConditions = (Array.isArray(spec.conditions) ? spec.conditions : []).map(
    (c: unknown, i: number) => ({
      name: String(obj(c).name ?? i),
      program: compileCel(
        String(obj(c).expression ?? ''),
        { policy: label, field: `spec.conditions[${i}].expression`, file },
        'bool',
      ),
    }),
  );
  return {
    kind,
    name,
    namespace: kind === 'NamespacedDeletingPolicy' ? String(meta.namespace ?? 'default') : undefined,
    schedule: String(spec.schedule),
    matchConstraints: spec.matchConstraints ? obj(spec.matchConstraints) : undefined,
    compiled,
  };
}

export interface DpolInput extends AdmissionInput {
  object: Record<string, unknown>;
  namespaceLabels?: Record<string, string>;
  activation?: Record<string, unknown>;
}

export type DpolOutcome = { status: 'pass' | 'fail'; message: string } | { status: 'error'; message: string };

/** Kyverno CLI's verdict for one object: matched (would be deleted), not matched, or an expression error. */
export function evaluateDpol(policy: DeletingPolicy, input: DpolInput): DpolOutcome {
  const notMatched = { status: 'fail', message: 'resource did not match' } as const;
  const objNs = String(obj(input.object.metadata).namespace ?? '');
  if (policy.namespace !== undefined && objNs !== policy.namespace) return notMatched;
  const m = { object: input.object, operation: 'CREATE', namespaceLabels: input.namespaceLabels };
  if (!matchResources(policy.matchConstraints, m)) return notMatched;
  const activation = withVariables(input.activation ?? admissionActivation(input), policy.compiled.variables);
  const conditions = evaluateMatchConditions(policy.compiled, activation);
  if (conditions.matched) return { status: 'pass', message: 'resource matched' };
  return conditions.error ? { status: 'error', message: conditions.error } : notMatched;
}

export interface DeletionCandidate {
  policy: string;
  resource: Record<string, unknown>;
  origin: Document['origin'] | null;
}

/**
 * What the policies would delete among the documents, in policy then document order. Namespace labels come
 * from the Namespace documents among them. An expression error is a UserError naming the policy.
 */
export function deletionCandidates(
  policies: readonly DeletingPolicy[],
  documents: readonly Document[],
): DeletionCandidate[] {
  const namespaceLabels = new Map<string, Record<string, string>>();
  for (const d of documents) {
    const c = d.content;
    if (isObject(c) && c.kind === 'Namespace' && isObject(c.metadata))
      namespaceLabels.set(String(c.metadata.name), obj(c.metadata.labels) as Record<string, string>);
  }
  const out: DeletionCandidate[] = [];
  for (const policy of policies) {
    for (const doc of documents) {
      if (!isObject(doc.content)) continue;
      const object = doc.content;
      const ns = String(obj(object.metadata).namespace ?? '');
      const outcome = evaluateDpol(policy, {
        object,
        namespaceLabels: ns ? (namespaceLabels.get(ns) ?? {}) : undefined,
        namespaceObject: ns
          ? {
              apiVersion: 'v1',
              kind: 'Namespace',
              metadata: { name: ns, labels: namespaceLabels.get(ns) ?? {} },
            }
          : null,
      });
      if (outcome.status === 'error')
        throw new UserError(`${policy.kind} "${policy.name}": ${outcome.message}`, {
          position: doc.origin ?? undefined,
        });
      if (outcome.status === 'pass')
        out.push({
          policy: policy.namespace ? `${policy.namespace}/${policy.name}` : policy.name,
          resource: object,
          origin: doc.origin,
        });
    }
  }
  return out;
}
