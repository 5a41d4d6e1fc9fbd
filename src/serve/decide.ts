import fastJsonPatch from 'fast-json-patch';
import type { Document } from '../core/document.js';
import { isObject } from '../core/document.js';
import { type EvaluateOptions, evaluateResources, type RuleResponse } from '../policy/engine/evaluate.js';
import { candidateKinds, candidateOperations } from '../policy/engine/kind-index.js';
import { isKyvernoPolicy, type LoadedPolicy, policyKey } from '../policy/model/types.js';
import type { NamespaceLabels } from './namespace-labels.js';
import type { PolicySet } from './policy-set.js';
import type { AdmissionRequest, Decision } from './review.js';

/**
 * The admission decision for one request: the same engine `rampart apply` runs, fed the request's
 * object, oldObject, operation, userInfo, subresource and namespace labels.
 *
 * `/mutate` runs every policy in one engine call (mutations chain across policies) and answers with the
 * RFC 6902 difference between the object and the engine's patched resource; it never denies on
 * validation. `/validate` runs the policies that cannot change the object in one engine call and each
 * policy that can (mutate or verifyImages rules beside its validations) on its own, so no policy
 * validates another's mutation: the object it receives has already been through the mutating webhook,
 * so these runs see what Kyverno's validating webhook sees. Which policies a (kind, operation) can
 * select is worked out once per policy set (`planFor`); per-policy execution times come from the
 * engine's `policyTimer`. Enforce failures deny, Audit failures become warnings, evaluation errors
 * follow the failure policy.
 */

export type Endpoint = 'validate' | 'mutate';
export type FailurePolicy = 'Fail' | 'Ignore';

export interface DecideOptions {
  namespaceLabels: NamespaceLabels;
  failurePolicy: FailurePolicy;
  /** Called once per policy evaluated with its rule responses and execution seconds (metrics). */
  observe?: (policy: LoadedPolicy, responses: readonly RuleResponse[], seconds: number) => void;
}

export interface Evaluated {
  decision: Decision;
  responses: RuleResponse[];
}

const RESOURCE_KINDS: Record<string, string> = {
  pods: 'Pod',
  services: 'Service',
  deployments: 'Deployment',
  statefulsets: 'StatefulSet',
  daemonsets: 'DaemonSet',
  replicasets: 'ReplicaSet',
  jobs: 'Job',
  cronjobs: 'CronJob',
  namespaces: 'Namespace',
  nodes: 'Node',
  configmaps: 'ConfigMap',
  secrets: 'Secret',
  ingresses: 'Ingress',
  persistentvolumeclaims: 'PersistentVolumeClaim',
  serviceaccounts: 'ServiceAccount',
  replicationcontrollers: 'ReplicationController',
};

/** The parent kind of a subresource request (`pods/exec` arrives as PodExecOptions): Kyverno matches `Pod/exec`. */
export function parentKind(resource: string): string {
  const known = RESOURCE_KINDS[resource];
  if (known) return known;
  const singular = resource.endsWith('ies')
    ? `${resource.slice(0, -3)}y`
    : resource.endsWith('ses')
      ? resource.slice(0, -2)
      : resource.replace(/s$/, '');
  return singular.charAt(0).toUpperCase() + singular.slice(1);
}

/** The object the engine evaluates: metadata.namespace filled from the request when the API server left it out. */
function subjectOf(request: AdmissionRequest): Record<string, unknown> {
  const object = (request.operation === 'DELETE' ? request.oldObject : request.object) ?? {};
  const meta = isObject(object.metadata) ? object.metadata : undefined;
  if (!request.namespace || (meta && typeof meta.namespace === 'string' && meta.namespace)) return object;
  return { ...object, metadata: { ...meta, namespace: request.namespace } };
}

function engineOptions(request: AdmissionRequest, options: DecideOptions, set: PolicySet): EvaluateOptions {
  const sub = request.subResource;
  return {
    operation: request.operation,
    userInfo: request.userInfo,
    oldObject: () => request.oldObject ?? null,
    namespaceLabels: options.namespaceLabels,
    exceptions: set.exceptions,
    reportUnsupportedPolicies: false,
    ...(sub
      ? {
          subresource: sub,
          subresourceFor: () => ({
            gvk: {
              group: request.resource.group,
              version: request.resource.version,
              kind: parentKind(request.resource.resource),
            },
            subresource: sub,
          }),
        }
      : {}),
  };
}

function resourceLabel(request: AdmissionRequest, object: Record<string, unknown>): string {
  const meta = isObject(object.metadata) ? object.metadata : {};
  const name = (meta.name as string) || request.name || (meta.generateName as string) || '';
  const kind = request.subResource
    ? `${parentKind(request.resource.resource)}/${request.subResource}`
    : request.kind.kind;
  return [kind, request.namespace, name].filter(Boolean).join('/');
}

/** Kyverno's denial text: the resource, then each policy with its failed rules and messages. */
export function denialMessage(resource: string, failures: readonly RuleResponse[]): string {
  const byPolicy = new Map<string, RuleResponse[]>();
  for (const f of failures) byPolicy.set(f.policy, [...(byPolicy.get(f.policy) ?? []), f]);
  const lines = [`resource ${resource} was blocked due to the following policies`, ''];
  for (const [policy, rules] of byPolicy) {
    lines.push(`${policy}:`);
    for (const r of rules) lines.push(`  ${r.rule}: ${r.message}`);
  }
  return lines.join('\n');
}

function fromResponses(
  request: AdmissionRequest,
  subject: Record<string, unknown>,
  responses: RuleResponse[],
  failurePolicy: FailurePolicy,
  endpoint: Endpoint,
): Decision {
  const denials: RuleResponse[] = [];
  const warnings: string[] = [];
  for (const r of responses) {
    if (r.status === 'error') {
      if (failurePolicy === 'Fail' && r.action !== 'Audit') denials.push(r);
      else warnings.push(`policy ${r.policy}.${r.rule}: evaluation error: ${r.message}`);
    } else if ((r.status === 'fail' || r.status === 'warn') && endpoint === 'validate') {
      if (r.status === 'fail' && r.action !== 'Audit') denials.push(r);
      else warnings.push(`policy ${r.policy}.${r.rule}: ${r.message}`);
    }
  }
  if (denials.length)
    return {
      allowed: false,
      code: 403,
      message: denialMessage(resourceLabel(request, subject), denials),
      warnings,
    };
  return { allowed: true, warnings };
}

/**
 * The policies each endpoint runs, worked out once per policy set: `/validate` skips mutate-only and
 * generate-only policies, `/mutate` runs only policies that can change the object (mutate rules, and
 * verifyImages, which writes image digests). Policies of other kinds validate, or mutate by their kind.
 */
const byEndpoint = new WeakMap<PolicySet, Record<Endpoint, readonly LoadedPolicy[]>>();

function hasRule(p: LoadedPolicy, fields: readonly string[]): boolean {
  return isKyvernoPolicy(p)
    ? p.computedRules.some((r) => fields.some((f) => (r as Record<string, unknown>)[f] !== undefined))
    : /Mutating/.test(p.kind) === fields.includes('mutate'); // a MutatingPolicy mutates, the rest validate
}

export function endpointPolicies(set: PolicySet, endpoint: Endpoint): readonly LoadedPolicy[] {
  let split = byEndpoint.get(set);
  if (!split) {
    split = {
      validate: set.policies.filter((p) => hasRule(p, ['validate', 'verifyImages'])),
      mutate: set.policies.filter((p) => hasRule(p, ['mutate', 'verifyImages'])),
    };
    byEndpoint.set(set, split);
  }
  return split[endpoint];
}

/**
 * What one (endpoint, kind, operation) runs, in policy order. `together` go through one engine call:
 * on `/validate` these are the policies that cannot change the object, so running them side by side
 * gives each exactly what it would see alone; `alone` (validate policies that also mutate or verify
 * images) run one engine call each, so no policy validates another's mutation, as Kyverno's validating
 * webhook sees it. `/mutate` runs everything together (mutations chain).
 */
export interface Plan {
  together: readonly LoadedPolicy[];
  alone: readonly LoadedPolicy[];
  /** Each policy's position in the endpoint's order (responses are reported in it). */
  order: ReadonlyMap<string, number>;
}

const plans = new WeakMap<PolicySet, Map<string, Plan>>();
/** Kinds and operations come from requests: the per-set cache stops growing here. */
const MAX_PLANS = 512;

/**
 * Whether a policy can act on a request of this kind and operation: Kyverno rules whose match block
 * names other kinds only, or other operations only, cannot. A cheap superset: the engine still matches.
 */
function canSelect(policy: LoadedPolicy, kind: string, operation: string): boolean {
  if (!isKyvernoPolicy(policy)) return true;
  return policy.computedRules.some((rule) => {
    const kinds = candidateKinds(rule);
    if (kinds && !kinds.has(kind)) return false;
    const ops = candidateOperations(rule);
    return !ops || ops.has(operation);
  });
}

/** The plan for a request, computed once per policy set and (endpoint, kind, operation). */
export function planFor(set: PolicySet, endpoint: Endpoint, request: AdmissionRequest): Plan {
  // A subresource request matches as `<parent>/<sub>`: no narrowing, the engine decides.
  const kind = request.subResource ? '' : request.kind.kind;
  const key = `${endpoint}\u0000${kind}\u0000${request.operation}`;
  let cache = plans.get(set);
  if (!cache) {
    cache = new Map();
    plans.set(set, cache);
  }
  const cached = cache.get(key);
  if (cached) return cached;
  const all = endpointPolicies(set, endpoint);
  const order = new Map(all.map((p, i) => [policyKey(p), i]));
  const selected = kind ? all.filter((p) => canSelect(p, kind, request.operation)) : all;
  const plan: Plan =
    endpoint === 'mutate'
      ? { together: selected, alone: [], order }
      : {
          together: selected.filter((p) => !hasRule(p, ['mutate', 'verifyImages'])),
          alone: selected.filter((p) => hasRule(p, ['mutate', 'verifyImages'])),
          order,
        };
  if (cache.size < MAX_PLANS) cache.set(key, plan);
  return plan;
}

/** Evaluates one admission request; an exception thrown by the engine follows the failure policy. */
export function decide(
  set: PolicySet,
  request: AdmissionRequest,
  endpoint: Endpoint,
  options: DecideOptions,
): Evaluated {
  const plan = planFor(set, endpoint, request);
  if (!plan.together.length && !plan.alone.length)
    return { decision: { allowed: true, warnings: [] }, responses: [] };
  const subject = subjectOf(request);
  const doc: Document = {
    id: `admission:${request.uid}`,
    origin: { file: `admission:${request.uid}`, line: 1, column: 1, index: 0 },
    format: 'kubernetes',
    content: subject,
  };
  const observe = options.observe;
  // Per-policy execution time from inside the one engine call (a policy may act in several phases).
  const seconds = observe ? new Map<LoadedPolicy, number>() : undefined;
  const engine = engineOptions(request, options, set);
  if (seconds) engine.policyTimer = (p, s) => seconds.set(p, (seconds.get(p) ?? 0) + s);
  try {
    let responses: RuleResponse[] = [];
    let patched: Record<string, unknown> | undefined;
    if (plan.together.length) {
      const resource = evaluateResources(plan.together, [doc], engine).resources[0];
      if (resource) {
        responses = resource.ruleResponses;
        patched = resource.patchedResource as Record<string, unknown> | undefined;
      }
    }
    if (plan.alone.length) {
      for (const policy of plan.alone) {
        const own = evaluateResources([policy], [doc], engine).resources[0]?.ruleResponses ?? [];
        for (const r of own) responses.push(r);
      }
      // Reported in policy order, as if each had run in turn.
      const order = plan.order;
      responses = responses
        .map((r, i) => ({ r, i, at: order.get(r.policyKey) ?? order.size }))
        .sort((a, b) => a.at - b.at || a.i - b.i)
        .map((x) => x.r);
    }
    if (observe && seconds) {
      const byKey = new Map<string, RuleResponse[]>();
      for (const r of responses) {
        const list = byKey.get(r.policyKey);
        if (list) list.push(r);
        else byKey.set(r.policyKey, [r]);
      }
      for (const [policy, s] of seconds) observe(policy, byKey.get(policyKey(policy)) ?? [], s);
    }
    const decision = fromResponses(request, subject, responses, options.failurePolicy, endpoint);
    if (endpoint === 'mutate' && decision.allowed && patched && request.operation !== 'DELETE')
      decision.patch = fastJsonPatch.compare(subject, patched);
    return { decision, responses };
  } catch (error) {
    const message = `policy evaluation failed: ${(error as Error).message}`;
    return {
      decision:
        options.failurePolicy === 'Fail'
          ? { allowed: false, code: 500, message, warnings: [] }
          : { allowed: true, warnings: [message] },
      responses: [],
    };
  }
}
