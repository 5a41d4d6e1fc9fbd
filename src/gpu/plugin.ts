import { parse } from 'yaml';
import { isObject } from '../core/document.js';
import type { HostRoot } from './host.js';
import type { ParseProblem } from './toml.js';

/** Effective NVIDIA k8s-device-plugin settings of a running plugin process. */
export interface DevicePluginSettings {
  pid: string;
  deviceListStrategy: string[];
  passDeviceSpecs: boolean;
  deviceIdStrategy: string;
  migStrategy: string;
  /** Where each value came from: flag, env, config file or the plugin's default. */
  sources: Record<'deviceListStrategy' | 'passDeviceSpecs' | 'deviceIdStrategy' | 'migStrategy', string>;
  configFile: string | null;
}

const SETTINGS = {
  deviceListStrategy: { flag: 'device-list-strategy', env: 'DEVICE_LIST_STRATEGY', fallback: 'envvar' },
  passDeviceSpecs: { flag: 'pass-device-specs', env: 'PASS_DEVICE_SPECS', fallback: 'false' },
  deviceIdStrategy: { flag: 'device-id-strategy', env: 'DEVICE_ID_STRATEGY', fallback: 'uuid' },
  migStrategy: { flag: 'mig-strategy', env: 'MIG_STRATEGY', fallback: 'none' },
} as const;
type Key = keyof typeof SETTINGS;

function splitNul(text: string): string[] {
  return text.split('\0').filter((s) => s !== '');
}

/** `--name=value`, `--name value`, or a bare boolean `--name`. */
function flagValue(argv: string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === `--${name}` || a === `-${name}`) {
      const next = argv[i + 1];
      return next !== undefined && !next.startsWith('-') ? next : 'true';
    }
    for (const p of [`--${name}=`, `-${name}=`]) if (a.startsWith(p)) return a.slice(p.length);
  }
  return undefined;
}

function fromConfig(config: unknown, key: Key): string | undefined {
  const flags = isObject(config) ? config.flags : undefined;
  const source = key === 'migStrategy' ? flags : isObject(flags) ? flags.plugin : undefined;
  if (!isObject(source)) return undefined;
  const v = source[key];
  if (v === undefined || v === null) return undefined;
  return Array.isArray(v) ? v.join(',') : String(v);
}

/**
 * Finds running `nvidia-device-plugin` processes under the root's /proc and works out their settings the
 * way the plugin does: a command-line flag or its environment variable (urfave/cli) over the config file
 * (`--config-file` / CONFIG_FILE, read through /proc/PID/root) over the built-in default.
 */
export async function readDevicePlugins(
  host: HostRoot,
  problems: ParseProblem[],
): Promise<DevicePluginSettings[]> {
  const found: DevicePluginSettings[] = [];
  for (const pid of (await host.list('/proc')).filter((n) => /^\d+$/.test(n))) {
    const cmdline = await host.read(`/proc/${pid}/cmdline`);
    if (!cmdline) continue;
    const argv = splitNul(cmdline);
    if (!argv[0] || !/(^|\/)nvidia-device-plugin$/.test(argv[0])) continue;
    const environ = splitNul((await host.read(`/proc/${pid}/environ`)) ?? '');
    const env = new Map(
      environ.map((e) => {
        const i = e.indexOf('=');
        return [e.slice(0, i), e.slice(i + 1)] as const;
      }),
    );
    const configFile = flagValue(argv, 'config-file') ?? env.get('CONFIG_FILE') ?? null;
    let config: unknown;
    if (configFile) {
      const text = await host.read(`/proc/${pid}/root${configFile}`);
      if (text !== null) {
        try {
          config = parse(text);
        } catch (error) {
          problems.push({
            path: `/proc/${pid}/root${configFile}`,
            reason: (error as Error).message.split('\n')[0]!,
          });
        }
      }
    }
    const values = {} as Record<Key, string>;
    const sources = {} as Record<Key, string>;
    for (const key of Object.keys(SETTINGS) as Key[]) {
      const s = SETTINGS[key];
      const candidates: [string | undefined, string][] = [
        [flagValue(argv, s.flag), `--${s.flag}`],
        [env.get(s.env), s.env],
        [fromConfig(config, key), `config file ${configFile}`],
        [s.fallback, 'default'],
      ];
      const [value, source] = candidates.find(([v]) => v !== undefined)!;
      values[key] = value!;
      sources[key] = source;
    }
    found.push({
      pid,
      deviceListStrategy: values.deviceListStrategy
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      passDeviceSpecs: values.passDeviceSpecs === 'true',
      deviceIdStrategy: values.deviceIdStrategy,
      migStrategy: values.migStrategy,
      sources,
      configFile,
    });
  }
  return found;
}
