import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Scalar, stringify } from 'yaml';
import { UserError } from '../../core/errors.js';
import { cpuQuantity, MIB, memoryQuantity } from '../../core/units/resources.js';
import type { Recommendation, Report } from '../model.js';

/** Where each controller keeps its pod template, and its API group. */
const TEMPLATE: Record<string, { apiVersion: string; path: string[] }> = {
  Deployment: { apiVersion: 'apps/v1', path: ['spec', 'template', 'spec'] },
  StatefulSet: { apiVersion: 'apps/v1', path: ['spec', 'template', 'spec'] },
  DaemonSet: { apiVersion: 'apps/v1', path: ['spec', 'template', 'spec'] },
  ReplicaSet: { apiVersion: 'apps/v1', path: ['spec', 'template', 'spec'] },
  CronJob: { apiVersion: 'batch/v1', path: ['spec', 'jobTemplate', 'spec', 'template', 'spec'] },
};

export const VPA_UPDATE_MODES = ['Off', 'Initial', 'Recreate', 'InPlaceOrRecreate'] as const;

function fileBase(r: { namespace: string; workload: { kind: string; name: string } }): string {
  return `${r.namespace}--${r.workload.kind.toLowerCase()}--${r.workload.name}`;
}

function groupByWorkload(recs: Recommendation[]): Map<string, Recommendation[]> {
  const out = new Map<string, Recommendation[]>();
  for (const r of recs) {
    const k = fileBase(r);
    out.set(k, [...(out.get(k) ?? []), r]);
  }
  return out;
}

/**
 * The resources block for a container: only resources with a recommendation, and `null` where a current
 * limit must be removed (strategic merge patches delete keys set to null).
 */
export function resourcesBlock(r: Recommendation): Record<string, Record<string, string | null>> | undefined {
  const requests: Record<string, string | null> = {};
  const limits: Record<string, string | null> = {};
  for (const res of ['cpu', 'memory'] as const) {
    if (r.reason[res] && r.reason[res] !== 'OOMKill detected') continue;
    const q = res === 'cpu' ? cpuQuantity : memoryQuantity;
    const req = r.recommended.requests[res];
    const lim = r.recommended.limits[res];
    if (req !== null) requests[res] = q(req);
    if (lim !== null) limits[res] = q(lim);
    else if (r.current.limits[res] !== null) limits[res] = null;
  }
  const out: Record<string, Record<string, string | null>> = {};
  if (Object.keys(requests).length) out.requests = requests;
  if (Object.keys(limits).length) out.limits = limits;
  return Object.keys(out).length ? out : undefined;
}

function changed(r: Recommendation): boolean {
  const { current: c, recommended: n } = r;
  return (
    c.requests.cpu !== n.requests.cpu ||
    c.requests.memory !== n.requests.memory ||
    c.limits.cpu !== n.limits.cpu ||
    c.limits.memory !== n.limits.memory
  );
}

export interface WrittenFiles {
  files: string[];
  skipped: string[];
}

function ensureDir(dir: string) {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new UserError(`--patch-dir: cannot create ${dir}: ${(error as Error).message}`);
  }
}

/** Kustomize strategic-merge patches, one per workload, listed by a kustomization.yaml. */
export function kustomizePatches(report: Report): { files: Map<string, string>; skipped: string[] } {
  const files = new Map<string, string>();
  const skipped: string[] = [];
  for (const [base, list] of groupByWorkload(report.recommendations)) {
    const first = list[0]!;
    const template = TEMPLATE[first.workload.kind];
    const wanted = list.filter((r) => changed(r) && resourcesBlock(r));
    if (wanted.length === 0) continue;
    if (!template) {
      skipped.push(
        `${first.namespace}/${first.workload.kind}/${first.workload.name}: no pod template to patch`,
      );
      continue;
    }
    const podSpec: Record<string, unknown> = {};
    for (const [field, roles] of [
      ['containers', ['app']],
      ['initContainers', ['init', 'sidecar']],
    ] as const) {
      const cs = wanted
        .filter((r) => (roles as readonly string[]).includes(r.role))
        .map((r) => ({ name: r.container, resources: resourcesBlock(r) }));
      if (cs.length) podSpec[field] = cs;
    }
    let node: Record<string, unknown> = podSpec;
    for (const key of [...template.path].reverse()) node = { [key]: node };
    const doc = {
      apiVersion: template.apiVersion,
      kind: first.workload.kind,
      metadata: { name: first.workload.name, namespace: first.namespace },
      ...node,
    };
    files.set(`${base}.yaml`, stringify(doc, { lineWidth: 0 }));
  }
  return { files, skipped };
}

/** Helm values per workload: `resources` for a one-container pod, `<container>.resources` otherwise. */
export function helmValues(report: Report): { files: Map<string, string>; skipped: string[] } {
  const files = new Map<string, string>();
  for (const [base, list] of groupByWorkload(report.recommendations)) {
    const wanted = list.filter((r) => changed(r) && resourcesBlock(r));
    if (wanted.length === 0) continue;
    const values: Record<string, unknown> =
      list.length === 1
        ? { resources: resourcesBlock(wanted[0]!) }
        : Object.fromEntries(wanted.map((r) => [r.container, { resources: resourcesBlock(r) }]));
    files.set(`${base}.values.yaml`, stringify(values, { lineWidth: 0 }));
  }
  return { files, skipped: [] };
}

/** "Off" is a boolean to YAML 1.1 parsers (Kubernetes' among them), so modes are always double-quoted. */
function quoted(value: string): Scalar {
  const s = new Scalar(value);
  s.type = Scalar.QUOTE_DOUBLE;
  return s;
}

const VPA_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);

/**
 * VerticalPodAutoscaler objects in recommendation-only mode by default, with minAllowed/maxAllowed around
 * the recommendation: the strategy's bounds when it has them (vpa), otherwise 0.8× and 2× the request.
 */
export function vpaObjects(
  report: Report,
  updateMode: string,
): { files: Map<string, string>; skipped: string[] } {
  const files = new Map<string, string>();
  const skipped: string[] = [];
  for (const [base, list] of groupByWorkload(report.recommendations)) {
    const first = list[0]!;
    if (!VPA_KINDS.has(first.workload.kind)) {
      skipped.push(
        `${first.namespace}/${first.workload.kind}/${first.workload.name}: VPA cannot target a ${first.workload.kind}`,
      );
      continue;
    }
    const policies = list
      .filter((r) => r.role !== 'init')
      .map((r) => {
        const min: Record<string, string> = {};
        const max: Record<string, string> = {};
        for (const res of ['cpu', 'memory'] as const) {
          const rec = r.recommended.requests[res];
          if ((r.reason[res] && r.reason[res] !== 'OOMKill detected') || rec === null) continue;
          const q = res === 'cpu' ? cpuQuantity : memoryQuantity;
          const lower =
            r.bounds?.lower[res] ??
            (res === 'cpu' ? Math.floor(rec * 800) / 1000 : Math.floor((rec * 0.8) / MIB) * MIB);
          const upper =
            r.bounds?.upper[res] ??
            (res === 'cpu' ? Math.ceil(rec * 2000) / 1000 : Math.ceil((rec * 2) / MIB) * MIB);
          min[res] = q(lower);
          max[res] = q(upper);
        }
        return {
          containerName: r.container,
          ...(Object.keys(min).length ? { minAllowed: min, maxAllowed: max } : { mode: 'Off' }),
          controlledResources: ['cpu', 'memory'],
        };
      });
    const doc = {
      apiVersion: 'autoscaling.k8s.io/v1',
      kind: 'VerticalPodAutoscaler',
      metadata: {
        name: `${first.workload.name}-rightsize`,
        namespace: first.namespace,
        labels: { 'app.kubernetes.io/managed-by': 'rampart' },
      },
      spec: {
        targetRef: {
          apiVersion:
            first.workload.kind === 'CronJob' || first.workload.kind === 'Job' ? 'batch/v1' : 'apps/v1',
          kind: first.workload.kind,
          name: first.workload.name,
        },
        updatePolicy: { updateMode: quoted(updateMode) },
        resourcePolicy: { containerPolicies: policies },
      },
    };
    files.set(`${base}.vpa.yaml`, stringify(doc, { lineWidth: 0 }));
  }
  return { files, skipped };
}

/** Writes patches (or Helm values) and optional VPA objects under dir, plus a kustomization.yaml listing them. */
export function writeGitOps(
  report: Report,
  dir: string,
  options: { helm: boolean; vpa: boolean; vpaUpdateMode: string },
): WrittenFiles {
  ensureDir(dir);
  const written: string[] = [];
  const skipped: string[] = [];
  const put = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    written.push(name);
  };
  const patches = options.helm ? helmValues(report) : kustomizePatches(report);
  skipped.push(...patches.skipped);
  for (const [name, text] of patches.files) put(name, text);
  const vpas = options.vpa
    ? vpaObjects(report, options.vpaUpdateMode)
    : { files: new Map<string, string>(), skipped: [] };
  skipped.push(...vpas.skipped);
  for (const [name, text] of vpas.files) put(name, text);
  if (!options.helm) {
    const kustomization = {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      ...(vpas.files.size ? { resources: [...vpas.files.keys()] } : {}),
      ...(patches.files.size ? { patches: [...patches.files.keys()].map((path) => ({ path })) } : {}),
    };
    put(
      'kustomization.yaml',
      `# Generated by rampart rightsize (${report.strategy.name}) for ${new Date(report.at * 1000).toISOString()}.\n` +
        '# Add the manifests these patches apply to under `resources:` (e.g. - ../base).\n' +
        stringify(kustomization, { lineWidth: 0 }),
    );
  }
  return { files: written, skipped };
}
