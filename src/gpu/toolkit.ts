import type { HostRoot } from './host.js';
import { at, type ParseProblem, readToml } from './toml.js';

/**
 * Where the NVIDIA container toolkit keeps config.toml: the package default, and the directory the
 * gpu-operator's toolkit container installs into (XDG_CONFIG_HOME=/usr/local/nvidia/toolkit/.config).
 */
export const TOOLKIT_CONFIG_PATHS = [
  '/etc/nvidia-container-runtime/config.toml',
  '/usr/local/nvidia/toolkit/.config/nvidia-container-runtime/config.toml',
];

export const ACCEPT_ENVVAR = 'accept-nvidia-visible-devices-envvar-when-unprivileged';
export const ACCEPT_MOUNTS = 'accept-nvidia-visible-devices-as-volume-mounts';

export interface ToolkitConfig {
  path: string;
  /** Effective values; `explicit` says whether the file set them or the toolkit default applies. */
  acceptEnvvarUnprivileged: { value: boolean; explicit: boolean };
  acceptVolumeMounts: { value: boolean; explicit: boolean };
  /** `[nvidia-container-runtime] mode`: auto (default), legacy, cdi, csv. */
  runtimeMode: string;
}

function flag(value: unknown, fallback: boolean): { value: boolean; explicit: boolean } {
  return typeof value === 'boolean' ? { value, explicit: true } : { value: fallback, explicit: false };
}

/** Every toolkit config found under the root (a node may carry both a package and an operator copy). */
export async function readToolkitConfigs(host: HostRoot, problems: ParseProblem[]): Promise<ToolkitConfig[]> {
  const found: ToolkitConfig[] = [];
  for (const path of TOOLKIT_CONFIG_PATHS) {
    const table = await readToml(host, path, problems);
    if (!table) continue;
    // Defaults from the toolkit's GetDefault(): envvar accepted, volume mounts not.
    found.push({
      path,
      acceptEnvvarUnprivileged: flag(table[ACCEPT_ENVVAR], true),
      acceptVolumeMounts: flag(table[ACCEPT_MOUNTS], false),
      runtimeMode: String(at(table, 'nvidia-container-runtime', 'mode') ?? 'auto'),
    });
  }
  return found;
}
