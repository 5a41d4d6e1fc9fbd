import { basename, dirname } from 'node:path';
import type { HostRoot } from './host.js';
import { at, mergeTables, type ParseProblem, readToml, type Table } from './toml.js';

export interface EngineRuntime {
  engine: 'containerd' | 'cri-o';
  /** The file whose settings won (the last drop-in that set the default, or the main file). */
  files: string[];
  defaultRuntime: string;
  /** The low-level binary of the default runtime, when the config names one. */
  defaultBinary: string | null;
  /** Runtimes whose binary is an nvidia-container-runtime (what `runtimeClassName: nvidia` points at). */
  nvidiaRuntimes: string[];
  /** containerd only: whether the CRI plugin has CDI enabled (true by default from containerd 2.0). */
  cdiEnabled: boolean | null;
}

/** containerd's main configs: the usual one and the one k3s/RKE2 generate. */
export const CONTAINERD_CONFIGS = [
  '/etc/containerd/config.toml',
  '/var/lib/rancher/k3s/agent/etc/containerd/config.toml',
  '/var/lib/rancher/rke2/agent/etc/containerd/config.toml',
];
export const CRIO_CONFIG = '/etc/crio/crio.conf';
export const CRIO_DROP_IN_DIR = '/etc/crio/crio.conf.d';

/** The CRI plugin's table per config version (nvidia-container-toolkit `criRuntimePluginName`). */
export function criPluginName(version: number): string {
  if (version <= 1) return 'cri';
  if (version === 2) return 'io.containerd.grpc.v1.cri';
  return 'io.containerd.cri.v1.runtime';
}

export function isNvidiaRuntime(name: string, binary: string | null): boolean {
  return /nvidia-container-runtime/.test(binary ?? '') || /^nvidia(-|$)/.test(name);
}

/** Expands one containerd `imports` entry: a path, or a directory glob like /etc/containerd/conf.d/*.toml. */
async function expandImport(host: HostRoot, pattern: string): Promise<string[]> {
  const name = basename(pattern);
  if (!name.includes('*')) return [pattern];
  const re = new RegExp(`^${name.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  const dir = dirname(pattern);
  return (await host.list(dir)).filter((n) => re.test(n)).map((n) => `${dir}/${n}`);
}

async function readContainerd(
  host: HostRoot,
  main: string,
  problems: ParseProblem[],
): Promise<EngineRuntime | null> {
  const base = await readToml(host, main, problems);
  if (!base) return null;
  let merged = base;
  const files = [main];
  // Imported files are merged over the main file in order; the toolkit's drop-in relies on that.
  const imports = Array.isArray(base.imports)
    ? base.imports.filter((i): i is string => typeof i === 'string')
    : [];
  for (const pattern of imports) {
    for (const path of await expandImport(host, pattern)) {
      const table = await readToml(host, path, problems);
      if (!table) continue;
      merged = mergeTables(merged, table);
      files.push(path);
    }
  }
  const version = typeof merged.version === 'number' ? merged.version : 1;
  const plugin = at(merged, 'plugins', criPluginName(version)) as Table | undefined;
  const containerd = at(plugin, 'containerd');
  const defaultRuntime = String(at(containerd, 'default_runtime_name') ?? 'runc');
  const runtimes = (at(containerd, 'runtimes') ?? {}) as Table;
  const binaryOf = (name: string): string | null => {
    const b = at(runtimes, name, 'options', 'BinaryName');
    return typeof b === 'string' ? b : null;
  };
  const cdi = at(plugin, 'enable_cdi');
  return {
    engine: 'containerd',
    files,
    defaultRuntime,
    defaultBinary: binaryOf(defaultRuntime),
    nvidiaRuntimes: Object.keys(runtimes).filter((n) => isNvidiaRuntime(n, binaryOf(n))),
    cdiEnabled: typeof cdi === 'boolean' ? cdi : version >= 3 ? true : null,
  };
}

async function readCrio(host: HostRoot, problems: ParseProblem[]): Promise<EngineRuntime | null> {
  const files: string[] = [];
  let merged: Table = {};
  // crio.conf first, then crio.conf.d/*.conf in lexical order, later files overriding earlier ones.
  const dropIns = (await host.list(CRIO_DROP_IN_DIR)).filter((n) => n.endsWith('.conf'));
  for (const path of [CRIO_CONFIG, ...dropIns.map((n) => `${CRIO_DROP_IN_DIR}/${n}`)]) {
    const table = await readToml(host, path, problems);
    if (!table) continue;
    merged = mergeTables(merged, table);
    files.push(path);
  }
  if (files.length === 0) return null;
  const runtime = at(merged, 'crio', 'runtime');
  const runtimes = (at(runtime, 'runtimes') ?? {}) as Table;
  const binaryOf = (name: string): string | null => {
    const b = at(runtimes, name, 'runtime_path');
    return typeof b === 'string' ? b : null;
  };
  // CRI-O's built-in default runtime is crun since 1.31 (runc before); the config usually names it.
  const defaultRuntime = String(at(runtime, 'default_runtime') ?? 'crun');
  return {
    engine: 'cri-o',
    files,
    defaultRuntime,
    defaultBinary: binaryOf(defaultRuntime),
    nvidiaRuntimes: Object.keys(runtimes).filter((n) => isNvidiaRuntime(n, binaryOf(n))),
    cdiEnabled: true,
  };
}

/** The container engines configured under the root (none, one, or both). */
export async function readEngines(host: HostRoot, problems: ParseProblem[]): Promise<EngineRuntime[]> {
  const engines: EngineRuntime[] = [];
  for (const path of CONTAINERD_CONFIGS) {
    const c = await readContainerd(host, path, problems);
    if (c) engines.push(c);
  }
  const crio = await readCrio(host, problems);
  if (crio) engines.push(crio);
  return engines;
}
