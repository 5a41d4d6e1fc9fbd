import { DEFAULT_PRICES } from '../../src/rightsize/analysis.js';
import { AT } from '../../src/rightsize/demo/cluster.js';
import type { RawSeries } from '../../src/rightsize/demo/openmetrics.js';
import { PrometheusClient, type Report, rightsize } from '../../src/rightsize/index.js';
import { type FlagValues, prometheusOptions, rightsizeOptions } from '../../src/rightsize/options.js';
import { type PodReference, podReference } from './reference.js';

/** Runs the library exactly as the CLI does, from CLI-style flag values. */
export async function runWithFlags(url: string, flags: FlagValues = {}): Promise<Report> {
  const values: FlagValues = { prometheus: url, at: String(AT), retries: '0', ...flags };
  const client = new PrometheusClient(prometheusOptions(values));
  return rightsize(client, rightsizeOptions(values));
}

export { DEFAULT_PRICES };

const cache = new WeakMap<RawSeries[], Map<string, Map<string, PodReference>>>();

/** Reference statistics per namespace/pod/container, from the raw fixture series (memoised per fixture). */
export function referenceByPod(
  cpu: RawSeries[],
  mem: RawSeries[],
  window: number,
  step: number,
  q = 0.95,
): Map<string, PodReference> {
  const key = `${window}/${step}/${q}/${mem.length}`;
  const byKey = cache.get(cpu) ?? new Map<string, Map<string, PodReference>>();
  cache.set(cpu, byKey);
  let hit = byKey.get(key);
  if (!hit) byKey.set(key, (hit = computeReference(cpu, mem, window, step, q)));
  return hit;
}

function computeReference(
  cpu: RawSeries[],
  mem: RawSeries[],
  window: number,
  step: number,
  q = 0.95,
): Map<string, PodReference> {
  const group = (list: RawSeries[]) => {
    const m = new Map<string, RawSeries[]>();
    for (const s of list) {
      if (!s.labels.container || s.labels.container === 'POD') continue;
      const k = `${s.labels.namespace}/${s.labels.pod}/${s.labels.container}`;
      m.set(k, [...(m.get(k) ?? []), s]);
    }
    return m;
  };
  const c = group(cpu);
  const m = group(mem);
  const out = new Map<string, PodReference>();
  for (const k of new Set([...c.keys(), ...m.keys()])) {
    out.set(k, podReference(c.get(k) ?? [], m.get(k) ?? [], AT, window, step, q));
  }
  return out;
}

export function find(report: Report, ns: string, name: string, container: string) {
  const r = report.recommendations.find(
    (x) => x.namespace === ns && x.workload.name === name && x.container === container,
  );
  if (!r) throw new Error(`no recommendation for ${ns}/${name}/${container}`);
  return r;
}
