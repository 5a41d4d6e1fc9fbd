import cluster from 'node:cluster';
import { join } from 'node:path';
import { UserError } from '../core/errors.js';
import type { KubeConfigOptions } from '../kube/config.js';
import { CERT_FILES, ensureCertificates } from './certificates.js';
import type { FailurePolicy } from './decide.js';
import { ServeMetrics } from './metrics.js';
import { namespaceLabelSource } from './namespace-labels.js';
import { PolicyStore } from './policy-set.js';
import { startWebhook, type Webhook } from './server.js';

/** Everything `rampart serve` needs, parsed from its flags. */
export interface ServeConfig {
  policyPaths: string[];
  packs: string[];
  tls: { cert: string; key: string } | { generateDir: string };
  service: { namespace: string; name: string };
  host: string;
  port: number;
  namespaceLabelsFile?: string;
  /**
   * The cluster for the Namespace informer (`--kubeconfig`, `--context`); in a pod the service account
   * is used without it. Namespace labels then come from the cluster, kept current by a watch.
   */
  kube?: KubeConfigOptions;
  workers: number;
  failurePolicy: FailurePolicy;
  gracePeriodMs: number;
  /** How often certificate files are checked for rotation (default 2 s). */
  certPollMs?: number;
}

export type Logger = (entry: Record<string, unknown>) => void;

/** One JSON object per line on stdout, with a timestamp and the worker's pid. */
export const jsonLog: Logger = (entry) =>
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), pid: process.pid, ...entry })}\n`);

/** `host:port`, `:port` or `[v6]:port`. */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65535) throw new UserError(`serve: --listen must be HOST:PORT, got "${value}"`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

/** The certificate files to serve: given, or the ones generated under DIR. */
export function certificateFiles(config: ServeConfig): { cert: string; key: string } {
  if ('cert' in config.tls) return config.tls;
  return {
    cert: join(config.tls.generateDir, CERT_FILES.cert),
    key: join(config.tls.generateDir, CERT_FILES.key),
  };
}

/** Generates DIR/ca.crt, tls.crt, tls.key when missing; logs and returns the caBundle (base64 of ca.crt). */
export async function prepareGeneratedCertificates(
  config: ServeConfig,
  log: Logger,
): Promise<string | undefined> {
  if ('cert' in config.tls) return undefined;
  const dir = config.tls.generateDir;
  const { caBundle, generated } = await ensureCertificates(dir, config.service);
  log({ level: 'info', msg: generated ? 'certificates generated' : 'certificates reused', dir, caBundle });
  return caBundle;
}

/** Starts one serving process: policies, namespace labels (informer or file), metrics, the HTTPS server, hot reload. */
export async function startServer(
  config: ServeConfig,
  log: Logger = jsonLog,
): Promise<{
  webhook: Webhook;
  store: PolicyStore;
  stop(): Promise<void>;
}> {
  const metrics = new ServeMetrics();
  const store = new PolicyStore(
    { paths: config.policyPaths, packs: config.packs },
    {
      onReload: (set) => {
        metrics.reloads.inc({ result: 'success' });
        log({ level: 'info', msg: 'policies reloaded', policies: set.policies.length });
      },
      onReloadError: (error) => {
        metrics.reloads.inc({ result: 'error' });
        log({
          level: 'error',
          msg: 'policy reload rejected; the previous set keeps serving',
          error: error.message,
        });
      },
    },
  );
  const set = await store.load();
  await store.watch();
  const tls = certificateFiles(config);
  const namespaces = await namespaceLabelSource({
    file: config.namespaceLabelsFile,
    kube: config.kube,
    log,
  });
  const webhook = await startWebhook(
    {
      store,
      metrics,
      tls,
      namespaceLabels: namespaces.lookup,
      namespaceLabelsReady: namespaces.ready,
      failurePolicy: config.failurePolicy,
      log,
      certPollMs: config.certPollMs,
    },
    { host: config.host, port: config.port },
  ).catch(async (error) => {
    await namespaces.stop();
    throw error;
  });
  log({
    level: 'info',
    msg: 'serving',
    url: webhook.url,
    policies: set.policies.length,
    namespaceLabels: namespaces.kind,
  });
  return {
    webhook,
    store,
    stop: async () => {
      store.close();
      await webhook.shutdown(config.gracePeriodMs);
      await namespaces.stop();
    },
  };
}

/**
 * Runs until SIGTERM/SIGINT. With `workers` > 1 the primary only forks and supervises: every worker
 * listens on the same port (node's cluster module hands out connections).
 */
export async function serve(config: ServeConfig, log: Logger = jsonLog): Promise<number> {
  if (cluster.isPrimary) await prepareGeneratedCertificates(config, log);
  if (cluster.isPrimary && config.workers > 1) return supervise(config, log);
  const running = await startServer(config, log);
  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      log({ level: 'info', msg: 'shutting down', signal });
      running.stop().then(() => {
        // A cluster worker's IPC channel would keep it alive: let go of it so the process exits.
        if (cluster.isWorker) cluster.worker?.disconnect();
        resolve(0);
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

function supervise(config: ServeConfig, log: Logger): Promise<number> {
  let stopping = false;
  for (let i = 0; i < config.workers; i++) cluster.fork();
  cluster.on('exit', (worker, code) => {
    if (stopping) return;
    log({ level: 'error', msg: 'worker exited; starting another', worker: worker.process.pid, code });
    cluster.fork();
  });
  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      stopping = true;
      log({ level: 'info', msg: 'shutting down workers', signal });
      const workers = Object.values(cluster.workers ?? {});
      let left = workers.length;
      if (left === 0) resolve(0);
      // Workers finish their in-flight reviews within the grace period; one that hangs past it is killed.
      const deadline = setTimeout(() => {
        for (const w of workers) if (w && !w.isDead()) w.process.kill('SIGKILL');
      }, config.gracePeriodMs + 2_000);
      deadline.unref();
      for (const w of workers) {
        w?.once('exit', () => {
          if (--left === 0) {
            clearTimeout(deadline);
            resolve(0);
          }
        });
        w?.process.kill('SIGTERM');
      }
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
