import { isObject } from '../document.js';
import { addQuantities, compareQuantities, parseQuantity, type Quantity } from '../units/quantity.js';

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

/** A container's (or the pod's) requests and limits: quantity strings, or plain numbers of cores/bytes. */
export interface QosResources {
  requests?: object | null;
  limits?: object | null;
}

/** Only CPU and memory decide the class (qos.go isSupportedQoSComputeResource). */
const QOS_RESOURCES = ['cpu', 'memory'] as const;

/**
 * An amount that takes part in the class: a positive quantity. Text Kubernetes cannot parse (a template
 * placeholder, say) still counts as set; `unknown` sums compare equal only to each other.
 */
type Amount = Quantity | 'unknown';

function amount(value: unknown): Amount | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && !Number.isFinite(value)) return 'unknown';
  const q = parseQuantity(String(value));
  if (!q) return 'unknown';
  return q.num > 0n ? q : undefined;
}

function add(a: Amount | undefined, b: Amount): Amount {
  if (a === undefined) return b;
  return a === 'unknown' || b === 'unknown' ? 'unknown' : addQuantities(a, b);
}

function same(a: Amount, b: Amount): boolean {
  if (a === 'unknown' || b === 'unknown') return a === b;
  return compareQuantities(a, b) === 0;
}

/** Requests as the API server stores them: an unset request defaults to its limit (core/v1 defaults). */
function defaulted(resources: QosResources): {
  requests: Record<string, unknown>;
  limits: Record<string, unknown>;
} {
  const limits = isObject(resources.limits) ? resources.limits : {};
  const requests = { ...(isObject(resources.requests) ? resources.requests : {}) };
  for (const [name, value] of Object.entries(limits))
    if (requests[name] === undefined || requests[name] === null) requests[name] = value;
  return { requests, limits };
}

/**
 * Kubernetes' QoS class (pkg/apis/core/v1/helper/qos ComputePodQOS) of a pod given as manifests write it:
 * positive CPU and memory requests and limits are summed over app and init containers (ephemeral
 * containers cannot set resources); no request and no limit is BestEffort; a limit for both CPU and
 * memory in every container with the summed requests equal to the summed limits is Guaranteed; anything
 * else is Burstable. Pod-level resources (`spec.resources`), where set, decide instead.
 */
export function qosClass(containers: readonly QosResources[], podLevel?: QosResources): QosClass {
  const podRequests: Record<string, unknown> = isObject(podLevel?.requests) ? podLevel.requests : {};
  const podLimits: Record<string, unknown> = isObject(podLevel?.limits) ? podLevel.limits : {};
  const usePodLevel = QOS_RESOURCES.some((r) => podRequests[r] !== undefined || podLimits[r] !== undefined);
  const sources = usePodLevel && podLevel ? [podLevel] : containers;
  const requests = new Map<string, Amount>();
  const limits = new Map<string, Amount>();
  let guaranteed = true;
  for (const source of sources) {
    const c = defaulted(source);
    const limitsFound = new Set<string>();
    for (const r of QOS_RESOURCES) {
      const request = amount(c.requests[r]);
      if (request !== undefined) requests.set(r, add(requests.get(r), request));
      const limit = amount(c.limits[r]);
      if (limit !== undefined) {
        limitsFound.add(r);
        limits.set(r, add(limits.get(r), limit));
      }
    }
    if (limitsFound.size < QOS_RESOURCES.length) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [r, request] of requests) {
      const limit = limits.get(r);
      if (limit === undefined || !same(limit, request)) guaranteed = false;
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

/** The QoS class of a pod spec (`spec` of a Pod, or of a controller's pod template). */
export function podSpecQosClass(podSpec: Record<string, any>): QosClass {
  const containers: unknown[] = [...(podSpec.containers ?? []), ...(podSpec.initContainers ?? [])];
  const resources = containers.map((c) => (isObject(c) && isObject(c.resources) ? c.resources : {}));
  return qosClass(resources as QosResources[], isObject(podSpec.resources) ? podSpec.resources : undefined);
}
