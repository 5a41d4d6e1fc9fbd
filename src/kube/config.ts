import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { UserError } from '../core/errors.js';

/** Where the cluster connection comes from, chosen the way kubectl chooses it. */
export interface KubeConfigOptions {
  /** `--kubeconfig FILE`: this file only, it must exist. */
  kubeconfig?: string;
  /** `--context NAME`: overrides the file's current-context. */
  context?: string;
  /** `-n / --namespace`: overrides the context's namespace. */
  namespace?: string;
  /** The environment to read `KUBECONFIG`, `HOME` and the in-cluster variables from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Root of the in-cluster service account files (tests point it at a fixture). */
  serviceAccountDir?: string;
}

export interface ResolvedKubeConfig {
  kc: KubeConfig;
  /** The namespace commands use when none is given on an object. */
  namespace: string;
  /** The API server URL of the selected cluster. */
  server: string;
  /** The context in use, or `in-cluster`. */
  contextName: string;
  /** The files that were read, in merge order (empty in-cluster). */
  files: string[];
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Loads the client configuration with kubectl's precedence: `--kubeconfig`, else every existing file in
 * `KUBECONFIG` (merged, first file wins), else `~/.kube/config`, else the in-cluster service account.
 */
export function loadKubeConfig(options: KubeConfigOptions = {}): ResolvedKubeConfig {
  const env = options.env ?? process.env;
  const kc = new KubeConfig();
  let files: string[] = [];
  let inCluster = false;

  if (options.kubeconfig) {
    if (!existsSync(options.kubeconfig))
      throw new UserError(`kubeconfig ${options.kubeconfig}: no such file`);
    files = [options.kubeconfig];
  } else if (env.KUBECONFIG) {
    // kubectl skips listed files that do not exist, and fails only when none is left.
    files = env.KUBECONFIG.split(delimiter).filter((f) => f && existsSync(f));
  } else {
    const home = env.HOME ?? homedir();
    const fallback = join(home, '.kube', 'config');
    if (existsSync(fallback)) files = [fallback];
  }

  if (files.length > 0) {
    files.forEach((file, i) => {
      const one = i === 0 ? kc : new KubeConfig();
      try {
        one.loadFromFile(file);
      } catch (error) {
        // YAML syntax errors carry a mark: report them as file:line:column like every other input.
        const mark = (error as { mark?: { line: number; column: number }; reason?: string }).mark;
        const reason = (error as { reason?: string }).reason;
        if (mark && reason)
          throw new UserError(`malformed kubeconfig: ${reason}`, {
            position: { file, line: mark.line + 1, column: mark.column + 1 },
            cause: error,
          });
        throw new UserError(`kubeconfig ${file}: ${(error as Error).message}`, { cause: error });
      }
      if (i > 0) kc.mergeConfig(one, true);
    });
  } else if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT) {
    loadInCluster(kc, env, options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR);
    inCluster = true;
  } else {
    throw new UserError(
      'no Kubernetes configuration: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, or run inside a pod',
    );
  }

  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new UserError(
        `context "${options.context}" not found in kubeconfig${known.length ? ` (known: ${known.join(', ')})` : ''}`,
      );
    }
    kc.setCurrentContext(options.context);
  }

  allowPlainHttp(kc);
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    const name = kc.getCurrentContext();
    throw new UserError(
      name ? `context "${name}" names no known cluster` : 'kubeconfig has no current-context; pass --context',
    );
  }
  const contextObject = inCluster ? null : kc.getContextObject(kc.getCurrentContext());
  const namespace =
    options.namespace ||
    contextObject?.namespace ||
    (inCluster ? readInClusterNamespace(options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR) : undefined) ||
    'default';
  return {
    kc,
    namespace,
    server: cluster.server.replace(/\/+$/, ''),
    contextName: inCluster ? 'in-cluster' : kc.getCurrentContext(),
    files,
  };
}

function loadInCluster(kc: KubeConfig, env: NodeJS.ProcessEnv, dir: string): void {
  const host = env.KUBERNETES_SERVICE_HOST as string;
  const port = env.KUBERNETES_SERVICE_PORT as string;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  kc.loadFromOptions({
    clusters: [
      {
        name: 'in-cluster',
        server: `https://${hostPart}:${port}`,
        caFile: join(dir, 'ca.crt'),
        skipTLSVerify: false,
      },
    ],
    // The token file is re-read by the library as it rotates (bound service account tokens expire).
    users: [
      { name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile: join(dir, 'token') } } },
    ],
    contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster' }],
    currentContext: 'in-cluster',
  });
}

function readInClusterNamespace(dir: string): string | undefined {
  try {
    return readFileSync(join(dir, 'namespace'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The library refuses `http://` servers unless TLS verification is "skipped", which means nothing for
 * plain HTTP. kubectl talks to such servers (local test clusters, `kubectl proxy`), so we do too.
 */
function allowPlainHttp(kc: KubeConfig): void {
  kc.clusters = kc.clusters.map((c) => (c.server.startsWith('http:') ? { ...c, skipTLSVerify: true } : c));
}
