/**
 * What the CEL policy kinds share when they plug into the engine: the objects a run knows (params, cluster
 * resources for resource.Get/List), the offline services, and turning a validating outcome into a rule response.
 */
import type { Document } from '../../../core/document.js';
import { type CelServices, serviceVariables } from '../../cel/index.js';
import type { LoadedPolicy } from '../../engine/kind.js';
import type { EvaluateOptions } from '../../engine/options.js';
import type { ResourceRequest } from '../../engine/request.js';
import { ruleResponse } from '../../engine/response.js';
import { celExceptionApplies } from '../../exceptions/cel.js';
import { admissionActivation } from './activation.js';
import type { ValidatingOutcome } from './validating.js';

export interface CelRunContext {
  resources: Record<string, unknown>[];
  services: CelServices;
  /** The service variables, built once per run. */
  serviceVars: Record<string, unknown>;
  /** Per resource (and patch revision): the input and activation every CEL policy shares. */
  perRequest: WeakMap<
    ResourceRequest,
    {
      revision: number;
      input: AdmissionInputFor;
      activation: Record<string, unknown>;
      withActivation: AdmissionInputFor & { activation: Record<string, unknown> };
    }
  >;
  /** The run's Namespace objects by name (the first of each name), indexed on first use. */
  namespaces?: Map<string, Record<string, unknown>>;
}

type AdmissionInputFor = ReturnType<typeof buildInput>;

export function prepareCelRun(resourceSet: readonly Document[], options: EvaluateOptions): CelRunContext {
  const resources = resourceSet
    .map((d) => d.content)
    .filter((c): c is Record<string, unknown> => c !== null && typeof c === 'object' && !Array.isArray(c));
  const services = { ...(options.cel ?? {}), resources: [...resources, ...(options.cel?.resources ?? [])] };
  return { resources, services, serviceVars: serviceVariables(services), perRequest: new WeakMap() };
}

function namespaceObject(request: ResourceRequest, run: CelRunContext): Record<string, unknown> | null {
  const ns = request.ref.namespace;
  return ns ? namespaceObjectNamed(ns, request, run) : null;
}

/** Labels of a namespace by name: its Namespace object in the run, else the labels the options supply. */
export function namespaceLabels(
  ns: string,
  request: ResourceRequest,
  run: CelRunContext,
): Record<string, string> | undefined {
  const labels = (namespaceObjectNamed(ns, request, run).metadata as Record<string, unknown> | undefined)
    ?.labels;
  return labels && typeof labels === 'object' ? (labels as Record<string, string>) : undefined;
}

function namespaceObjectNamed(
  ns: string,
  request: ResourceRequest,
  run: CelRunContext,
): Record<string, unknown> {
  if (!run.namespaces) {
    // One pass over the run's resources instead of one per object under evaluation.
    run.namespaces = new Map();
    for (const r of run.resources) {
      const name = (r.metadata as Record<string, unknown> | undefined)?.name;
      if (r.kind === 'Namespace' && typeof name === 'string' && !run.namespaces.has(name))
        run.namespaces.set(name, r);
    }
  }
  const known = run.namespaces.get(ns);
  if (known) return known;
  const labels = request.options.namespaceLabels?.(ns);
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: labels ?? {} } };
}

/** The admission input and activation for one resource going through the engine, built once per resource. */
export function admissionFor(request: ResourceRequest, run: CelRunContext) {
  const hit = run.perRequest.get(request);
  if (hit && hit.revision === request.revision) return hit;
  const input = buildInput(request, run);
  const activation = admissionActivation(input, run.serviceVars);
  const entry = {
    revision: request.revision,
    input,
    activation,
    /** The input with its activation, as the kinds' evaluate functions take it: one object for every policy. */
    withActivation: { ...input, activation },
  };
  run.perRequest.set(request, entry);
  return entry;
}

function buildInput(request: ResourceRequest, run: CelRunContext) {
  const nsObject = namespaceObject(request, run);
  return {
    object: request.operation === 'DELETE' ? {} : request.resource,
    oldObject: (request.oldObject as Record<string, unknown> | null) ?? null,
    operation: request.operation,
    userInfo: request.options.userInfo,
    namespaceObject: nsObject,
    namespaceLabels: ((nsObject?.metadata as Record<string, unknown> | undefined)?.labels ?? undefined) as
      | Record<string, string>
      | undefined,
    resources: run.resources,
    services: run.services,
  };
}

export function addOutcome(
  policy: LoadedPolicy,
  rule: string,
  request: ResourceRequest,
  outcome: ValidatingOutcome,
): void {
  const properties: Record<string, string> = {};
  if (outcome.status === 'fail' || outcome.status === 'pass')
    for (const [k, v] of Object.entries(outcome.auditAnnotations)) properties[`auditAnnotation.${k}`] = v;
  if ((outcome.status === 'fail' || outcome.status === 'error') && outcome.index !== undefined)
    properties['cel.validationIndex'] = String(outcome.index);
  request.addResponse(
    ruleResponse(policy, rule, request.document, request.ref, {
      status: outcome.status,
      message: outcome.message,
      ...(Object.keys(properties).length ? { properties } : {}),
    }),
  );
}

/**
 * The policies.kyverno.io PolicyException that exempts this CEL policy for the object (its policyRefs name the
 * policy and every matchCondition holds), as Kyverno checks after the policy matched.
 */
export function celExceptionFor(
  policy: LoadedPolicy,
  request: ResourceRequest,
  activation: Record<string, unknown>,
): { status: 'skip'; message: string; properties: Record<string, string> } | undefined {
  const exceptions = request.options.exceptions;
  if (!exceptions?.length) return undefined;
  const applying = exceptions.filter((e) => e.cel && celExceptionApplies(e.cel, policy, activation));
  if (applying.length === 0) return undefined;
  const keys = applying.map((e) => e.key).join(', ');
  return {
    status: 'skip',
    message: `rule skipped due to policy exception ${keys}`,
    properties: { exceptions: keys },
  };
}
