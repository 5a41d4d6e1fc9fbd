/** A JSON object as it appears in a manifest. */
export type Obj = Record<string, unknown>;

/**
 * The value a field error reports, shaped as pod-security-admission's Go values are: booleans, integers,
 * strings and string lists. The empty string means "no value" (Go's field.Forbidden/Required default).
 */
export type BadValue = string | boolean | number | string[];

/** One entry of a check's field error list (k8s.io/apimachinery field.Error, Forbidden or Required). */
export interface FieldError {
  type: 'Forbidden' | 'Required';
  /** Pod-relative path, e.g. `spec.containers[0].securityContext.privileged`. */
  field: string;
  badValue: BadValue;
}

/** The outcome of one check on one pod (policy.CheckResult plus Kyverno's field error list). */
export interface CheckResult {
  allowed: boolean;
  reason: string;
  detail: string;
  errors: FieldError[];
}

export type CheckFn = (meta: Obj, spec: Obj) => CheckResult;

export interface VersionedCheck {
  /** Minor version of `v1.<minor>` from which this revision applies. */
  minVersion: number;
  check: CheckFn;
}

export interface Check {
  id: string;
  level: 'baseline' | 'restricted';
  /** Strictly increasing minVersion. */
  versions: VersionedCheck[];
}

export const ALLOWED: CheckResult = Object.freeze({
  allowed: true,
  reason: '',
  detail: '',
  errors: [],
}) as CheckResult;
