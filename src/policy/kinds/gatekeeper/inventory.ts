/**
 * Gatekeeper's referential data, `data.inventory`, built from the objects a run knows (the resources
 * under review, `--inventory` files, a gator case's `inventory`): cluster-scoped objects under
 * `cluster[groupVersion][kind][name]`, namespaced ones under `namespace[ns][groupVersion][kind][name]`.
 * Only the Rego engine reads it (as `data.inventory`); Gatekeeper's K8sNativeValidation engine has no
 * referential data, so CEL templates do not see it here either.
 */
import { isObject } from '../../../core/document.js';

export interface Inventory {
  cluster: Record<string, Record<string, Record<string, unknown>>>;
  namespace: Record<string, Record<string, Record<string, Record<string, unknown>>>>;
}

function slot<T>(map: Record<string, T>, key: string, make: () => T): T {
  if (!Object.hasOwn(map, key)) map[key] = make();
  return map[key] as T;
}

export function buildInventory(objects: Iterable<unknown>): Inventory {
  const inventory: Inventory = { cluster: {}, namespace: {} };
  for (const o of objects) {
    if (!isObject(o) || !isObject(o.metadata)) continue;
    const apiVersion = String(o.apiVersion ?? '');
    const kind = String(o.kind ?? '');
    const name = String(o.metadata.name ?? '');
    if (!apiVersion || !kind || !name) continue;
    const ns = typeof o.metadata.namespace === 'string' ? o.metadata.namespace : '';
    const byGroupVersion: Record<string, Record<string, Record<string, unknown>>> = ns
      ? slot(inventory.namespace, ns, () => ({}))
      : inventory.cluster;
    const byKind = slot(byGroupVersion, apiVersion, (): Record<string, Record<string, unknown>> => ({}));
    slot(byKind, kind, (): Record<string, unknown> => ({}))[name] = o;
  }
  return inventory;
}
