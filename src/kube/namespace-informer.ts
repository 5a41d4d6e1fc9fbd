import { KubeApiError } from './errors.js';
import { type ApiResource, listAll } from './resources.js';
import type { Json, KubeRest, WatchEvent, WatchHandle } from './rest.js';

/** Labels of a namespace for `namespaceSelector` (the admission server's NamespaceLabels shape). */
export type NamespaceLabelLookup = (namespace: string) => Record<string, string> | undefined;

export interface InformerEvent {
  type: 'listed' | 'watching' | 'bookmark' | 'changed' | 'expired' | 'error';
  resourceVersion: string;
  namespaces?: number;
  error?: Error;
}

export interface NamespaceInformerOptions {
  /** List page size (default 500). */
  pageSize?: number;
  /** Server-side watch timeout; the informer re-watches from the last resourceVersion (default 300 s). */
  watchTimeoutSeconds?: number;
  /** Reconnect backoff after an error: doubles from `initial` up to `max` (defaults 500 ms, 30 s). */
  backoff?: { initialMs: number; maxMs: number };
  /** Progress and trouble, for logs and tests. */
  onEvent?: (event: InformerEvent) => void;
}

const NAMESPACES: ApiResource = {
  group: '',
  version: 'v1',
  apiVersion: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  namespaced: false,
  verbs: ['list', 'watch'],
};

/**
 * Keeps every namespace's labels in memory, as client-go's informer does: list (paged), then watch from
 * the list's resourceVersion with bookmarks (so a reconnect resumes from a recent version and does not
 * need a re-list); when the server says the version is too old (410 Gone, as an HTTP status or an ERROR
 * event) it lists again; any other failure reconnects with exponential backoff. Lookups never wait.
 *
 * The admission server uses `lookup` where it would otherwise read `--namespace-labels FILE`.
 */
export class NamespaceInformer {
  private readonly table = new Map<string, Record<string, string>>();
  private rv = '';
  private stopped = false;
  private current: WatchHandle | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly options: NamespaceInformerOptions;

  constructor(
    private readonly rest: KubeRest,
    options: NamespaceInformerOptions = {},
  ) {
    this.options = options;
  }

  /** Lists the namespaces once and keeps watching; rejects if that first list fails (bad RBAC, no server). */
  async start(): Promise<void> {
    await this.relist();
    this.loop = this.run();
  }

  /** Stops watching; lookups keep answering from the last known state. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.current?.abort();
    this.wake?.();
    await this.loop;
  }

  /** The resourceVersion the next watch starts from. */
  get resourceVersion(): string {
    return this.rv;
  }

  get size(): number {
    return this.table.size;
  }

  /**
   * A namespace's labels plus `kubernetes.io/metadata.name` (the API server sets it on every namespace);
   * a namespace not seen yet still gets that one label, as the file-based lookup answers.
   */
  readonly lookup: NamespaceLabelLookup = (namespace) =>
    namespace ? { ...this.table.get(namespace), 'kubernetes.io/metadata.name': namespace } : undefined;

  private async relist(): Promise<void> {
    const { items, resourceVersion } = await listAll(this.rest, NAMESPACES, {
      pageSize: this.options.pageSize,
    });
    this.table.clear();
    for (const ns of items) this.put(ns);
    this.rv = resourceVersion;
    this.emit({ type: 'listed', namespaces: this.table.size });
  }

  private async run(): Promise<void> {
    const initial = this.options.backoff?.initialMs ?? 500;
    const max = this.options.backoff?.maxMs ?? 30_000;
    let delay = initial;
    while (!this.stopped) {
      try {
        if (!this.rv) await this.relist();
        await this.watchOnce();
        delay = initial;
      } catch (error) {
        if (this.stopped) break;
        if (error instanceof KubeApiError && error.status === 410) {
          // Too old: the events in between are gone, so only a fresh list is correct.
          this.rv = '';
          this.emit({ type: 'expired' });
          continue;
        }
        this.emit({ type: 'error', error: error as Error });
        await this.sleep(delay);
        delay = Math.min(delay * 2, max);
      }
    }
  }

  private async watchOnce(): Promise<void> {
    let expired: KubeApiError | undefined;
    const handle = await this.rest.watch(
      '/api/v1/namespaces',
      {
        resourceVersion: this.rv,
        allowWatchBookmarks: true,
        timeoutSeconds: this.options.watchTimeoutSeconds ?? 300,
      },
      (event) => {
        // The server ends the stream after an ERROR event; the error is raised once it has.
        const failure = this.apply(event);
        if (failure) expired = failure;
      },
      'watch namespaces',
    );
    this.current = handle;
    this.emit({ type: 'watching' });
    try {
      await handle.done;
    } catch (error) {
      if (!expired) throw error;
    } finally {
      this.current = undefined;
    }
    if (expired) throw expired;
  }

  /** Applies one event; returns the error an ERROR event carries. */
  private apply(event: WatchEvent): KubeApiError | undefined {
    const object = event.object ?? {};
    if (event.type === 'ERROR') {
      const code = Number(object.code ?? 0);
      return new KubeApiError(code, `watch namespaces: ${String(object.message ?? 'error event')}`, {
        reason: typeof object.reason === 'string' ? object.reason : undefined,
      });
    }
    const rv = (object.metadata as Json | undefined)?.resourceVersion;
    if (event.type === 'ADDED' || event.type === 'MODIFIED') this.put(object);
    else if (event.type === 'DELETED') this.table.delete(String((object.metadata as Json | undefined)?.name));
    if (typeof rv === 'string' && rv) this.rv = rv;
    this.emit({ type: event.type === 'BOOKMARK' ? 'bookmark' : 'changed', namespaces: this.table.size });
    return undefined;
  }

  private put(ns: Json): void {
    const meta = (ns.metadata ?? {}) as Json;
    if (typeof meta.name !== 'string') return;
    const labels = (meta.labels ?? {}) as Record<string, unknown>;
    this.table.set(meta.name, Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)])));
  }

  private emit(event: Omit<InformerEvent, 'resourceVersion'>): void {
    this.options.onEvent?.({ ...event, resourceVersion: this.rv });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
