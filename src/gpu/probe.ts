import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { type CdiSpec, readCdiSpecs } from './cdi.js';
import { type DeviceNodes, readDeviceNodes } from './devices.js';
import { HostRoot, type ReadProblem } from './host.js';
import {
  type CommandOutcome,
  type ListedGpu,
  parseList,
  parseQuery,
  type QueriedGpu,
  runCommand,
} from './nvidia-smi.js';
import { type DevicePluginSettings, readDevicePlugins } from './plugin.js';
import { type EngineRuntime, readEngines } from './runtime.js';
import type { ParseProblem } from './toml.js';
import { readToolkitConfigs, type ToolkitConfig } from './toolkit.js';

/** Everything the probe learned about one node; findings are computed from this alone (pure). */
export interface NodeFacts {
  root: string;
  node: string;
  devices: DeviceNodes;
  nvidiaSmi: {
    path: string | null;
    list: CommandOutcome | null;
    query: CommandOutcome | null;
    gpus: ListedGpu[];
    queried: QueriedGpu[];
  };
  toolkit: ToolkitConfig[];
  engines: EngineRuntime[];
  cdi: CdiSpec[];
  plugins: DevicePluginSettings[];
  problems: (ReadProblem | ParseProblem)[];
}

export interface ProbeOptions {
  root?: string;
  /** The nvidia-smi binary; by default looked up on PATH (root `/`) or in the root's usual bin directories. */
  nvidiaSmi?: string;
}

export const QUERY_ARGS = ['--query-gpu=index,uuid,name,mig.mode.current', '--format=csv'];

/** Where drivers put nvidia-smi: distribution packages, the gpu-operator's driver container, GKE/COS. */
const ROOT_SMI_DIRS = [
  '/usr/bin',
  '/usr/local/bin',
  '/run/nvidia/driver/usr/bin',
  '/home/kubernetes/bin/nvidia/bin',
];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function locateNvidiaSmi(host: HostRoot): string | null {
  const dirs =
    host.root === '/'
      ? [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...ROOT_SMI_DIRS]
      : ROOT_SMI_DIRS;
  for (const dir of dirs) {
    const candidate = host.root === '/' ? join(dir, 'nvidia-smi') : host.resolve(join(dir, 'nvidia-smi'));
    if (executable(candidate)) return candidate;
  }
  return null;
}

export async function probeNode(options: ProbeOptions = {}): Promise<NodeFacts> {
  const host = new HostRoot(options.root ?? '/');
  const problems: ParseProblem[] = [];
  const smiPath = options.nvidiaSmi ?? locateNvidiaSmi(host);
  const [list, query] = smiPath
    ? await Promise.all([runCommand(smiPath, ['-L']), runCommand(smiPath, QUERY_ARGS)])
    : [null, null];
  const hostname = (await host.read('/etc/hostname'))?.trim();
  const facts: NodeFacts = {
    root: host.root,
    node: hostname || 'node',
    devices: await readDeviceNodes(host),
    nvidiaSmi: {
      path: smiPath,
      list,
      query,
      gpus: list?.status === 'ok' ? parseList(list.stdout) : [],
      queried: query?.status === 'ok' ? parseQuery(query.stdout) : [],
    },
    toolkit: await readToolkitConfigs(host, problems),
    engines: await readEngines(host, problems),
    cdi: await readCdiSpecs(host, problems),
    plugins: await readDevicePlugins(host, problems),
    problems,
  };
  facts.problems = [...host.problems, ...problems];
  return facts;
}
