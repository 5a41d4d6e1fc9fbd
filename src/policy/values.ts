import type { Document } from '../core/document.js';
import { isObject } from '../core/document.js';
import { UserError } from '../core/errors.js';
import type { EvaluateOptions, SuppliedValues } from './engine/options.js';
import { resourceRef } from './engine/resource.js';
import type { UserInfo } from './match/index.js';
import { baseRuleName, type LoadedPolicy } from './model/types.js';
import { wildcardMatch } from './pattern/wildcard.js';
import { parseImageReference } from './vars/index.js';

/** Kyverno CLI's Values spec (kind: Values, or inline `values` in a test). */
export interface ValuesSpec {
  globalValues?: Record<string, unknown>;
  policies?: {
    name: string;
    rules?: { name: string; values?: Record<string, unknown>; foreachValues?: Record<string, unknown[]> }[];
    resources?: { name: string; values?: Record<string, unknown> }[];
  }[];
  namespaceSelector?: { name: string; labels?: Record<string, string> }[];
  namespaces?: Record<string, unknown>[];
  subresources?: { subresource?: ApiResource; parentResource?: ApiResource }[];
  /** Rampart's extension: what verifying an image would give, for offline verifyImages rules. */
  imageVerifications?: ImageVerificationValue[];
}

/**
 * One supplied image verification (a values-file `imageVerifications` entry): the outcome the
 * registry would give for the images it names, so verifyImages rules can pass or fail offline.
 */
export interface ImageVerificationValue {
  /** The image as the resource names it or in its full form (`docker.io/nginx:1.27`); `*` and `?` allowed. */
  image: string;
  verified: boolean;
  /** The digest the registry would report (`sha256:<hex>`); `mutateDigest` writes it into the resource. */
  digest?: string;
  /** Only for this policy (`name` or `namespace/name`) / rule. */
  policy?: string;
  rule?: string;
}

/** Kubernetes metav1.APIResource, as Kyverno CLI values files give it. */
export interface ApiResource {
  name?: string;
  kind?: string;
  group?: string;
  version?: string;
}

/**
 * Kyverno CLI `subresources`: a resource whose kind (and group/version) is a declared subresource is
 * matched as `<parent kind>/<subresource name>`, e.g. a Scale object as `Deployment/scale`.
 */
export function subresourceLookup(
  spec: ValuesSpec | undefined,
):
  | ((
      doc: Document,
    ) => { gvk: { group: string; version: string; kind: string }; subresource: string } | undefined)
  | undefined {
  const entries = (spec?.subresources ?? []).filter((e) => e.subresource?.kind && e.parentResource?.kind);
  if (!entries.length) return undefined;
  return (doc) => {
    const ref = resourceRef(doc.content);
    const slash = ref.apiVersion.indexOf('/');
    const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
    const version = slash < 0 ? ref.apiVersion : ref.apiVersion.slice(slash + 1);
    for (const e of entries) {
      const s = e.subresource!;
      if (s.kind !== ref.kind) continue;
      if (s.group !== undefined && s.group !== group) continue;
      if (s.version !== undefined && s.version !== version) continue;
      const p = e.parentResource!;
      const name = s.name ?? '';
      return {
        gvk: { group: p.group ?? '', version: p.version ?? '', kind: p.kind! },
        subresource: name.includes('/') ? name.slice(name.indexOf('/') + 1) : name,
      };
    }
    return undefined;
  };
}

const VALUES_FIELDS = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'globalValues',
  'policies',
  'namespaceSelector',
  'namespaces',
  'subresources',
  'imageVerifications',
]);
const IMAGE_VERIFICATION_FIELDS = new Set(['image', 'verified', 'digest', 'policy', 'rule']);
/** An OCI digest: algorithm, colon, hex-encoded value (opencontainers/go-digest's grammar). */
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

function checkImageVerifications(value: unknown, file: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw new UserError(`${file}: values.imageVerifications must be a list`);
  value.forEach((entry, i) => {
    const at = `${file}: values.imageVerifications[${i}]`;
    if (!isObject(entry)) throw new UserError(`${at} must be an object`);
    for (const key of Object.keys(entry)) {
      if (!IMAGE_VERIFICATION_FIELDS.has(key)) throw new UserError(`${at}: unknown field "${key}"`);
    }
    if (typeof entry.image !== 'string' || entry.image === '')
      throw new UserError(`${at}.image: required (an image reference)`);
    if (typeof entry.verified !== 'boolean') throw new UserError(`${at}.verified: must be true or false`);
    if (entry.digest !== undefined && (typeof entry.digest !== 'string' || !DIGEST.test(entry.digest)))
      throw new UserError(`${at}.digest: must be a digest such as sha256:<64 hex digits>`);
    for (const key of ['policy', 'rule'] as const) {
      if (entry[key] !== undefined && (typeof entry[key] !== 'string' || entry[key] === ''))
        throw new UserError(`${at}.${key}: must be a name`);
    }
  });
}

export function parseValuesSpec(content: unknown, file: string): ValuesSpec {
  if (!isObject(content)) throw new UserError(`${file}: a values file must be an object`);
  for (const key of Object.keys(content)) {
    if (!VALUES_FIELDS.has(key)) throw new UserError(`${file}: unknown field "${key}" in values`);
  }
  if (content.policies !== undefined && !Array.isArray(content.policies)) {
    throw new UserError(`${file}: values.policies must be a list`);
  }
  checkImageVerifications(content.imageVerifications, file);
  return content as ValuesSpec;
}

export function parseUserInfo(content: unknown, file: string): UserInfo {
  if (!isObject(content)) throw new UserError(`${file}: a user info file must be an object`);
  const info = isObject(content.userInfo) ? content.userInfo : {};
  return {
    username: typeof info.username === 'string' ? info.username : undefined,
    uid: typeof info.uid === 'string' ? info.uid : undefined,
    groups: Array.isArray(info.groups) ? info.groups.map(String) : [],
    roles: Array.isArray(content.roles) ? content.roles.map(String) : [],
    clusterRoles: Array.isArray(content.clusterRoles) ? content.clusterRoles.map(String) : [],
  };
}

/** The per policy × resource values provider the engine consumes, following Kyverno CLI precedence. */
export function valuesProvider(
  spec: ValuesSpec | undefined,
): ((policy: LoadedPolicy, doc: Document) => SuppliedValues) | undefined {
  if (!spec) return undefined;
  return (policy, doc) => {
    const ref = resourceRef(doc.content);
    const variables: Record<string, unknown> = { ...(spec.globalValues ?? {}) };
    const ruleValues: Record<string, Record<string, unknown>> = {};
    let foreachValues: Record<string, unknown[]> | undefined;
    for (const p of spec.policies ?? []) {
      if (p.name !== policy.name && p.name !== `${policy.namespace}/${policy.name}`) continue;
      for (const r of p.resources ?? []) {
        if (r.name === ref.name || r.name === `${ref.namespace}/${ref.name}`)
          Object.assign(variables, r.values ?? {});
      }
      for (const r of p.rules ?? []) {
        ruleValues[r.name] = { ...(ruleValues[r.name] ?? {}), ...(r.values ?? {}) };
        if (r.foreachValues) foreachValues = { ...(foreachValues ?? {}), ...r.foreachValues };
      }
    }
    return { variables, ruleValues, foreachValues };
  };
}

/** Namespace labels from Namespace resources and the values file (values' `namespaces` objects win). */
export function namespaceLabelLookup(
  resources: readonly Document[],
  spec: ValuesSpec | undefined,
): (namespace: string) => Record<string, string> | undefined {
  const labels = new Map<string, Record<string, string>>();
  for (const doc of resources) {
    const ref = resourceRef(doc.content);
    if (ref.kind !== 'Namespace') continue;
    const meta =
      isObject(doc.content) && isObject((doc.content as any).metadata) ? (doc.content as any).metadata : {};
    labels.set(ref.name, { ...(meta.labels ?? {}) });
  }
  for (const ns of spec?.namespaceSelector ?? []) labels.set(ns.name, { ...(ns.labels ?? {}) });
  for (const ns of spec?.namespaces ?? []) {
    const meta = isObject(ns.metadata) ? ns.metadata : {};
    if (typeof meta.name === 'string')
      labels.set(meta.name, { ...((meta.labels as Record<string, string>) ?? {}) });
  }
  return (namespace) => labels.get(namespace);
}

export function globalOperation(
  spec: ValuesSpec | undefined,
): 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT' | undefined {
  const op = spec?.globalValues?.['request.operation'];
  return typeof op === 'string' && ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'].includes(op)
    ? (op as any)
    : undefined;
}

/** A supplied verification: verified or not, and the digest `mutateDigest` writes, if given. */
export interface ImageVerificationOutcome {
  verified: boolean;
  digest?: string;
}

/**
 * The values file's `imageVerifications` as the engine's image verdict: for an image (as written in
 * the resource), a rule and its policy, the first entry whose `image` matches the image or its full
 * reference (`nginx:1.27` is `docker.io/nginx:1.27`) and whose `policy`/`rule`, when set, name them.
 */
export function imageVerdictLookup(
  spec: ValuesSpec | undefined,
):
  | ((
      image: string,
      rule: string,
      policy?: Pick<LoadedPolicy, 'name' | 'namespace'>,
    ) => ImageVerificationOutcome | undefined)
  | undefined {
  const entries = spec?.imageVerifications ?? [];
  if (!entries.length) return undefined;
  return (image, rule, policy) => {
    let full: string | undefined;
    try {
      full = parseImageReference(image).reference;
    } catch {
      full = undefined;
    }
    for (const e of entries) {
      if (e.rule !== undefined && e.rule !== rule && e.rule !== baseRuleName(rule)) continue;
      if (
        e.policy !== undefined &&
        (!policy || (e.policy !== policy.name && e.policy !== `${policy.namespace}/${policy.name}`))
      )
        continue;
      if (!wildcardMatch(e.image, image) && !(full !== undefined && wildcardMatch(e.image, full))) continue;
      return e.digest === undefined ? { verified: e.verified } : { verified: e.verified, digest: e.digest };
    }
    return undefined;
  };
}

/**
 * What a Kyverno CLI values file and user info add to an evaluation: the file's operation, Namespace
 * labels (from the lookups, the file's `namespaceSelector` entries winning), per policy × resource
 * values, subresource views.
 */
export function valuesOptions(
  spec: ValuesSpec | undefined,
  lookups: readonly Document[],
  userInfo?: UserInfo,
): Pick<
  EvaluateOptions,
  'operation' | 'userInfo' | 'namespaceLabels' | 'values' | 'subresourceFor' | 'imageVerdict'
> {
  return {
    operation: globalOperation(spec),
    userInfo,
    namespaceLabels: namespaceLabelLookup(lookups, spec),
    values: valuesProvider(spec),
    subresourceFor: subresourceLookup(spec),
    imageVerdict: imageVerdictLookup(spec),
  };
}

/**
 * The operation a per-resource value `request.operation` selects for one policy × resource pair.
 * Kyverno's CLI (policy_processor.go, makePolicyContext) switches to UPDATE or DELETE on it and
 * starts `request.oldObject` as a copy of the resource before the values are applied.
 */
export function resourceOperation(
  spec: ValuesSpec | undefined,
):
  | ((
      policy: Pick<LoadedPolicy, 'name' | 'namespace'>,
      doc: Document,
    ) => 'CREATE' | 'UPDATE' | 'DELETE' | undefined)
  | undefined {
  type Op = 'CREATE' | 'UPDATE' | 'DELETE';
  const entries = (spec?.policies ?? []).flatMap((p) =>
    (p.resources ?? []).flatMap((r): { policy: string; resource: string; op: Op }[] => {
      const op = r.values?.['request.operation'];
      return op === 'CREATE' || op === 'UPDATE' || op === 'DELETE'
        ? [{ policy: p.name, resource: r.name, op }]
        : [];
    }),
  );
  if (!entries.length) return undefined;
  return (policy, doc) => {
    const ref = resourceRef(doc.content);
    let found: 'CREATE' | 'UPDATE' | 'DELETE' | undefined;
    for (const e of entries) {
      if (e.policy !== policy.name && e.policy !== `${policy.namespace}/${policy.name}`) continue;
      if (e.resource === ref.name || e.resource === `${ref.namespace}/${ref.name}`) found = e.op;
    }
    return found;
  };
}
