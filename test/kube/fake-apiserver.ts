import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import {
  CLOSE,
  ERROR,
  type ExecStatusObject,
  frame,
  PROTOCOL_V4,
  PROTOCOL_V5,
  STDERR,
  STDIN,
  STDOUT,
  statusForExit,
} from '../../src/kube/channel.js';
import { FakeObjectStore, type FakeResourceType } from './fake-objects.js';

/**
 * A FAKE Kubernetes API server for tests — no real API server can run here. It speaks the protocol for
 * real: JSON pods and nodes over HTTP on 127.0.0.1, and exec over WebSocket with the v5/v4 channel framing.
 * Exec runs the command as a real local process whose working directory is the pod's scratch root, so
 * `tar`, `sh` and friends really run on the "container" side. Scenario hooks let a test shape each pod's
 * environment (env, PATH with stand-in binaries), reject pods at admission, and break streams on purpose.
 */

export type Json = Record<string, unknown>;
export type FakePod = Json & {
  metadata: Json & { name: string; namespace: string; labels?: Record<string, string> };
  spec?: Json & { containers?: { name: string }[]; ephemeralContainers?: { name: string }[] };
  status?: Json;
};

export interface FakeExecContext {
  namespace: string;
  pod: FakePod;
  /** The container asked for (or the first one). */
  container: string;
  command: string[];
  stdin: boolean;
  tty: boolean;
  protocol: string;
  /** The pod's scratch directory: the command's working directory. */
  root: string;
}

export interface ExecFaults {
  /** Drop the connection (no status) after sending this many stdout bytes. */
  breakAfterStdoutBytes?: number;
  /** Drop the connection (no status) after receiving this many stdin bytes. */
  breakAfterStdinBytes?: number;
  /** Answer with this Status instead of running anything (e.g. a runtime error). */
  status?: ExecStatusObject;
  /** Environment for the process, merged over the pod's (PATH replaces the default PATH). */
  env?: Record<string, string>;
}

export interface FakeScenario {
  /** Subprotocols the server speaks, in its order of preference (default v5, v4). */
  protocols?: string[];
  /** How long a created pod stays Pending before it reports Running (default 30 ms). */
  startDelayMs?: number;
  /** Admission: return a rejection to refuse the pod (e.g. 403 for a privileged pod). */
  onCreatePod?: (pod: FakePod) => { reject?: { code: number; message: string } } | undefined;
  /** The phase a created pod reaches instead of Running (e.g. 'Failed'). */
  finalPhase?: (pod: FakePod) => string | undefined;
  /** Per-pod environment for every exec (e.g. NVIDIA_VISIBLE_DEVICES). */
  podEnv?: (pod: FakePod) => Record<string, string> | undefined;
  /** Directories put first on PATH for every exec (stand-in binaries such as nvidia-smi). */
  pathDirs?: string[];
  /** Per-exec faults and overrides. */
  onExec?: (ctx: FakeExecContext) => ExecFaults | undefined;
  nodes?: Json[];
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** Resource types served generically (discovery, list/watch/CRUD) by `objects`; see fake-objects.ts. */
  types?: FakeResourceType[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
}

interface PodRecord {
  pod: FakePod;
  root: string;
  createdAt: number;
}

export class FakeApiServer {
  readonly url: string;
  readonly requests: RecordedRequest[] = [];
  readonly execs: FakeExecContext[] = [];
  /** Names (`ns/name`) of pods deleted through the API, in order. */
  readonly deleted: string[] = [];
  /** Generic objects of the scenario's `types` (namespaces, workloads, PolicyReports...). */
  readonly objects: FakeObjectStore;
  private readonly pods = new Map<string, PodRecord>();
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly scratch: string;
  private readonly children = new Set<ChildProcess>();
  scenario: FakeScenario;

  private constructor(server: Server, wss: WebSocketServer, scenario: FakeScenario, scratch: string) {
    this.server = server;
    this.wss = wss;
    this.scenario = scenario;
    this.scratch = scratch;
    this.objects = new FakeObjectStore(scenario.types ?? []);
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  static async start(scenario: FakeScenario = {}): Promise<FakeApiServer> {
    const scratch = mkdtempSync(join(tmpdir(), 'rampart-fake-k8s-'));
    const offered = scenario.protocols ?? [PROTOCOL_V5, PROTOCOL_V4];
    const wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: 64 * 1024 * 1024,
      handleProtocols: (protocols) => offered.find((p) => protocols.has(p)) ?? false,
    });
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const fake = new FakeApiServer(server, wss, scenario, scratch);
    server.on('request', (req, res) => fake.handle(req, res));
    server.on('upgrade', (req, socket, head) => fake.upgrade(req, socket as import('node:net').Socket, head));
    return fake;
  }

  /** Writes a kubeconfig for this server (token auth when the scenario asks for it) and returns its path. */
  writeKubeconfig(dir: string, options: { namespace?: string; context?: string } = {}): string {
    const context = options.context ?? 'fake';
    const file = join(dir, 'kubeconfig');
    const lines = [
      'apiVersion: v1',
      'kind: Config',
      `current-context: ${context}`,
      'clusters:',
      `- name: fake\n  cluster:\n    server: ${this.url}`,
      'users:',
      `- name: fake\n  user:\n    token: ${this.scenario.token ?? 'unused'}`,
      'contexts:',
      `- name: ${context}\n  context:\n    cluster: fake\n    user: fake${options.namespace ? `\n    namespace: ${options.namespace}` : ''}`,
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  }

  /** Adds a running pod directly (as if created earlier) and returns its scratch root. */
  addPod(
    name: string,
    options: { namespace?: string; containers?: string[]; labels?: Record<string, string> } = {},
  ): string {
    const namespace = options.namespace ?? 'default';
    const pod: FakePod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace, labels: options.labels ?? {} },
      spec: { containers: (options.containers ?? ['main']).map((c) => ({ name: c, image: 'fake' })) },
    };
    return this.store(pod, 0).root;
  }

  podRoot(name: string, namespace = 'default'): string {
    const record = this.pods.get(`${namespace}/${name}`);
    if (!record) throw new Error(`fake: no pod ${namespace}/${name}`);
    return record.root;
  }

  hasPod(name: string, namespace = 'default'): boolean {
    return this.pods.has(`${namespace}/${name}`);
  }

  async close(): Promise<void> {
    this.objects.close();
    for (const child of this.children) child.kill('SIGKILL');
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.scratch, { recursive: true, force: true });
  }

  private store(pod: FakePod, createdAt: number): PodRecord {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const root = join(this.scratch, pod.metadata.namespace, pod.metadata.name);
    mkdirSync(root, { recursive: true });
    const record = { pod, root, createdAt };
    this.pods.set(key, record);
    return record;
  }

  private view(record: PodRecord): FakePod {
    const delay = this.scenario.startDelayMs ?? 30;
    const started = Date.now() - record.createdAt >= delay;
    const final = this.scenario.finalPhase?.(record.pod) ?? 'Running';
    const phase = started ? final : 'Pending';
    const containers = record.pod.spec?.containers ?? [];
    const ephemeral = record.pod.spec?.ephemeralContainers ?? [];
    const state =
      phase === 'Running'
        ? { running: { startedAt: new Date(record.createdAt).toISOString() } }
        : { waiting: { reason: 'ContainerCreating' } };
    return {
      ...record.pod,
      status: {
        phase,
        podIP: '10.0.0.2',
        containerStatuses: containers.map((c) => ({
          name: c.name,
          ready: phase === 'Running',
          restartCount: 0,
          image: 'fake',
          imageID: '',
          state,
        })),
        ephemeralContainerStatuses: ephemeral.map((c) => ({
          name: c.name,
          ready: false,
          restartCount: 0,
          image: 'fake',
          imageID: '',
          state,
        })),
      },
    };
  }

  private authorized(req: IncomingMessage): boolean {
    if (!this.scenario.token) return true;
    return req.headers.authorization === `Bearer ${this.scenario.token}`;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.search });
    if (!this.authorized(req)) {
      sendStatus(res, 401, 'Unauthorized', 'Unauthorized');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        this.route(req.method ?? 'GET', url, Buffer.concat(chunks).toString('utf8'), res);
      } catch (error) {
        sendStatus(res, 500, 'InternalError', (error as Error).message);
      }
    });
  }

  private route(method: string, url: URL, body: string, res: ServerResponse): void {
    const path = url.pathname;
    if (this.objects.handle(method, url, body, res)) return;
    if (path === '/api/v1/nodes' && method === 'GET') {
      const nodes = (this.scenario.nodes ?? []).filter((n) =>
        matchesLabels(n, url.searchParams.get('labelSelector')),
      );
      sendJson(res, 200, { apiVersion: 'v1', kind: 'NodeList', metadata: {}, items: nodes });
      return;
    }
    const list = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(path);
    if (list) {
      const namespace = decodeURIComponent(list[1] as string);
      if (method === 'GET') {
        const items = [...this.pods.values()]
          .filter((r) => r.pod.metadata.namespace === namespace)
          .map((r) => this.view(r))
          .filter((p) => matchesLabels(p, url.searchParams.get('labelSelector')));
        sendJson(res, 200, { apiVersion: 'v1', kind: 'PodList', metadata: {}, items });
        return;
      }
      if (method === 'POST') {
        const pod = JSON.parse(body) as FakePod;
        pod.metadata = { ...pod.metadata, namespace };
        if (!pod.metadata.name && typeof pod.metadata.generateName === 'string') {
          pod.metadata.name = `${pod.metadata.generateName}${Math.random().toString(36).slice(2, 7)}`;
        }
        const key = `${namespace}/${pod.metadata.name}`;
        if (this.pods.has(key)) {
          sendStatus(res, 409, 'AlreadyExists', `pods "${pod.metadata.name}" already exists`);
          return;
        }
        const verdict = this.scenario.onCreatePod?.(pod);
        if (verdict?.reject) {
          sendStatus(res, verdict.reject.code, 'Forbidden', verdict.reject.message);
          return;
        }
        pod.metadata.uid = `uid-${Math.random().toString(36).slice(2)}`;
        sendJson(res, 201, this.view(this.store(pod, Date.now())));
        return;
      }
    }
    const one = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)(\/ephemeralcontainers)?$/.exec(path);
    if (one) {
      const namespace = decodeURIComponent(one[1] as string);
      const name = decodeURIComponent(one[2] as string);
      const key = `${namespace}/${name}`;
      const record = this.pods.get(key);
      if (!record) {
        sendStatus(res, 404, 'NotFound', `pods "${name}" not found`);
        return;
      }
      if (one[3] && method === 'PATCH') {
        const patch = JSON.parse(body) as { spec?: { ephemeralContainers?: { name: string }[] } };
        record.pod.spec = { ...record.pod.spec, ephemeralContainers: patch.spec?.ephemeralContainers ?? [] };
        sendJson(res, 200, this.view(record));
        return;
      }
      if (method === 'GET') {
        sendJson(res, 200, this.view(record));
        return;
      }
      if (method === 'DELETE') {
        this.pods.delete(key);
        this.deleted.push(key);
        sendJson(res, 200, this.view(record));
        return;
      }
    }
    sendStatus(res, 404, 'NotFound', `the server could not find the requested resource (${method} ${path})`);
  }

  private upgrade(req: IncomingMessage, socket: import('node:net').Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push({ method: 'UPGRADE', path: url.pathname, query: url.search });
    const reject = (code: number, reason: string, message: string) => {
      const body = JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message,
        reason,
        code,
      });
      socket.end(
        `HTTP/1.1 ${code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    };
    if (!this.authorized(req)) {
      reject(401, 'Unauthorized', 'Unauthorized');
      return;
    }
    const match = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach)$/.exec(url.pathname);
    if (!match) {
      reject(404, 'NotFound', 'the server could not find the requested resource');
      return;
    }
    const namespace = decodeURIComponent(match[1] as string);
    const name = decodeURIComponent(match[2] as string);
    const record = this.pods.get(`${namespace}/${name}`);
    if (!record) {
      reject(404, 'NotFound', `pods "${name}" not found`);
      return;
    }
    const pod = this.view(record);
    if (pod.status?.phase !== 'Running') {
      reject(400, 'BadRequest', `pod ${name} is not running (phase ${String(pod.status?.phase)})`);
      return;
    }
    const names = [
      ...(record.pod.spec?.containers ?? []),
      ...(record.pod.spec?.ephemeralContainers ?? []),
    ].map((c) => c.name);
    const container = url.searchParams.get('container') ?? names[0] ?? 'main';
    if (!names.includes(container)) {
      reject(400, 'BadRequest', `container ${container} is not valid for pod ${name}`);
      return;
    }
    const command = url.searchParams.getAll('command');
    if (match[3] === 'exec' && command.length === 0) {
      reject(400, 'BadRequest', 'you must specify at least 1 command');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const ctx: FakeExecContext = {
        namespace,
        pod: record.pod,
        container,
        command,
        stdin: url.searchParams.get('stdin') === 'true',
        tty: url.searchParams.get('tty') === 'true',
        protocol: ws.protocol,
        root: record.root,
      };
      this.execs.push(ctx);
      this.serveExec(ws, ctx);
    });
  }

  /** Runs the command as a real process and bridges its stdio to the channels, with backpressure both ways. */
  private serveExec(ws: WebSocket, ctx: FakeExecContext): void {
    const faults = this.scenario.onExec?.(ctx) ?? {};
    const v5 = ctx.protocol === PROTOCOL_V5;
    const finish = (status: ExecStatusObject) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.send(frame(ERROR, Buffer.from(JSON.stringify(status))));
      ws.close(1000);
    };
    // Like the kubelet: an empty message on the lowest output channel says the stream is established.
    ws.send(frame(STDOUT));
    if (faults.status) {
      finish(faults.status);
      return;
    }

    const env: Record<string, string> = {
      HOME: ctx.root,
      PATH: [...(this.scenario.pathDirs ?? []), process.env.PATH ?? '/usr/bin:/bin'].join(':'),
      ...this.scenario.podEnv?.(ctx.pod),
      ...faults.env,
    };
    const child = spawn(ctx.command[0] as string, ctx.command.slice(1), {
      cwd: ctx.root,
      env,
      stdio: [ctx.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    this.children.add(child);
    let broken = false;
    const breakStream = () => {
      if (broken) return;
      broken = true;
      child.kill('SIGKILL');
      ws.terminate();
    };

    let stdoutSent = 0;
    const pump = (stream: NodeJS.ReadableStream & { pause(): void; resume(): void }, channel: number) => {
      stream.on('data', (chunk: Buffer) => {
        if (broken || ws.readyState !== WebSocket.OPEN) return;
        const data = chunk;
        if (channel === STDOUT && faults.breakAfterStdoutBytes !== undefined) {
          const room = faults.breakAfterStdoutBytes - stdoutSent;
          if (room < data.length) {
            if (room > 0) ws.send(frame(channel, data.subarray(0, room)));
            breakStream();
            return;
          }
          stdoutSent += data.length;
        }
        ws.send(frame(channel, data), () => {
          if (ws.bufferedAmount < 1024 * 1024) stream.resume();
        });
        if (ws.bufferedAmount >= 1024 * 1024) stream.pause();
      });
    };
    pump(child.stdout as NodeJS.ReadableStream & { pause(): void; resume(): void }, STDOUT);
    pump(child.stderr as NodeJS.ReadableStream & { pause(): void; resume(): void }, STDERR);

    let stdinReceived = 0;
    ws.on('message', (message: Buffer) => {
      if (message.length === 0 || broken) return;
      const channel = message[0];
      if (channel === STDIN && child.stdin && !child.stdin.writableEnded) {
        const data = message.subarray(1);
        stdinReceived += data.length;
        if (faults.breakAfterStdinBytes !== undefined && stdinReceived > faults.breakAfterStdinBytes) {
          breakStream();
          return;
        }
        if (!child.stdin.write(data)) {
          ws.pause();
          child.stdin.once('drain', () => ws.resume());
        }
      } else if (channel === CLOSE && v5 && message[1] === STDIN) {
        child.stdin?.end();
      }
      // v4 has no control channel: a 255 frame is ignored like any unknown channel.
    });
    child.stdin?.on('error', () => undefined);
    ws.on('close', () => {
      // The client went away: the runtime tears the exec down.
      if (child.exitCode === null) child.kill('SIGKILL');
    });

    child.on('error', (error: NodeJS.ErrnoException) => {
      this.children.delete(child);
      const message =
        error.code === 'ENOENT'
          ? `OCI runtime exec failed: exec failed: unable to start container process: exec: "${ctx.command[0]}": executable file not found in $PATH: unknown`
          : error.message;
      finish({
        metadata: {},
        status: 'Failure',
        reason: 'InternalError',
        message,
        details: { causes: [{ message }] },
      } as ExecStatusObject);
    });
    child.on('close', (code, signal) => {
      this.children.delete(child);
      // A spawn failure (no such binary) is answered by the 'error' handler.
      if (broken || child.pid === undefined) return;
      finish(statusForExit(code ?? (signal ? 128 + 9 : 1)));
    });
  }
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendStatus(res: ServerResponse, code: number, reason: string, message: string): void {
  sendJson(res, code, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  });
}

/** Equality-based label selectors (`a=b`, `a==b`, `a!=b`, `a`, `!a`), as the real server accepts them. */
export function matchesLabels(object: Json, selector: string | null): boolean {
  if (!selector) return true;
  const labels = ((object.metadata as Json | undefined)?.labels ?? {}) as Record<string, string>;
  return selector.split(',').every((term) => {
    const t = term.trim();
    if (!t) return true;
    const ne = /^([^!=]+)!=(.*)$/.exec(t);
    if (ne) return labels[(ne[1] as string).trim()] !== (ne[2] as string).trim();
    const eq = /^([^!=]+)==?(.*)$/.exec(t);
    if (eq) return labels[(eq[1] as string).trim()] === (eq[2] as string).trim();
    if (t.startsWith('!')) return !(t.slice(1) in labels);
    return t in labels;
  });
}
