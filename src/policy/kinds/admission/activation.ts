/**
 * The variables an admission expression sees, built the way the API server builds them for a CREATE (or the
 * operation the test names): `object`, `oldObject`, `request` (an AdmissionRequest), `namespaceObject`,
 * `params`, plus the offline service variables (resource, http, globalContext, imagedata, authorizer).
 */
import { type CelServices, serviceVariables, toCel, toCelOnce } from '../../cel/index.js';
import { gvrOf } from './match-resources.js';

export interface AdmissionInput {
  object: Record<string, unknown> | null;
  oldObject?: Record<string, unknown> | null;
  operation?: string;
  userInfo?: { username?: string; uid?: string; groups?: string[] };
  namespaceObject?: Record<string, unknown> | null;
  params?: unknown;
  services?: CelServices;
}

export function admissionRequest(input: AdmissionInput): Record<string, unknown> {
  const subject =
    (input.object && Object.keys(input.object).length > 0 ? input.object : input.oldObject) ?? {};
  const gvr = gvrOf(subject);
  const meta = (subject.metadata ?? {}) as Record<string, unknown>;
  return {
    uid: '',
    kind: { group: gvr.group, version: gvr.version, kind: gvr.kind },
    resource: { group: gvr.group, version: gvr.version, resource: gvr.resource },
    requestKind: { group: gvr.group, version: gvr.version, kind: gvr.kind },
    requestResource: { group: gvr.group, version: gvr.version, resource: gvr.resource },
    name: meta.name ?? '',
    namespace: meta.namespace ?? '',
    operation: input.operation ?? 'CREATE',
    userInfo: { username: '', uid: '', groups: [], ...(input.userInfo ?? {}) },
    dryRun: true,
    options: {},
  };
}

/**
 * The activation for one object. `services` may be passed pre-built (once per run) to keep the per-object cost
 * down; `params` is converted separately because it differs per binding.
 */
export function admissionActivation(
  input: AdmissionInput,
  prebuiltServices?: Record<string, unknown>,
): Record<string, unknown> {
  return {
    ...(prebuiltServices ?? serviceVariables(input.services)),
    object: toCel(input.object ?? null),
    oldObject: toCel(input.oldObject ?? null),
    request: toCelOnce(admissionRequest(input)),
    namespaceObject: toCel(input.namespaceObject ?? null),
    params: toCel(input.params ?? null),
    variables: {},
    exceptions: { allowedImages: [], allowedValues: [] },
    images: {},
  };
}
