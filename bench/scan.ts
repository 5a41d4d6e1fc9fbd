import { spawn } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { emptyConfig } from '../src/scan/config.js';
import { runScan } from '../src/scan/run.js';

const FILES = 5000;
const DOCUMENTS = 20000;
const NAMESPACES = 60;
const TARGET_S = 10;

/** Deterministic PRNG (mulberry32) so every run scans the same repository. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Doc = Record<string, unknown>;

/**
 * Builds manifests the way application repositories look: mostly well-formed workloads, with the usual
 * mistakes sprinkled in (latest tags, missing requests, privileged debug pods, hostPath mounts, GPU env
 * without a GPU limit, missing labels), so every pack has both passing and failing work to do.
 */
class Generator {
  private readonly rand = prng(20261126);
  private n = 0;

  private chance(p: number): boolean {
    return this.rand() < p;
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.rand() * list.length)]!;
  }

  namespace(i: number): Doc {
    return {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: `team-${i}`,
        labels: { team: `team-${i}`, ...(i % 5 === 0 ? { environment: 'production' } : {}) },
        annotations: { owner: `team-${i}@example.com`, 'cost-center': `cc-${1000 + i}` },
      },
    };
  }

  private container(name: string): Doc {
    const tag = this.chance(0.08)
      ? 'latest'
      : `1.${Math.floor(this.rand() * 30)}.${Math.floor(this.rand() * 10)}`;
    const digest = this.chance(0.3) ? `@sha256:${'ab12'.repeat(16)}` : '';
    const c: Doc = {
      name,
      image: `registry.example.com/${name}:${tag}${digest}`,
      ports: [{ containerPort: 8080 }],
    };
    if (!this.chance(0.15)) {
      const cpu = this.pick(['100m', '250m', '500m', '1', '2']);
      const mem = this.pick(['128Mi', '256Mi', '512Mi', '1Gi', '4Gi']);
      c.resources = {
        requests: { cpu, memory: mem },
        limits: this.chance(0.8)
          ? { memory: mem, ...(this.chance(0.3) ? { cpu: this.pick(['1', '2', '8']) } : {}) }
          : {},
      };
    }
    if (this.chance(0.6)) {
      c.securityContext = {
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: this.chance(0.7),
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      };
    } else if (this.chance(0.05)) {
      c.securityContext = { privileged: true };
    }
    if (this.chance(0.02)) c.env = [{ name: 'NVIDIA_VISIBLE_DEVICES', value: 'all' }];
    return c;
  }

  private podSpec(app: string): Doc {
    const spec: Doc = {
      automountServiceAccountToken: this.chance(0.5) ? false : undefined,
      containers: [this.container(app), ...(this.chance(0.2) ? [this.container('istio-proxy')] : [])],
    };
    if (spec.automountServiceAccountToken === undefined) delete spec.automountServiceAccountToken;
    if (this.chance(0.03)) {
      spec.volumes = [{ name: 'dev', hostPath: { path: '/dev' } }];
      (spec.containers as Doc[])[0]!.volumeMounts = [{ name: 'dev', mountPath: '/dev' }];
    }
    if (this.chance(0.04)) {
      (spec.containers as Doc[])[0]!.resources = { limits: { 'nvidia.com/gpu': 1 } };
    }
    return spec;
  }

  private meta(name: string, ns: string, app: string): Doc {
    return {
      name,
      namespace: ns,
      labels: this.chance(0.85) ? { team: ns, app } : { app },
      ...(this.chance(0.7) ? { annotations: { owner: `${ns}@example.com`, 'cost-center': 'cc-1' } } : {}),
    };
  }

  /** One application's worth of documents in a namespace. */
  next(ns: string): Doc {
    this.n++;
    const app = `app-${this.n}`;
    const roll = this.rand();
    if (roll < 0.35) {
      return {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: this.meta(app, ns, app),
        spec: {
          replicas: 1 + Math.floor(this.rand() * 4),
          selector: { matchLabels: { app } },
          template: { metadata: { labels: { app, team: ns } }, spec: this.podSpec(app) },
        },
      };
    }
    if (roll < 0.6) {
      return {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: this.meta(app, ns, app),
        spec: { selector: { app }, ports: [{ port: 80, targetPort: 8080 }] },
      };
    }
    if (roll < 0.8) {
      return {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: this.meta(`${app}-config`, ns, app),
        data: { 'app.properties': `name=${app}\nlevel=info\n`, LOG_LEVEL: 'info' },
      };
    }
    if (roll < 0.92) {
      return {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: this.meta(app, ns, app),
        spec: this.podSpec(app),
      };
    }
    return {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: this.meta(app, ns, app),
      spec: {
        schedule: '0 3 * * *',
        jobTemplate: {
          spec: { template: { spec: { ...this.podSpec(app), restartPolicy: 'OnFailure' } } },
        },
      },
    };
  }
}

/** Writes FILES files with DOCUMENTS documents between them (one to seven per file). */
export async function generateRepository(root: string): Promise<{ files: number; documents: number }> {
  const g = new Generator();
  const perFile: number[] = [];
  // Spread documents unevenly over files (1..7 each) but hit the exact total.
  const rand = prng(7);
  let left = DOCUMENTS - NAMESPACES;
  for (let f = 0; f < FILES - NAMESPACES; f++) {
    const filesLeft = FILES - NAMESPACES - f;
    const max = Math.min(7, left - (filesLeft - 1));
    const min = Math.max(1, left - (filesLeft - 1) * 7);
    const n = f === FILES - NAMESPACES - 1 ? left : min + Math.floor(rand() * (max - min + 1));
    perFile.push(n);
    left -= n;
  }
  let documents = 0;
  const writes: Promise<void>[] = [];
  const flush = async () => {
    await Promise.all(writes.splice(0));
  };
  for (let i = 0; i < NAMESPACES; i++) {
    const dir = join(root, 'clusters', `team-${i}`);
    await mkdir(dir, { recursive: true });
    writes.push(writeFile(join(dir, 'namespace.yaml'), stringify(g.namespace(i))));
    documents++;
  }
  for (const [f, count] of perFile.entries()) {
    const ns = `team-${f % NAMESPACES}`;
    const dir = join(root, 'apps', ns, `svc-${Math.floor(f / NAMESPACES) % 20}`);
    if (f < NAMESPACES * 20) await mkdir(dir, { recursive: true });
    const docs: Doc[] = [];
    for (let d = 0; d < count; d++) docs.push(g.next(ns));
    documents += docs.length;
    writes.push(writeFile(join(dir, `manifest-${f}.yaml`), docs.map((d) => stringify(d)).join('---\n')));
    if (writes.length >= 256) await flush();
  }
  await flush();
  return { files: FILES, documents };
}

function binPath(): string {
  // Compiled: dist/bench/scan.js; from source (tsx): bench/scan.ts.
  for (const rel of ['../../bin/rampart.js', '../bin/rampart.js']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error('bench/scan: bin/rampart.js not found');
}

function runCli(dir: string): Promise<{ code: number; seconds: number; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [binPath(), 'scan', dir, '-o', 'json'], {
      stdio: ['ignore', openSync('/dev/null', 'w'), 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) =>
      resolvePromise({ code: code ?? -1, seconds: (performance.now() - started) / 1000, stderr }),
    );
  });
}

export async function bench(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'rampart-scan-bench-'));
  try {
    const genStart = performance.now();
    const { files, documents } = await generateRepository(root);
    console.log(
      `generated ${files} files, ${documents} documents in ${((performance.now() - genStart) / 1000).toFixed(2)} s`,
    );

    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const rssBefore = process.memoryUsage().rss;
    const outcome = await runScan({ paths: [root], config: emptyConfig() });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const counts: Record<string, number> = {};
    for (const r of outcome.results) counts[r.status] = (counts[r.status] ?? 0) + 1;
    console.log(
      `runScan (packs: ${outcome.packs.join(', ')}): ${outcome.documents} documents in ${seconds.toFixed(2)} s = ${Math.round(outcome.documents / seconds)} documents/s (CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, rss +${Math.round((process.memoryUsage().rss - rssBefore) / 1048576)} MiB)`,
    );
    console.log(
      `  ${outcome.results.length} results: ${Object.entries(counts)
        .sort()
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}; ${outcome.errors.length} input errors, ${outcome.notices.length} notices`,
    );
    console.log(`  target < ${TARGET_S} s: ${seconds < TARGET_S ? 'met' : 'MISSED'}`);

    const cli = await runCli(root);
    console.log(
      `CLI \`rampart scan DIR -o json > /dev/null\`: ${cli.seconds.toFixed(2)} s wall, exit ${cli.code}` +
        (cli.code > 1 ? `; stderr: ${cli.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''),
    );
    console.log(`  target < ${TARGET_S} s: ${cli.seconds < TARGET_S ? 'met' : 'MISSED'}`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
