import { isObject } from '../core/document.js';
import { UserError } from '../core/errors.js';
import type { KubeConfigOptions } from '../kube/config.js';
import {
  type InformerEvent,
  NamespaceInformer,
  type NamespaceInformerOptions,
} from '../kube/namespace-informer.js';
import { KubeRest } from '../kube/rest.js';
import { loadDocumentsFromFile } from '../load/documents.js';

export type NamespaceLabels = (namespace: string) => Record<string, string> | undefined;

/**
 * Namespace labels for `namespaceSelector` when no cluster is configured: a YAML/JSON file of Namespace
 * objects, or one mapping `{namespace: {label: value}}`. Every namespace also carries
 * `kubernetes.io/metadata.name`, as the API server sets it on all namespaces.
 */
export async function loadNamespaceLabels(file: string | undefined): Promise<NamespaceLabels> {
  const table = new Map<string, Record<string, string>>();
  if (file) {
    for (const doc of await loadDocumentsFromFile(file, { expandLists: true })) {
      const c = doc.content;
      if (!isObject(c)) continue;
      if (c.kind === 'Namespace') {
        const meta = isObject(c.metadata) ? c.metadata : {};
        if (typeof meta.name === 'string')
          table.set(meta.name, stringMap(meta.labels, `${file}: Namespace ${meta.name} labels`));
        continue;
      }
      for (const [ns, labels] of Object.entries(c)) table.set(ns, stringMap(labels, `${file}: ${ns}`));
    }
  }
  return (namespace) => {
    if (!namespace) return undefined;
    return { ...table.get(namespace), 'kubernetes.io/metadata.name': namespace };
  };
}

function stringMap(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new UserError(`${where}: labels must be a mapping`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) out[k] = String(v);
  return out;
}

/** Where the webhook's namespace labels come from, and whether they are in place yet. */
export interface NamespaceLabelSource {
  /** `cluster` (a Namespace informer), `file` (`--namespace-labels`), or `none` (names only). */
  readonly kind: 'cluster' | 'file' | 'none';
  readonly lookup: NamespaceLabels;
  /** False until a cluster source has listed the namespaces once (the webhook is not ready before). */
  ready(): boolean;
  stop(): Promise<void>;
}

export interface NamespaceLabelOptions {
  /** `--namespace-labels FILE`. */
  file?: string;
  /** `--kubeconfig` / `--context`; the environment decides whether Rampart runs in a pod. */
  kube?: KubeConfigOptions;
  /** Informer tuning (tests shorten the backoff). */
  informer?: Omit<NamespaceInformerOptions, 'onEvent'>;
  /** Retry delay when the first list fails (no RBAC yet, API server away): doubles up to `max`. */
  startBackoff?: { initialMs: number; maxMs: number };
  log?: (entry: Record<string, unknown>) => void;
}

/**
 * Whether a cluster is configured: `--kubeconfig` or `--context` given, or running in a pod (the
 * service account's `KUBERNETES_SERVICE_HOST`). A kubeconfig in the environment alone does not turn
 * the informer on for a local `rampart serve`.
 */
export function clusterConfigured(options: NamespaceLabelOptions): boolean {
  const kube = options.kube ?? {};
  const env = kube.env ?? process.env;
  return Boolean(
    kube.kubeconfig || kube.context || (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT),
  );
}

/**
 * The namespace label source the issue asks for: a Namespace informer (list, then watch with bookmarks,
 * re-list on 410 Gone; `src/kube/namespace-informer.ts`) when a cluster is configured, else the
 * `--namespace-labels` file, else names only. `--namespace-labels` given explicitly wins over an
 * in-cluster environment; with `--kubeconfig`/`--context` as well it is a usage error.
 */
export async function namespaceLabelSource(options: NamespaceLabelOptions): Promise<NamespaceLabelSource> {
  const explicitCluster = Boolean(options.kube?.kubeconfig || options.kube?.context);
  if (options.file && explicitCluster)
    throw new UserError('serve: use either --namespace-labels or --kubeconfig/--context, not both');
  if (options.file || !clusterConfigured(options)) {
    const lookup = await loadNamespaceLabels(options.file);
    return { kind: options.file ? 'file' : 'none', lookup, ready: () => true, stop: async () => {} };
  }
  return startInformer(KubeRest.fromOptions(options.kube), options);
}

const LOGGED: ReadonlySet<InformerEvent['type']> = new Set(['listed', 'expired', 'error']);

function startInformer(rest: KubeRest, options: NamespaceLabelOptions): NamespaceLabelSource {
  const log = options.log ?? (() => {});
  const informer = new NamespaceInformer(rest, {
    ...options.informer,
    onEvent: (event) => {
      if (!LOGGED.has(event.type)) return;
      log({
        level: event.type === 'error' ? 'warn' : 'info',
        msg: `namespace informer ${event.type}`,
        resourceVersion: event.resourceVersion,
        ...(event.namespaces !== undefined ? { namespaces: event.namespaces } : {}),
        ...(event.error ? { error: event.error.message } : {}),
      });
    },
  });
  let synced = false;
  let stopped = false;
  let wake: (() => void) | undefined;
  const initial = options.startBackoff?.initialMs ?? 500;
  const max = options.startBackoff?.maxMs ?? 30_000;
  // The first list may fail (RBAC not bound yet, API server restarting): retry with backoff, not ready meanwhile.
  const starting = (async () => {
    for (let delay = initial; !stopped; delay = Math.min(delay * 2, max)) {
      try {
        await informer.start();
        synced = true;
        return;
      } catch (error) {
        if (stopped) return;
        log({
          level: 'error',
          msg: 'namespace informer cannot list namespaces; retrying',
          error: (error as Error).message,
          retryMs: delay,
        });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  })();
  return {
    kind: 'cluster',
    lookup: informer.lookup,
    ready: () => synced,
    async stop() {
      stopped = true;
      wake?.();
      await starting;
      await informer.stop();
    },
  };
}
