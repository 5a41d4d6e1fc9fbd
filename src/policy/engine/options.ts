import type { Document } from '../../core/document.js';
import type { CelServices } from '../cel/index.js';
import type { PolicyException } from '../exceptions/index.js';
import type { GroupVersionKind, UserInfo } from '../match/index.js';
import type { LoadedPolicy } from '../model/types.js';
import type { ContextSources } from '../vars/index.js';

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
  values?: (policy: LoadedPolicy, doc: Document) => SuppliedValues | undefined;
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
  /**
   * Every object the run knows besides the documents being evaluated (Namespaces, ConfigMaps, params
   * objects), for policy kinds that look objects up (`PolicyKind.prepare`). Defaults to the documents.
   */
  resourceSet?: readonly Document[];
  /** Offline answers for CEL policies' http / globalContext / imagedata / resource lookups (test context). */
  cel?: CelServices;
  /**
   * Known image verification verdicts (a values file's `imageVerifications`); offline verifyImages rules
   * skip without one. An object form may carry the digest `mutateDigest` writes.
   */
  imageVerdict?: (
    image: string,
    rule: string,
    policy?: Pick<LoadedPolicy, 'name' | 'namespace'>,
  ) => 'pass' | 'fail' | { verified: boolean; digest?: string } | undefined;
  /**
   * Called after each policy runs on a resource in a phase (its match check included) with the seconds it
   * took, so one engine call over many policies still yields per-policy execution times (the admission
   * server's metrics). Costs nothing when unset.
   */
  policyTimer?: (policy: LoadedPolicy, seconds: number) => void;
  /**
   * For a caller that only counts passes (a scan without --verbose): a Kyverno rule that passes in the
   * validate phase with nothing to report besides (no properties) is handed here instead of becoming a
   * rule response. On a large scan such passes are most of the responses. Unset, every pass is a response.
   */
  countPass?: (policy: LoadedPolicy, rule: string) => void;
}
