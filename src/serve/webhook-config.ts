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
  /** Rampart's own ServiceAccount (in the Service's namespace): its writes (PolicyReports) are not reviewed. */
  serviceAccount?: string;
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
  ReplicationController: { group: '', resource: 'replicationcontrollers' },
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
  /** Each match filter's kinds with its operations, kept together so rules stay as narrow as the policies. */
  filters: { kinds: string[]; operations: string[] }[];
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
    filters: [],
    enforce: action === 'enforce',
    mutate: false,
    validate: false,
  };
  const computed = (policy as { computedRules?: Record<string, unknown>[] }).computedRules;
  const rules =
    computed ?? (Array.isArray(spec.rules) ? (spec.rules as Record<string, unknown>[]) : undefined);
  if (!rules) {
    scope.filters.push({ kinds: ['*'], operations: ALL_OPERATIONS });
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
    if (!filters.length) scope.filters.push({ kinds: ['*'], operations: ALL_OPERATIONS });
    for (const f of filters)
      scope.filters.push({ kinds: f.kinds, operations: f.operations.map((o) => o.toUpperCase()) });
  }
  return scope;
}

/**
 * One webhook rule per API group and set of operations. CONNECT only reaches connect subresources
 * (pods/exec, pods/attach, .../proxy), so it is left off plain resources, where it would match nothing.
 */
function rulesFor(scopes: readonly Scope[]): Record<string, unknown>[] {
  const byKey = new Map<string, { group: string; operations: string[]; resources: Set<string> }>();
  for (const scope of scopes)
    for (const filter of scope.filters)
      for (const kind of filter.kinds) {
        const t = kindTarget(kind);
        const operations = [...new Set(filter.operations)]
          .filter((o) => o !== 'CONNECT' || t.resource.includes('/'))
          .sort();
        if (!operations.length) continue;
        const key = `${t.group}|${operations.join(',')}`;
        const entry = byKey.get(key) ?? { group: t.group, operations, resources: new Set<string>() };
        entry.resources.add(t.resource);
        byKey.set(key, entry);
      }
  return [...byKey.values()].map(({ group, operations, resources }) => ({
    apiGroups: [group],
    apiVersions: ['*'],
    operations,
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
  const matchesEverything = scopes.some((s) => s.filters.some((f) => f.kinds.includes('*')));
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
    rules: rulesFor(scopes),
    failurePolicy,
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    timeoutSeconds: options.timeoutSeconds ?? 10,
    matchPolicy: 'Equivalent',
    matchConditions: matchConditions(matchesEverything, options),
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

/**
 * CEL conditions evaluated by the API server before it calls the webhook (GA in Kubernetes 1.30): Rampart's
 * own writes never come back to it, and when some policy matches every kind, the high-churn objects no
 * policy means (Leases renewed every few seconds, Events) stay on the API server.
 */
function matchConditions(
  matchesEverything: boolean,
  options: WebhookConfigOptions,
): Record<string, string>[] {
  const account = `system:serviceaccount:${options.service.namespace}:${options.serviceAccount ?? 'rampart'}`;
  const conditions = [
    { name: 'exclude-rampart-serviceaccount', expression: `request.userInfo.username != '${account}'` },
  ];
  if (matchesEverything)
    conditions.push(
      {
        name: 'exclude-leases',
        expression:
          "!(request.resource.group == 'coordination.k8s.io' && request.resource.resource == 'leases')",
      },
      {
        name: 'exclude-events',
        expression:
          "!(request.resource.group in ['', 'events.k8s.io'] && request.resource.resource == 'events')",
      },
    );
  return conditions;
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
