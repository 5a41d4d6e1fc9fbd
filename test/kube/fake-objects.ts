import type { ServerResponse } from 'node:http';

/**
 * The generic part of the FAKE Kubernetes API server (fake-apiserver.ts): discovery, and list / watch /
 * get / create / replace / delete for any resource type a test defines, with the API server's
 * concurrency rules: one cluster-wide resourceVersion counter, paged lists (`limit` / `continue`),
 * watches from a resourceVersion with BOOKMARK events, 410 Gone once history is compacted, and 409 on a
 * create that exists or a replace with a stale resourceVersion. Fault hooks force conflicts and 403s.
 */

type Json = Record<string, unknown>;

export interface FakeResourceType {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

export const CORE_TYPES: FakeResourceType[] = [
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
  {
    group: 'wgpolicyk8s.io',
    version: 'v1alpha2',
    kind: 'PolicyReport',
    plural: 'policyreports',
    namespaced: true,
  },
  {
    group: 'wgpolicyk8s.io',
    version: 'v1alpha2',
    kind: 'ClusterPolicyReport',
    plural: 'clusterpolicyreports',
    namespaced: false,
  },
];

interface Watcher {
  type: FakeResourceType;
  namespace?: string;
  res: ServerResponse;
  bookmarks: boolean;
}

interface HistoryEntry {
  rv: number;
  type: FakeResourceType;
  event: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: Json;
}

export interface ObjectFaults {
  /** The next N replaces (PUT) answer 409 Conflict, as if another writer got there first. */
  conflictingUpdates?: number;
  /** The next N creates (POST) answer 409 AlreadyExists (and the object appears, written by "another" client). */
  racingCreates?: number;
  /** Answer 403 Forbidden for these requests. */
  forbid?: (verb: string, type: FakeResourceType, namespace?: string) => boolean;
}

export class FakeObjectStore {
  readonly types: FakeResourceType[];
  private readonly objects = new Map<FakeResourceType, Map<string, Json>>();
  private readonly history: HistoryEntry[] = [];
  private readonly watchers = new Set<Watcher>();
  private revision = 100;
  private compactedAt = 0;
  faults: ObjectFaults = {};

  constructor(types: FakeResourceType[] = CORE_TYPES) {
    this.types = types;
    for (const t of types) this.objects.set(t, new Map());
  }

  get resourceVersion(): string {
    return String(this.revision);
  }

  /** Adds or replaces an object directly (as another client would), emitting the watch event. */
  put(object: Json): Json {
    const type = this.typeOf(object);
    const meta = (object.metadata ?? {}) as Json;
    const key = keyOf(meta.namespace as string | undefined, String(meta.name));
    const existed = this.objects.get(type)!.has(key);
    return this.commit(type, key, object, existed ? 'MODIFIED' : 'ADDED');
  }

  remove(kind: string, name: string, namespace?: string): void {
    const type = this.types.find((t) => t.kind === kind)!;
    const key = keyOf(namespace, name);
    const object = this.objects.get(type)!.get(key);
    if (!object) return;
    this.objects.get(type)!.delete(key);
    this.record(type, 'DELETED', {
      ...object,
      metadata: { ...(object.metadata as Json), resourceVersion: String(++this.revision) },
    });
  }

  get(kind: string, name: string, namespace?: string): Json | undefined {
    const type = this.types.find((t) => t.kind === kind)!;
    return this.objects.get(type)!.get(keyOf(namespace, name));
  }

  list(kind: string): Json[] {
    const type = this.types.find((t) => t.kind === kind)!;
    return [...this.objects.get(type)!.values()];
  }

  /** Forgets the event history: watches and continue tokens from before now get 410 Gone. */
  compact(): void {
    this.compactedAt = this.revision;
    this.history.length = 0;
  }

  /** Sends a BOOKMARK with the current resourceVersion to every watch that asked for bookmarks. */
  bookmark(): void {
    for (const w of this.watchers) {
      if (!w.bookmarks) continue;
      writeEvent(w.res, 'BOOKMARK', {
        apiVersion: apiVersionOf(w.type),
        kind: w.type.kind,
        metadata: { resourceVersion: this.resourceVersion },
      });
    }
  }

  /** Ends every open watch (cleanly, as a server-side timeout does; `broken` drops the connection instead). */
  endWatches(broken = false): void {
    for (const w of this.watchers) {
      if (broken) w.res.destroy();
      else w.res.end();
    }
    this.watchers.clear();
  }

  get openWatches(): number {
    return this.watchers.size;
  }

  /** Serves the request if it is for discovery or a defined type; false lets the caller route it. */
  handle(method: string, url: URL, body: string, res: ServerResponse): boolean {
    const path = url.pathname;
    if (this.types.length === 0) return false;
    if (method === 'GET' && path === '/api') {
      send(res, 200, { kind: 'APIVersions', versions: ['v1'] });
      return true;
    }
    if (method === 'GET' && path === '/apis') {
      const groups = [...new Set(this.types.filter((t) => t.group).map((t) => t.group))];
      send(res, 200, {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: groups.map((name) => {
          const version = this.types.find((t) => t.group === name)!.version;
          const gv = { groupVersion: `${name}/${version}`, version };
          return { name, versions: [gv], preferredVersion: gv };
        }),
      });
      return true;
    }
    const discovery = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
    if (method === 'GET' && discovery) {
      const group = discovery[2] ?? '';
      const version = discovery[1] ?? discovery[3]!;
      const types = this.types.filter((t) => t.group === group && t.version === version);
      if (types.length === 0) return false;
      send(res, 200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: group ? `${group}/${version}` : version,
        resources: types.map((t) => ({
          name: t.plural,
          singularName: t.kind.toLowerCase(),
          namespaced: t.namespaced,
          kind: t.kind,
          verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
        })),
      });
      return true;
    }
    const m = /^\/(?:api\/v1|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/.exec(
      path,
    );
    if (!m) return false;
    const group = m[1] ?? '';
    const version = m[2] ?? 'v1';
    const namespace = m[3] ? decodeURIComponent(m[3]) : undefined;
    const type = this.types.find((t) => t.group === group && t.version === version && t.plural === m[4]);
    if (!type) return false;
    const name = m[5] ? decodeURIComponent(m[5]) : undefined;
    const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    const verb = name
      ? ({ GET: 'get', PUT: 'update', DELETE: 'delete' } as Record<string, string>)[method]
      : watch
        ? 'watch'
        : ({ GET: 'list', POST: 'create' } as Record<string, string>)[method];
    if (!verb) {
      status(res, 405, 'MethodNotAllowed', `${method} is not allowed here`);
      return true;
    }
    if (this.faults.forbid?.(verb, type, namespace)) {
      const scope = namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope';
      status(
        res,
        403,
        'Forbidden',
        `${type.plural}${type.group ? `.${type.group}` : ''} is forbidden: User "system:serviceaccount:rampart:rampart" cannot ${verb} resource "${type.plural}" in API group "${type.group}"${scope}`,
      );
      return true;
    }
    if (verb === 'watch') this.watch(type, namespace, url.searchParams, res);
    else if (verb === 'list') this.listPage(type, namespace, url.searchParams, res);
    else if (verb === 'create') this.create(type, namespace, JSON.parse(body) as Json, res);
    else if (verb === 'get') {
      const object = this.objects.get(type)!.get(keyOf(namespace, name!));
      if (object) send(res, 200, object);
      else
        status(
          res,
          404,
          'NotFound',
          `${type.plural}${type.group ? `.${type.group}` : ''} "${name}" not found`,
        );
    } else if (verb === 'update') this.replace(type, namespace, name!, JSON.parse(body) as Json, res);
    else {
      this.remove(type.kind, name!, namespace);
      send(res, 200, { kind: 'Status', apiVersion: 'v1', status: 'Success' });
    }
    return true;
  }

  close(): void {
    this.endWatches(true);
  }

  private inScope(type: FakeResourceType, namespace: string | undefined): Json[] {
    return [...this.objects.get(type)!.entries()]
      .filter(([key]) => !namespace || key.startsWith(`${namespace}/`))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, o]) => o);
  }

  private listPage(
    type: FakeResourceType,
    namespace: string | undefined,
    q: URLSearchParams,
    res: ServerResponse,
  ) {
    let offset = 0;
    let listRv = this.revision;
    const token = q.get('continue');
    if (token) {
      const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as {
        rv: number;
        offset: number;
      };
      if (parsed.rv < this.compactedAt) {
        status(
          res,
          410,
          'Expired',
          'The provided continue parameter is too old to display a consistent list result.',
        );
        return;
      }
      offset = parsed.offset;
      listRv = parsed.rv;
    }
    const selector = q.get('labelSelector');
    const all = this.inScope(type, namespace).filter((o) => matches(o, selector));
    const limit = Number(q.get('limit') ?? 0);
    const items = limit > 0 ? all.slice(offset, offset + limit) : all.slice(offset);
    const next = limit > 0 && offset + limit < all.length ? offset + limit : undefined;
    send(res, 200, {
      apiVersion: apiVersionOf(type),
      kind: `${type.kind}List`,
      metadata: {
        resourceVersion: String(listRv),
        ...(next !== undefined
          ? { continue: Buffer.from(JSON.stringify({ rv: listRv, offset: next })).toString('base64') }
          : {}),
      },
      // List items carry no apiVersion/kind, as the real server sends them.
      items: items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest),
    });
  }

  private watch(
    type: FakeResourceType,
    namespace: string | undefined,
    q: URLSearchParams,
    res: ServerResponse,
  ) {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    const from = q.get('resourceVersion') ?? '';
    if (from === '' || from === '0') {
      for (const o of this.inScope(type, namespace)) writeEvent(res, 'ADDED', o);
    } else if (Number(from) < this.compactedAt) {
      // What kube-apiserver does: a 200 stream carrying one ERROR event with a 410 Status, then the end.
      writeEvent(res, 'ERROR', {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        message: `too old resource version: ${from} (${this.compactedAt})`,
        reason: 'Expired',
        code: 410,
      });
      res.end();
      return;
    } else {
      for (const h of this.history)
        if (h.type === type && h.rv > Number(from) && inNamespace(h.object, namespace))
          writeEvent(res, h.event, h.object);
    }
    const watcher: Watcher = { type, namespace, res, bookmarks: q.get('allowWatchBookmarks') === 'true' };
    this.watchers.add(watcher);
    const timeout = Number(q.get('timeoutSeconds') ?? 0);
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    res.on('close', () => {
      clearTimeout(timer);
      this.watchers.delete(watcher);
    });
  }

  private create(type: FakeResourceType, namespace: string | undefined, object: Json, res: ServerResponse) {
    const meta = (object.metadata ?? {}) as Json;
    const key = keyOf(namespace, String(meta.name));
    if (this.faults.racingCreates) {
      this.faults.racingCreates--;
      // The other writer's copy is older: it has none of the caller's results.
      this.commit(type, key, { ...object, results: [], metadata: { ...meta, namespace } }, 'ADDED');
    }
    if (this.objects.get(type)!.has(key)) {
      status(res, 409, 'AlreadyExists', `${type.plural}.${type.group} "${String(meta.name)}" already exists`);
      return;
    }
    if (meta.resourceVersion) {
      status(res, 400, 'BadRequest', 'resourceVersion should not be set on objects to be created');
      return;
    }
    send(
      res,
      201,
      this.commit(
        type,
        key,
        { ...object, metadata: { ...meta, ...(namespace ? { namespace } : {}) } },
        'ADDED',
      ),
    );
  }

  private replace(
    type: FakeResourceType,
    namespace: string | undefined,
    name: string,
    object: Json,
    res: ServerResponse,
  ) {
    const key = keyOf(namespace, name);
    const current = this.objects.get(type)!.get(key);
    if (!current) {
      status(res, 404, 'NotFound', `${type.plural}.${type.group} "${name}" not found`);
      return;
    }
    const conflict = () =>
      status(
        res,
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${type.plural}.${type.group} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    if (this.faults.conflictingUpdates) {
      this.faults.conflictingUpdates--;
      // Another writer updates it first, so the caller's resourceVersion is now stale.
      this.commit(type, key, { ...current }, 'MODIFIED');
      conflict();
      return;
    }
    const meta = (object.metadata ?? {}) as Json;
    if (!meta.resourceVersion) {
      status(
        res,
        422,
        'Invalid',
        'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
      );
      return;
    }
    if (meta.resourceVersion !== (current.metadata as Json).resourceVersion) {
      conflict();
      return;
    }
    send(res, 200, this.commit(type, key, object, 'MODIFIED'));
  }

  private commit(type: FakeResourceType, key: string, object: Json, event: 'ADDED' | 'MODIFIED'): Json {
    const previous = this.objects.get(type)!.get(key);
    const meta = (object.metadata ?? {}) as Json;
    const stored: Json = {
      ...object,
      apiVersion: apiVersionOf(type),
      kind: type.kind,
      metadata: {
        ...meta,
        uid: (previous?.metadata as Json | undefined)?.uid ?? `uid-${this.revision + 1}`,
        resourceVersion: String(++this.revision),
      },
    };
    this.objects.get(type)!.set(key, stored);
    this.record(type, event, stored);
    return stored;
  }

  private record(type: FakeResourceType, event: HistoryEntry['event'], object: Json): void {
    this.history.push({ rv: this.revision, type, event, object });
    for (const w of this.watchers)
      if (w.type === type && inNamespace(object, w.namespace)) writeEvent(w.res, event, object);
  }

  private typeOf(object: Json): FakeResourceType {
    const type = this.types.find((t) => t.kind === object.kind && apiVersionOf(t) === object.apiVersion);
    if (!type) throw new Error(`fake: no type for ${String(object.apiVersion)} ${String(object.kind)}`);
    return type;
  }
}

const keyOf = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;
const apiVersionOf = (t: FakeResourceType) => (t.group ? `${t.group}/${t.version}` : t.version);

function inNamespace(object: Json, namespace: string | undefined): boolean {
  return !namespace || (object.metadata as Json | undefined)?.namespace === namespace;
}

function matches(object: Json, selector: string | null): boolean {
  if (!selector) return true;
  const labels = ((object.metadata as Json | undefined)?.labels ?? {}) as Record<string, string>;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return labels[k!.trim()] === v?.trim();
  });
}

function writeEvent(res: ServerResponse, type: string, object: Json): void {
  if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify({ type, object })}\n`);
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  send(res, code, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  });
}
