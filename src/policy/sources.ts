import type { Document } from '../core/document.js';
import { isObject } from '../core/document.js';
import { resourceRef } from './engine/resource.js';
import type { ContextSources } from './vars/index.js';

export interface ApiCallResponse {
  url?: string;
  urlPath?: string;
  method?: string;
  response?: { statusCode?: number; body?: unknown };
}

/** Plural resource names for the REST paths apiCall entries use (`/api/v1/namespaces/ns/pods`). */
function plural(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith('s')) return `${lower}es`;
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

function restPaths(content: Record<string, unknown>): string[] {
  const ref = resourceRef(content);
  const base = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
  const res = plural(ref.kind);
  if (ref.namespace) {
    return [
      `${base}/namespaces/${ref.namespace}/${res}`,
      `${base}/${res}`,
      `${base}/namespaces/${ref.namespace}/${res}/${ref.name}`,
    ];
  }
  return [`${base}/${res}`, `${base}/${res}/${ref.name}`];
}

/**
 * Offline context sources as Kyverno's CLI serves them: ConfigMaps and REST reads from the given
 * cluster resources, HTTP calls from mocked apiCallResponses.
 */
export function offlineSources(
  clusterResources: readonly Document[],
  apiCallResponses: readonly ApiCallResponse[] = [],
): ContextSources {
  const configMaps = new Map<string, Record<string, unknown>>();
  const collections = new Map<string, Record<string, unknown>[]>();
  const objects = new Map<string, Record<string, unknown>>();
  for (const doc of clusterResources) {
    if (!isObject(doc.content)) continue;
    const content = doc.content as Record<string, unknown>;
    const ref = resourceRef(content);
    if (ref.kind === 'ConfigMap') configMaps.set(`${ref.namespace || 'default'}/${ref.name}`, content);
    const paths = restPaths(content);
    const single = paths[paths.length - 1]!;
    objects.set(single, content);
    for (const p of paths.slice(0, -1)) {
      let list = collections.get(p);
      if (!list) collections.set(p, (list = []));
      list.push(content);
    }
  }
  return {
    configMap: (namespace, name) => configMaps.get(`${namespace || 'default'}/${name}`),
    apiCall: (call) => {
      const method = (call.method ?? 'GET').toUpperCase();
      const path = call.urlPath ?? '';
      for (const mock of apiCallResponses) {
        const mockMethod = (mock.method ?? 'GET').toUpperCase();
        if (mockMethod !== method) continue;
        if (
          (mock.urlPath && mock.urlPath === path) ||
          (mock.url && isObject(call.service) && mock.url === call.service.url)
        ) {
          return mock.response?.body ?? {};
        }
      }
      if (method !== 'GET' || !path) return undefined;
      const bare = path.split('?')[0]!;
      const obj = objects.get(bare);
      if (obj) return obj;
      const items = collections.get(bare);
      if (items) return { apiVersion: 'v1', kind: 'List', items, metadata: {} };
      return undefined;
    },
  };
}
