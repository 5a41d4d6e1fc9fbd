import { isObject } from '../core/document.js';
import type { Operation } from '../policy/engine/options.js';
import type { UserInfo } from '../policy/match/index.js';

/**
 * The AdmissionReview wire format (admission.k8s.io/v1 and v1beta1): parsing a review the way
 * kube-apiserver sends it, with every malformed shape rejected as a `ReviewError` (a 400), and building
 * the response review that echoes the request's uid.
 */

export const REVIEW_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const;
export type ReviewVersion = (typeof REVIEW_VERSIONS)[number];

const OPERATIONS = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

/** A request that is not a well-formed AdmissionReview: answered with its HTTP status, never evaluated. */
export class ReviewError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export interface GroupVersionKindWire {
  group: string;
  version: string;
  kind: string;
}

export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKindWire;
  resource: { group: string; version: string; resource: string };
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: Operation;
  userInfo: UserInfo;
  object: Record<string, unknown> | null;
  oldObject: Record<string, unknown> | null;
  dryRun: boolean;
}

export interface ParsedReview {
  apiVersion: ReviewVersion;
  request: AdmissionRequest;
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ReviewError(`request.${field} must be a string`);
  return value;
}

function objectOrNull(value: unknown, field: string): Record<string, unknown> | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) throw new ReviewError(`request.${field} must be an object`);
  return value;
}

function gvk(value: unknown, field: string): GroupVersionKindWire {
  if (!isObject(value)) throw new ReviewError(`request.${field} must be an object`);
  const kind = value.kind ?? value.resource;
  if (typeof kind !== 'string' || !kind) throw new ReviewError(`request.${field} is missing its kind`);
  return {
    group: typeof value.group === 'string' ? value.group : '',
    version: typeof value.version === 'string' ? value.version : '',
    kind,
  };
}

function userInfo(value: unknown): UserInfo {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new ReviewError('request.userInfo must be an object');
  const groups = value.groups;
  if (groups !== undefined && !(Array.isArray(groups) && groups.every((g) => typeof g === 'string')))
    throw new ReviewError('request.userInfo.groups must be a list of strings');
  return {
    username: optionalString(value.username, 'userInfo.username'),
    uid: optionalString(value.uid, 'userInfo.uid'),
    groups: groups as string[] | undefined,
  };
}

/** Validates a decoded JSON body as an AdmissionReview request. */
export function parseReview(body: unknown): ParsedReview {
  if (!isObject(body)) throw new ReviewError('body must be a JSON object (an AdmissionReview)');
  if (body.kind !== 'AdmissionReview')
    throw new ReviewError(`kind must be AdmissionReview, got ${JSON.stringify(body.kind ?? null)}`);
  if (!REVIEW_VERSIONS.includes(body.apiVersion as ReviewVersion))
    throw new ReviewError(
      `apiVersion must be ${REVIEW_VERSIONS.join(' or ')}, got ${JSON.stringify(body.apiVersion ?? null)}`,
    );
  const r = body.request;
  if (!isObject(r)) throw new ReviewError('request is missing');
  if (typeof r.uid !== 'string' || !r.uid) throw new ReviewError('request.uid is missing');
  if (typeof r.operation !== 'string' || !OPERATIONS.has(r.operation))
    throw new ReviewError('request.operation must be CREATE, UPDATE, DELETE or CONNECT');
  const resource = gvk(r.resource, 'resource');
  const request: AdmissionRequest = {
    uid: r.uid,
    kind: gvk(r.kind, 'kind'),
    resource: { group: resource.group, version: resource.version, resource: resource.kind },
    subResource: optionalString(r.subResource, 'subResource'),
    name: optionalString(r.name, 'name'),
    namespace: optionalString(r.namespace, 'namespace'),
    operation: r.operation as Operation,
    userInfo: userInfo(r.userInfo),
    object: objectOrNull(r.object, 'object'),
    oldObject: objectOrNull(r.oldObject, 'oldObject'),
    dryRun: r.dryRun === true,
  };
  if (request.operation === 'DELETE' ? !request.oldObject : !request.object)
    throw new ReviewError(
      `request.${request.operation === 'DELETE' ? 'oldObject' : 'object'} is missing for ${request.operation}`,
    );
  return { apiVersion: body.apiVersion as ReviewVersion, request };
}

/** The admission decision for one request, as the response review carries it. */
export interface Decision {
  allowed: boolean;
  /** Shown to the user when denied. */
  message?: string;
  /** HTTP-like code of the status (403 for a policy denial, 500 for an evaluation error). */
  code?: number;
  warnings: string[];
  /** RFC 6902 operations, base64-encoded in the response. */
  patch?: readonly unknown[];
}

/** The response AdmissionReview, in the request's apiVersion, echoing its uid. */
export function responseReview(
  apiVersion: ReviewVersion,
  uid: string,
  decision: Decision,
): Record<string, unknown> {
  const response: Record<string, unknown> = { uid, allowed: decision.allowed };
  if (!decision.allowed)
    response.status = {
      status: 'Failure',
      message: decision.message ?? '',
      reason: decision.code === 500 ? 'InternalError' : 'Forbidden',
      code: decision.code ?? 403,
    };
  if (decision.warnings.length) response.warnings = decision.warnings;
  if (decision.patch && decision.patch.length > 0) {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(decision.patch)).toString('base64');
  }
  return { apiVersion, kind: 'AdmissionReview', response };
}
