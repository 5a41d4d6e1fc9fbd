import { isObject } from '../core/document.js';
import type { LoadedPolicy } from '../policy/model/types.js';

/**
 * ValidatingWebhookConfiguration and MutatingWebhookConfiguration derived from the loaded policies:
 * only the kinds and operations some rule matches are sent to the webhook (the rest never leaves the
 * API server). Enforce policies go to a `Fail` webhook, Audit-only ones to an `Ignore` webhook, as
 * Kyverno splits them, so an unavailable webhook blocks only what must be blocked.
 */

export interface WebhookConfigOptions {
  service: { namespace: string; name: string; port?: number };
  caBundle?: string;
  timeoutSeconds?: number;
}

const ALL_OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

/** Kinds whose API group and plural differ from the lower-cased-plus-s guess. */
const KNOWN: Record<string, { group: string; resource: string }> = {
  Pod: { group: '', resource: 'pods' },
  Service: { group: '', resource: 'services' },
  ConfigMap: { group: '', resource: 'configmaps' },
  Secret: { group: '', resource: 'secrets' },
  Namespace: { group: '', resource: 'namespaces' },
  ServiceAccount: { group: '', resource: 'serviceaccounts' },
  PersistentVolumeClaim: { group: '', resource: 'persistentvolumeclaims' },
  Deployment: { group: 'apps', resource: 'deployments' },
  StatefulSet: { group: 'apps', resource: 'statefulsets' },
  DaemonSet: { group: 'apps', resource: 'daemonsets' },
  ReplicaSet: { group: 'apps', resource: 'replicasets' },
  Job: { group: 'batch', resource: 'jobs' },
  CronJob: { group: 'batch', resource: 'cronjobs' },
  Ingress: { group: 'networking.k8s.io', resource: 'ingresses' },
  NetworkPolicy: { group: 'networking.k8s.io', resource: 'networkpolicies' },
  Role: { group: 'rbac.authorization.k8s.io', resource: 'roles' },
  RoleBinding: { group: 'rbac.authorization.k8s.io', resource: 'rolebindings' },
  ClusterRole: { group: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
  ClusterRoleBinding: { group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' },
  PodDisruptionBudget: { group: 'policy', resource: 'poddisruptionbudgets' },
  HorizontalPodAutoscaler: { group: 'autoscaling', resource: 'horizontalpodautoscalers' },
};

interface Target {
  group: string;
  resource: string;
}

/** `Pod`, `v1/Pod`, `apps/v1/Deployment`, `Pod/exec` → API group and resource (with subresource). */
export function kindTarget(selector: string): Target {
  if (selector === '*') return { group: '*', resource: '*/*' };
  const parts = selector.split('/');
  let sub = '';
  // A trailing lower-case part is a subresource (Pod/exec, apps/v1/Deployment/scale).
  if (parts.length > 1 && /^[a-z]/.test(parts[parts.length - 1]!) && /^[A-Z*]/.test(parts[parts.length - 2]!))
    sub = parts.pop()!;
  const kind = parts.pop()!;
  const explicitGroup = parts.length === 2 ? parts[0]! : undefined;
  const known = KNOWN[kind];
  const resource =
    kind === '*'
      ? '*'
      : (known?.resource ??
        (kind.toLowerCase().endsWith('y')
          ? `${kind.toLowerCase().slice(0, -1)}ies`
          : `${kind.toLowerCase()}s`));
  const group = explicitGroup ?? known?.group ?? '*';
  return { group, resource: sub ? `${resource}/${sub}` : resource };
}

interface Scope {
  kinds: Set<string>;
  operations: Set<string>;
  enforce: boolean;
  mutate: boolean;
  validate: boolean;
}

function resourceFilters(block: unknown): { kinds: string[]; operations: string[] }[] {
  if (!isObject(block)) return [];
  const out: { kinds: string[]; operations: string[] }[] = [];
  const add = (r: unknown) => {
    if (!isObject(r) || !isObject(r.resources)) return;
    const res = r.resources;
    out.push({
      kinds: Array.isArray(res.kinds) ? res.kinds.map(String) : ['*'],
      operations: Array.isArray(res.operations) ? res.operations.map(String) : ALL_OPERATIONS,
    });
  };
  add(block);
  for (const key of ['any', 'all'])
    if (Array.isArray(block[key])) for (const r of block[key] as unknown[]) add(r);
  return out;
}

/** What one policy needs from the API server. Policies of other kinds ask for everything they may match. */
function scopeOf(policy: LoadedPolicy): Scope {
  const spec = isObject(policy.raw.spec) ? policy.raw.spec : {};
  const action = String(spec.validationFailureAction ?? 'Audit').toLowerCase();
  const scope: Scope = {
    kinds: new Set(),
    operations: new Set(),
    enforce: action === 'enforce',
    mutate: false,
    validate: false,
  };
  const computed = (policy as { computedRules?: Record<string, unknown>[] }).computedRules;
  const rules =
    computed ?? (Array.isArray(spec.rules) ? (spec.rules as Record<string, unknown>[]) : undefined);
  if (!rules) {
    scope.kinds.add('*');
    for (const op of ALL_OPERATIONS) scope.operations.add(op);
    scope.validate = true;
    scope.enforce = true;
    return scope;
  }
  for (const rule of rules) {
    if (rule.mutate) scope.mutate = true;
    if (rule.validate || rule.verifyImages) scope.validate = true;
    const fa = isObject(rule.validate) ? rule.validate.failureAction : undefined;
    if (typeof fa === 'string' && fa.toLowerCase() === 'enforce') scope.enforce = true;
    const filters = resourceFilters(rule.match);
    if (!filters.length) scope.kinds.add('*');
    for (const f of filters) {
      for (const k of f.kinds) scope.kinds.add(k);
      for (const o of f.operations) scope.operations.add(o.toUpperCase());
    }
  }
  return scope;
}

function rulesFor(kinds: Set<string>, operations: Set<string>): Record<string, unknown>[] {
  const byGroup = new Map<string, Set<string>>();
  for (const k of kinds) {
    const t = kindTarget(k);
    byGroup.set(t.group, (byGroup.get(t.group) ?? new Set()).add(t.resource));
  }
  return [...byGroup].map(([group, resources]) => ({
    apiGroups: [group],
    apiVersions: ['*'],
    operations: [...operations].sort(),
    resources: resources.has('*/*') ? ['*/*'] : [...resources].sort(),
    scope: '*',
  }));
}

function webhook(
  name: string,
  path: string,
  failurePolicy: 'Fail' | 'Ignore',
  scopes: Scope[],
  options: WebhookConfigOptions,
): Record<string, unknown> {
  const kinds = new Set<string>();
  const operations = new Set<string>();
  for (const s of scopes) {
    for (const k of s.kinds) kinds.add(k);
    for (const o of s.operations) operations.add(o);
  }
  return {
    name,
    clientConfig: {
      service: {
        namespace: options.service.namespace,
        name: options.service.name,
        path,
        port: options.service.port ?? 443,
      },
      ...(options.caBundle ? { caBundle: options.caBundle } : {}),
    },
    rules: rulesFor(kinds, operations),
    failurePolicy,
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    timeoutSeconds: options.timeoutSeconds ?? 10,
    matchPolicy: 'Equivalent',
    namespaceSelector: {
      matchExpressions: [
        {
          key: 'kubernetes.io/metadata.name',
          operator: 'NotIn',
          values: [...new Set(['kube-system', options.service.namespace])],
        },
      ],
    },
  };
}

export function webhookConfigurations(
  policies: readonly LoadedPolicy[],
  options: WebhookConfigOptions,
): Record<string, unknown>[] {
  const scopes = policies.filter((p) => !p.unsupported).map(scopeOf);
  const validating = scopes.filter((s) => s.validate);
  const enforce = validating.filter((s) => s.enforce);
  const audit = validating.filter((s) => !s.enforce);
  const mutating = scopes.filter((s) => s.mutate);
  const base = options.service.name;
  const out: Record<string, unknown>[] = [];
  const validatingHooks = [
    ...(enforce.length
      ? [webhook(`validate-fail.${base}.rampart.dev`, '/validate', 'Fail', enforce, options)]
      : []),
    ...(audit.length
      ? [webhook(`validate-ignore.${base}.rampart.dev`, '/validate', 'Ignore', audit, options)]
      : []),
  ];
  if (validatingHooks.length)
    out.push({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: `${base}-validating`, labels: { 'app.kubernetes.io/managed-by': 'rampart' } },
      webhooks: validatingHooks,
    });
  if (mutating.length)
    out.push({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: `${base}-mutating`, labels: { 'app.kubernetes.io/managed-by': 'rampart' } },
      webhooks: [
        {
          ...webhook(`mutate.${base}.rampart.dev`, '/mutate', 'Fail', mutating, options),
          reinvocationPolicy: 'IfNeeded',
        },
      ],
    });
  return out;
}
