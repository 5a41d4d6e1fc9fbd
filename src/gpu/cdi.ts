import { parse } from 'yaml';
import { isObject } from '../core/document.js';
import type { HostRoot } from './host.js';
import type { ParseProblem } from './toml.js';

/** The CDI default spec directories (container-device-interface: static /etc/cdi, dynamic /var/run/cdi). */
export const CDI_DIRS = ['/etc/cdi', '/var/run/cdi'];

export interface CdiSpec {
  path: string;
  kind: string;
  devices: string[];
  /** Permission bits of the file; a spec writable by others lets them add host mounts and hooks. */
  mode: number | null;
  hooks: number;
}

function countHooks(edits: unknown): number {
  return isObject(edits) && Array.isArray(edits.hooks) ? edits.hooks.length : 0;
}

export async function readCdiSpecs(host: HostRoot, problems: ParseProblem[]): Promise<CdiSpec[]> {
  const specs: CdiSpec[] = [];
  for (const dir of CDI_DIRS) {
    for (const name of await host.list(dir)) {
      if (!/\.(ya?ml|json)$/.test(name)) continue;
      const path = `${dir}/${name}`;
      const text = await host.read(path);
      if (text === null) continue;
      let doc: unknown;
      try {
        doc = parse(text);
      } catch (error) {
        const e = error as Error & { linePos?: { line: number; col: number }[] };
        const pos = e.linePos?.[0];
        problems.push({
          path: pos ? `${path}:${pos.line}:${pos.col}` : path,
          reason: e.message.split('\n')[0]!,
        });
        continue;
      }
      if (!isObject(doc) || typeof doc.kind !== 'string') {
        problems.push({ path, reason: 'not a CDI spec (no "kind")' });
        continue;
      }
      const devices = Array.isArray(doc.devices) ? doc.devices : [];
      specs.push({
        path,
        kind: doc.kind,
        devices: devices.filter(isObject).map((d) => String(d.name)),
        mode: (await host.mode(path))?.mode ?? null,
        hooks:
          countHooks(doc.containerEdits) +
          devices.filter(isObject).reduce((n, d) => n + countHooks(d.containerEdits), 0),
      });
    }
  }
  return specs;
}
