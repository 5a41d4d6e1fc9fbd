// Kyverno's `validate.podSecurity`: the Kubernetes Pod Security Standards (k8s.io/pod-security-admission
// checks, release-1.34) with Kyverno's exclusion semantics (pkg/pss) and failure messages
// (pkg/engine/handlers/validation/validate_pss.go). Pure and synchronous.
import { controlNameOf } from './controls.js';
import { applyExclusions, type Exclusion } from './exclude.js';
import { formatChecks } from './format.js';
import { isObj, withContainerCache } from './helpers.js';
import { PodSecurityError, podOf, resourceFieldPath } from './pod.js';
import {
  type Evaluated,
  evaluateChecks,
  type Level,
  type PolicyVersion,
  parsePolicyVersion,
} from './registry.js';
import type { FieldError } from './types.js';

export { CONTROL_CHECK_IDS, CONTROL_NAMES } from './controls.js';
export { formatFieldError } from './format.js';
export { PodSecurityError } from './pod.js';
export { CHECKS, MAX_KNOWN_MINOR, parsePolicyVersion } from './registry.js';
export type { FieldError } from './types.js';
export { validatePodSecuritySpec } from './validate.js';

export interface PodSecurityExclude {
  controlName: string;
  images?: string[];
  restrictedField?: string;
  values?: string[];
}

export interface PodSecuritySpec {
  level: 'privileged' | 'baseline' | 'restricted';
  version?: string;
  exclude?: PodSecurityExclude[];
}

export interface PodSecurityCheck {
  /** pod-security-admission check ID, e.g. `capabilities_restricted`. */
  id: string;
  /** The standard's control name, e.g. `Capabilities`. */
  controlName: string;
  allowed: boolean;
  forbiddenReason?: string;
  forbiddenDetail?: string;
  /** Field errors as Kyverno reports them, with paths relative to the checked resource. */
  fieldErrors?: FieldError[];
  /** True when the check failed but every violation was exempted by `exclude`. */
  excluded?: boolean;
}

export interface PodSecurityResult {
  allowed: boolean;
  /** One entry per check the level and version ran, in pod-security-admission's order. */
  checks: PodSecurityCheck[];
  /**
   * Empty when allowed; otherwise what follows "Validation rule 'NAME' failed. " in Kyverno's message:
   * `It violates PodSecurity "restricted:latest": (Forbidden reason: …, field error list: […])…`.
   */
  message: string;
}

const LEVELS = new Set(['privileged', 'baseline', 'restricted']);

/**
 * Checks a Pod, or the pod template of a DaemonSet, Deployment, Job, StatefulSet, ReplicaSet,
 * ReplicationController or CronJob, against a podSecurity rule. Throws PodSecurityError for another kind,
 * an unknown level or a version that is neither `latest` nor `v1.<minor>`.
 */
export function evaluatePodSecurity(resource: unknown, spec: PodSecuritySpec): PodSecurityResult {
  return withContainerCache(() => evaluate(resource, spec));
}

function evaluate(resource: unknown, spec: PodSecuritySpec): PodSecurityResult {
  const levelText: unknown = spec?.level;
  if (typeof levelText !== 'string' || !LEVELS.has(levelText)) {
    throw new PodSecurityError(`invalid level ${JSON.stringify(levelText ?? '')}`);
  }
  const level = levelText as Level;
  const versionText = typeof spec.version === 'string' ? spec.version : '';
  const version = parsePolicyVersion(versionText);
  if (version === undefined) throw new PodSecurityError(`invalid version ${JSON.stringify(versionText)}`);
  const pod = podOf(resource);

  const evaluated = evaluateChecks(level, version, pod.meta, pod.spec);
  let failed: Evaluated[] = evaluated.filter((e) => !e.result.allowed);
  // Most pods pass: their checks are the same list for every pod of a level and version.
  if (failed.length === 0)
    return { allowed: true, checks: passingChecks(level, version, evaluated), message: '' };
  const exclusions = normaliseExclusions(spec.exclude);
  if (exclusions.length > 0) failed = applyExclusions(level, version, exclusions, failed, pod);

  const reported = failed.map((e) => ({
    id: e.id,
    reason: e.result.reason,
    detail: e.result.detail,
    errors: e.result.errors.map((err) => ({ ...err, field: resourceFieldPath(err.field, pod.kind) })),
  }));
  const failing = new Map(reported.map((r) => [r.id, r]));
  const originallyFailed = new Set(evaluated.filter((e) => !e.result.allowed).map((e) => e.id));
  const seen = new Set<string>();
  const checks: PodSecurityCheck[] = [];
  for (const { id } of evaluated) {
    if (seen.has(id)) continue;
    seen.add(id);
    const f = failing.get(id);
    const check: PodSecurityCheck = { id, controlName: controlNameOf(id), allowed: !f };
    if (f) {
      check.forbiddenReason = f.reason;
      check.forbiddenDetail = f.detail;
      check.fieldErrors = f.errors;
    } else if (originallyFailed.has(id)) {
      check.excluded = true;
    }
    checks.push(check);
  }
  const allowed = reported.length === 0;
  const message = allowed
    ? ''
    : `It violates PodSecurity "${levelText}:${versionText}": ${formatChecks(reported)}`;
  return { allowed, checks, message };
}

const passing = new Map<string, readonly PodSecurityCheck[]>();

/** The checks of an evaluation where every check passed (frozen: they are shared between results). */
function passingChecks(level: Level, version: PolicyVersion, evaluated: Evaluated[]): PodSecurityCheck[] {
  const key = `${level}:${version}`;
  let checks = passing.get(key);
  if (!checks) {
    const ids = [...new Set(evaluated.map((e) => e.id))];
    checks = ids.map((id) => Object.freeze({ id, controlName: controlNameOf(id), allowed: true }));
    passing.set(key, checks);
  }
  return checks.slice();
}

function normaliseExclusions(value: unknown): Exclusion[] {
  if (!Array.isArray(value)) return [];
  const strings = (v: unknown) =>
    Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
  return value.filter(isObj).map((e) => ({
    controlName: typeof e.controlName === 'string' ? e.controlName : '',
    images: strings(e.images),
    restrictedField: typeof e.restrictedField === 'string' ? e.restrictedField : '',
    values: strings(e.values),
  }));
}
