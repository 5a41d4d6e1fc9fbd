import type { Document } from '../../core/document.js';
import { isObject } from '../../core/document.js';
import type { Result } from '../../core/result.js';
import type { Severity } from '../../core/severity.js';
import { exceptionSkip, findException, type PolicyException } from '../exceptions/index.js';
import { type GroupVersionKind, type MatchContext, matchesRule, type UserInfo } from '../match/index.js';
import {
  CATEGORY_ANNOTATION,
  type Policy,
  policyKey,
  type Rule,
  SCORED_ANNOTATION,
  SEVERITY_ANNOTATION,
  TITLE_ANNOTATION,
} from '../model/types.js';
import { type RuleOutcome, validateRule } from '../validate/index.js';
import { buildImagesVariable, type ContextSources, EvalContext } from '../vars/index.js';
import { candidateKinds } from './kind-index.js';
import { resourceRef } from './resource.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** Variables a test or values file supplies for one policy × resource pair. */
export interface SuppliedValues {
  /** Dotted paths written into the JSON context before anything else (`request.object.metadata.name`). */
  variables?: Record<string, unknown>;
  /** Per-rule values: injected when the rule's context is built (mock configMap/apiCall entries). */
  ruleValues?: Record<string, Record<string, unknown>>;
  /** Per-iteration foreach values. */
  foreachValues?: Record<string, unknown[]>;
}

export interface EvaluateOptions {
  operation?: Operation;
  /** Old object for UPDATE/DELETE; UPDATE defaults it to the object itself, as Kyverno's CLI does. */
  oldObject?: (doc: Document) => unknown;
  userInfo?: UserInfo;
  subresource?: string;
  namespaceLabels?: (namespace: string) => Record<string, string> | undefined;
  values?: (policy: Policy, doc: Document) => SuppliedValues | undefined;
  /** Dotted-path variables set for every policy and document (e.g. rampart.* pack parameters). */
  variables?: Record<string, unknown>;
  sources?: Partial<ContextSources>;
  /** Audit-mode failures are reported as warn (kyverno apply --audit-warn). */
  auditWarn?: boolean;
  /** Per-document subresource view (Kyverno CLI values `subresources`): match as `<parent kind>/<sub>`. */
  subresourceFor?: (doc: Document) => { gvk: GroupVersionKind; subresource: string } | undefined;
  /** PolicyExceptions (kyverno.io/v2) that may turn matched rules into skips. */
  exceptions?: readonly PolicyException[];
  /** One skip per unsupported policy kind (default true; off when a batch is one of several). */
  reportUnsupportedPolicies?: boolean;
}

/** A rule response, as Kyverno's engine produces it, plus the result it becomes. */
export interface RuleResponse extends Result {
  policyKey: string;
}

const EMPTY_SOURCES: ContextSources = {
  configMap: () => undefined,
  apiCall: () => undefined,
};

const SEVERITIES = new Set(['info', 'low', 'medium', 'high', 'critical']);

function policySeverity(policy: Policy): Severity {
  const s = policy.annotations[SEVERITY_ANNOTATION]?.toLowerCase();
  return s && SEVERITIES.has(s) ? (s as Severity) : 'medium';
}

function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node: Record<string, unknown> = root;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i]!;
    const next = node[key];
    if (!isObject(next)) node[key] = {};
    else node[key] = { ...next };
    node = node[key] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

function serviceAccount(username: string | undefined): { name: string; namespace: string } {
  const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username ?? '');
  return m ? { namespace: m[1]!, name: m[2]! } : { namespace: '', name: '' };
}

function ruleFailureAction(policy: Policy, rule: Rule): 'Audit' | 'Enforce' {
  const fa = rule.validate?.failureAction;
  if (typeof fa === 'string') return fa.toLowerCase() === 'enforce' ? 'Enforce' : 'Audit';
  return policy.validationFailureAction;
}

function unsupportedReason(rule: Rule): string | undefined {
  if (rule.mutate !== undefined) return 'mutate rules are not supported yet';
  if (rule.generate !== undefined) return 'generate rules are not supported yet';
  if (rule.verifyImages !== undefined) return 'verifyImages rules are not supported yet';
  const v = rule.validate;
  if (v?.cel !== undefined) return 'validate.cel rules are not supported yet';
  if (v?.manifests !== undefined) return 'validate.manifests rules are not supported yet';
  if (v?.assert !== undefined) return 'validate.assert rules are not supported yet';
  if (Array.isArray(rule.celPreconditions) && rule.celPreconditions.length) {
    return 'celPreconditions are not supported yet';
  }
  return undefined;
}

/**
 * Applies policies to documents: pure and synchronous. One result per (policy, rule, resource) for
 * every rule that matched, as Kyverno's engine responds; unsupported rule types give `skip` results.
 */
export function evaluate(
  policies: readonly Policy[],
  documents: readonly Document[],
  options: EvaluateOptions = {},
): RuleResponse[] {
  const out: RuleResponse[] = [];
  const operation = options.operation ?? 'CREATE';
  const sources: ContextSources = { ...EMPTY_SOURCES, ...options.sources } as ContextSources;
  for (const policy of policies) {
    if (policy.unsupported && options.reportUnsupportedPolicies !== false) {
      out.push(unsupportedPolicyResult(policy));
    }
  }
  for (const doc of documents) {
    if (!isObject(doc.content)) continue;
    const newObject = operation === 'DELETE' ? {} : (doc.content as Record<string, unknown>);
    const oldObject =
      operation === 'DELETE'
        ? doc.content
        : operation === 'UPDATE'
          ? (options.oldObject?.(doc) ?? doc.content)
          : (options.oldObject?.(doc) ?? null);
    const subject = (operation === 'DELETE' ? doc.content : newObject) as Record<string, any>;
    const ref = resourceRef(subject);
    const sub = options.subresourceFor?.(doc);
    const matchCtx: MatchContext = {
      resource: subject,
      operation,
      subresource: sub?.subresource ?? options.subresource,
      ...(sub ? { gvk: sub.gvk } : {}),
      userInfo: options.userInfo,
      namespaceLabels: options.namespaceLabels,
    };
    let imagesVar: Record<string, unknown> | undefined;
    const images = () => (imagesVar ??= safeImages(subject));
    // The JSON context is built lazily, once per document, and shared by every policy unless a
    // values provider supplies policy-specific variables: building it is a large part of the cost.
    let sharedCtx: EvalContext | undefined;
    const contextFor = (supplied: SuppliedValues | undefined): EvalContext => {
      const own = supplied?.variables && Object.keys(supplied.variables).length > 0;
      if (!own && sharedCtx) return sharedCtx;
      const ctx = new EvalContext(
        buildRoot(
          newObject,
          oldObject,
          operation,
          ref.namespace,
          options.userInfo,
          images(),
          options.variables,
          own ? supplied : undefined,
        ),
      );
      if (!own) sharedCtx = ctx;
      return ctx;
    };
    for (const policy of policies) {
      if (policy.unsupported) continue;
      if (policy.namespace !== undefined && ref.namespace !== policy.namespace) continue;
      const supplied = options.values?.(policy, doc);
      let ctx: EvalContext | undefined;
      const applyOne = policy.applyRules === 'One';
      for (const rule of policy.computedRules) {
        const kinds = options.subresource || sub ? undefined : candidateKinds(rule);
        if (kinds && !kinds.has(ref.kind)) continue;
        let matched: boolean;
        try {
          matched = matchesRule(rule, matchCtx).matched;
        } catch (error) {
          out.push(
            makeResult(
              policy,
              rule,
              doc,
              ref,
              { status: 'error', message: (error as Error).message },
              options,
            ),
          );
          continue;
        }
        if (!matched) continue;
        let podSecurityException: PolicyException | undefined;
        if (options.exceptions?.length) {
          const ex = findException(options.exceptions, policyKey(policy), rule.name, matchCtx, () => {
            ctx ??= contextFor(supplied);
            return ctx;
          });
          // An exception listing podSecurity controls only relaxes those controls (checked below).
          if (ex && !(ex.podSecurity.length && rule.validate?.podSecurity)) {
            out.push(makeResult(policy, rule, doc, ref, exceptionSkip(ex), options));
            continue;
          }
          podSecurityException = ex;
        }
        const unsupported = unsupportedReason(rule);
        if (unsupported) {
          out.push(makeResult(policy, rule, doc, ref, unsupportedSkip(unsupported), options));
          continue;
        }
        if (rule.validate === undefined) continue;
        ctx ??= contextFor(supplied);
        ctx.checkpoint();
        let outcome: RuleOutcome | undefined;
        try {
          const ruleValues =
            supplied?.ruleValues?.[rule.name] ?? supplied?.ruleValues?.[baseRuleName(rule.name)];
          if (ruleValues) for (const [k, v] of Object.entries(ruleValues)) ctx.set(k, v);
          outcome = validateRule(rule, {
            ctx,
            sources: ruleValues ? { ...sources, values: ruleValues } : sources,
            resource: subject,
            operation,
            foreachValues: supplied?.foreachValues,
            podSecurityException,
          });
        } catch (error) {
          outcome = { status: 'error', message: (error as Error).message };
        } finally {
          ctx.restore();
        }
        if (outcome) {
          out.push(makeResult(policy, rule, doc, ref, outcome, options));
          // spec.applyRules: One stops at the first rule that passed or failed, as Kyverno does.
          if (applyOne && (outcome.status === 'pass' || outcome.status === 'fail')) break;
        }
      }
    }
  }
  return out;
}

export function baseRuleName(name: string): string {
  if (name.startsWith('autogen-cronjob-')) return name.slice('autogen-cronjob-'.length);
  if (name.startsWith('autogen-')) return name.slice('autogen-'.length);
  return name;
}

function safeImages(resource: unknown): Record<string, unknown> {
  try {
    return buildImagesVariable(resource);
  } catch {
    return {};
  }
}

function buildRoot(
  object: unknown,
  oldObject: unknown,
  operation: Operation,
  namespace: string,
  userInfo: UserInfo | undefined,
  images: Record<string, unknown>,
  variables: Record<string, unknown> | undefined,
  supplied: SuppliedValues | undefined,
): Record<string, unknown> {
  const sa = serviceAccount(userInfo?.username);
  const root: Record<string, unknown> = {
    request: {
      operation,
      object,
      oldObject,
      namespace,
      userInfo: {
        username: userInfo?.username ?? '',
        uid: userInfo?.uid ?? '',
        // Kubernetes' UserInfo marshals groups with omitempty: no groups is a missing (null) field.
        ...(userInfo?.groups?.length ? { groups: userInfo.groups } : {}),
      },
      roles: userInfo?.roles ?? [],
      clusterRoles: userInfo?.clusterRoles ?? [],
    },
    serviceAccountName: sa.name,
    serviceAccountNamespace: sa.namespace,
    images,
  };
  for (const [path, value] of Object.entries(variables ?? {})) setPath(root, path, value);
  for (const [path, value] of Object.entries(supplied?.variables ?? {})) setPath(root, path, value);
  return root;
}

function makeResult(
  policy: Policy,
  rule: Rule,
  doc: Document,
  ref: RuleResponse['resource'],
  outcome: RuleOutcome,
  options: EvaluateOptions,
): RuleResponse {
  const action = ruleFailureAction(policy, rule);
  let status = outcome.status;
  if (status === 'fail' && policy.annotations[SCORED_ANNOTATION] === 'false') status = 'warn';
  if (status === 'fail' && action === 'Audit' && options.auditWarn) status = 'warn';
  return {
    policy: policy.name,
    policyKey: policyKey(policy),
    rule: rule.name,
    resource: ref,
    status,
    message: outcome.message,
    severity: policySeverity(policy),
    category: policy.annotations[CATEGORY_ANNOTATION] ?? 'policy',
    origin: doc.origin,
    title: policy.annotations[TITLE_ANNOTATION],
    action,
    ...(outcome.properties ? { properties: outcome.properties } : {}),
  };
}

/** A rule type the engine does not evaluate: reported, never dropped, and marked so reports keep it. */
function unsupportedSkip(message: string): RuleOutcome {
  return { status: 'skip', message, properties: { unsupported: 'true' } };
}

function unsupportedPolicyResult(policy: Policy): RuleResponse {
  return {
    policy: policy.name,
    policyKey: policyKey(policy),
    rule: '',
    resource: { apiVersion: '', kind: '', namespace: '', name: '' },
    status: 'skip',
    message: policy.unsupported ?? 'not supported yet',
    severity: policySeverity(policy),
    category: policy.annotations[CATEGORY_ANNOTATION] ?? 'policy',
    origin: policy.origin,
    properties: { unsupported: 'true' },
  };
}
