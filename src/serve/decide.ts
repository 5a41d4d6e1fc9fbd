import fastJsonPatch from 'fast-json-patch';
import type { Document } from '../core/document.js';
import { isObject } from '../core/document.js';
import { type EvaluateOptions, evaluateResources, type RuleResponse } from '../policy/engine/evaluate.js';
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
 * validation. `/validate` runs each policy on its own, so each gets its own execution time; the object
 * it receives has already been through the mutating webhook, so per-policy runs see what Kyverno's
 * validating webhook sees. Enforce failures deny, Audit failures become warnings, evaluation errors
 * follow the failure policy.
 */

export type Endpoint = 'validate' | 'mutate';
export type FailurePolicy = 'Fail' | 'Ignore';

export interface DecideOptions {
  namespaceLabels: NamespaceLabels;
  failurePolicy: FailurePolicy;
  /** Called per policy run with its rule responses and duration (metrics). */
  observe?: (policy: LoadedPolicy | undefined, responses: readonly RuleResponse[], seconds?: number) => void;
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

export function endpointPolicies(set: PolicySet, endpoint: Endpoint): readonly LoadedPolicy[] {
  let split = byEndpoint.get(set);
  if (!split) {
    const has = (p: LoadedPolicy, fields: string[]) =>
      isKyvernoPolicy(p)
        ? p.computedRules.some((r) => fields.some((f) => (r as Record<string, unknown>)[f] !== undefined))
        : /Mutating/.test(p.kind) === fields.includes('mutate'); // a MutatingPolicy mutates, the rest validate
    split = {
      validate: set.policies.filter((p) => has(p, ['validate', 'verifyImages'])),
      mutate: set.policies.filter((p) => has(p, ['mutate', 'verifyImages'])),
    };
    byEndpoint.set(set, split);
  }
  return split[endpoint];
}

/** Evaluates one admission request; an exception thrown by the engine follows the failure policy. */
export function decide(
  set: PolicySet,
  request: AdmissionRequest,
  endpoint: Endpoint,
  options: DecideOptions,
): Evaluated {
  const subject = subjectOf(request);
  const doc: Document = {
    id: `admission:${request.uid}`,
    origin: { file: `admission:${request.uid}`, line: 1, column: 1, index: 0 },
    format: 'kubernetes',
    content: subject,
  };
  const engine = engineOptions(request, options, set);
  try {
    if (endpoint === 'mutate') {
      const policies = endpointPolicies(set, 'mutate');
      if (!policies.length) return { decision: { allowed: true, warnings: [] }, responses: [] };
      const response = evaluateResources(policies, [doc], engine);
      const resource = response.resources[0];
      const responses = resource?.ruleResponses ?? [];
      if (options.observe) {
        const byKey = new Map(policies.map((p) => [policyKey(p), p]));
        const byPolicy = new Map<string, RuleResponse[]>();
        for (const r of responses) byPolicy.set(r.policyKey, [...(byPolicy.get(r.policyKey) ?? []), r]);
        // One engine call chains every mutation: results are counted per policy, time is not split.
        for (const [key, own] of byPolicy) options.observe(byKey.get(key), own);
      }
      const decision = fromResponses(request, subject, responses, options.failurePolicy, endpoint);
      if (decision.allowed && resource?.patchedResource && request.operation !== 'DELETE')
        decision.patch = fastJsonPatch.compare(subject, resource.patchedResource);
      return { decision, responses };
    }
    const responses: RuleResponse[] = [];
    for (const policy of endpointPolicies(set, 'validate')) {
      const started = performance.now();
      const own = evaluateResources([policy], [doc], engine).resources[0]?.ruleResponses ?? [];
      options.observe?.(policy, own, (performance.now() - started) / 1000);
      for (const r of own) responses.push(r);
    }
    return {
      decision: fromResponses(request, subject, responses, options.failurePolicy, endpoint),
      responses,
    };
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
