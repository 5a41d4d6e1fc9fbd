import { KubeApiError } from './errors.js';
import type { Json, KubeRest } from './rest.js';

/** One listable resource type the API server serves (discovery's APIResource, in its preferred version). */
export interface ApiResource {
  group: string;
  version: string;
  /** `v1` or `group/version`. */
  apiVersion: string;
  kind: string;
  /** The plural resource name used in paths (`pods`, `deployments`). */
  plural: string;
  namespaced: boolean;
  verbs: string[];
}

interface ApiResourceList {
  groupVersion?: string;
  resources?: { name: string; kind: string; namespaced: boolean; verbs?: string[] }[];
}

/**
 * Discovery as kubectl does it: the core group (`/api/v1`) and the preferred version of every group
 * under `/apis`. Subresources (`pods/log`) and resources that cannot be listed are left out. A group
 * whose discovery fails (an aggregated API that is down answers 503) is skipped and reported in
 * `unavailable`, as `kubectl api-resources` warns and goes on.
 */
export async function discoverResources(
  rest: KubeRest,
): Promise<{ resources: ApiResource[]; unavailable: string[] }> {
  const core = await rest.request<ApiResourceList>({
    method: 'GET',
    path: '/api/v1',
    what: 'discover the core API (GET /api/v1)',
  });
  const resources = fromList(core, '', 'v1');
  const groups = await rest.request<{
    groups?: { name: string; preferredVersion?: { groupVersion: string; version: string } }[];
  }>({ method: 'GET', path: '/apis', what: 'discover API groups (GET /apis)' });
  const unavailable: string[] = [];
  for (const g of groups.groups ?? []) {
    const preferred = g.preferredVersion;
    if (!preferred) continue;
    try {
      const list = await rest.request<ApiResourceList>({
        method: 'GET',
        path: `/apis/${preferred.groupVersion}`,
        what: `discover ${preferred.groupVersion}`,
      });
      resources.push(...fromList(list, g.name, preferred.version));
    } catch (error) {
      if (!(error instanceof KubeApiError) || error.status === 401) throw error;
      unavailable.push(preferred.groupVersion);
    }
  }
  return { resources, unavailable };
}

function fromList(list: ApiResourceList, group: string, version: string): ApiResource[] {
  return (list.resources ?? [])
    .filter((r) => !r.name.includes('/') && (r.verbs ?? []).includes('list'))
    .map((r) => ({
      group,
      version,
      apiVersion: group ? `${group}/${version}` : version,
      kind: r.kind,
      plural: r.name,
      namespaced: r.namespaced,
      verbs: r.verbs ?? [],
    }));
}

/** The collection path of a resource: all namespaces, or one. */
export function collectionPath(
  resource: Pick<ApiResource, 'group' | 'version' | 'plural'>,
  namespace?: string,
) {
  const base = resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
  return namespace
    ? `${base}/namespaces/${encodeURIComponent(namespace)}/${resource.plural}`
    : `${base}/${resource.plural}`;
}

/** The name a resource goes by in messages and RBAC: `pods`, `deployments.apps`. */
export function resourceName(resource: Pick<ApiResource, 'group' | 'plural'>): string {
  return resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
}

export interface ListOptions {
  namespace?: string;
  /** Page size (`limit`); the server hands a `continue` token for the next page. Default 500, as kubectl. */
  pageSize?: number;
  labelSelector?: string;
}

/**
 * Lists every object of a resource, page by page (`limit` / `continue`), and returns them with their
 * `apiVersion` and `kind` filled in (list items omit them) and the list's resourceVersion, from which a
 * watch can start. A continue token that expired mid-list (410 Gone) restarts the list once from the
 * beginning, as client-go's pager falls back to a full list.
 */
export async function listAll(
  rest: KubeRest,
  resource: ApiResource,
  options: ListOptions = {},
): Promise<{ items: Json[]; resourceVersion: string }> {
  const where = options.namespace ? `in namespace ${options.namespace}` : 'in all namespaces';
  const what = `list ${resourceName(resource)}${resource.namespaced ? ` ${where}` : ''}`;
  for (let attempt = 0; ; attempt++) {
    const items: Json[] = [];
    let token: string | undefined;
    let resourceVersion = '';
    try {
      do {
        const page = await rest.request<{
          metadata?: { continue?: string; resourceVersion?: string };
          items?: Json[];
        }>({
          method: 'GET',
          path: collectionPath(resource, options.namespace),
          query: { limit: options.pageSize ?? 500, continue: token, labelSelector: options.labelSelector },
          what,
        });
        for (const item of page.items ?? [])
          items.push({ apiVersion: resource.apiVersion, kind: resource.kind, ...item });
        token = page.metadata?.continue || undefined;
        resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      } while (token);
      return { items, resourceVersion };
    } catch (error) {
      if (attempt === 0 && token && error instanceof KubeApiError && error.status === 410) continue;
      throw error;
    }
  }
}
