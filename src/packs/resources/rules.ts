import { isObject } from '../../core/document.js';
import { podSpecQosClass as qosClass } from '../../core/k8s/qos.js';
import type { Result } from '../../core/result.js';
import type { TsRule, TsRuleMeta } from '../index.js';
import { asWorkload, tsResult } from '../workload.js';

const qosMeta: TsRuleMeta = {
  id: 'qos-class',
  title: 'QoS class of each workload',
  severity: 'info',
  pack: 'resources',
  rationale:
    'The QoS class decides who is evicted first under node pressure (BestEffort, then Burstable, then Guaranteed) and, with the static CPU manager, who may get dedicated cores. It is reported for every workload so changes are visible in review.',
  fix: 'Set requests equal to limits for CPU and memory in every container for Guaranteed; set at least requests for Burstable.',
  appliesTo: ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'],
};

const bestEffortMeta: TsRuleMeta = {
  id: 'besteffort-in-production',
  title: 'BestEffort workloads in production namespaces',
  severity: 'high',
  pack: 'resources',
  rationale:
    'A BestEffort pod has no requests at all: the scheduler packs it anywhere and the kubelet evicts it first when a node runs short. In production that is an outage waiting for the next traffic peak. Production namespaces are those named in parameters.productionNamespaces or labelled environment=production.',
  fix: 'Set CPU and memory requests (and a memory limit) on every container.',
  appliesTo: qosMeta.appliesTo,
};

const criticalMeta: TsRuleMeta = {
  id: 'critical-not-guaranteed',
  title: 'Critical workloads that are not Guaranteed',
  severity: 'high',
  pack: 'resources',
  rationale:
    'Workloads labelled critical (tier: critical, or a label from parameters.criticalLabels set to "true") should be the last evicted and never CPU-starved; only the Guaranteed QoS class gives that.',
  fix: 'Set requests equal to limits for CPU and memory in every container of the critical workload.',
  appliesTo: qosMeta.appliesTo,
};

function productionNamespaces(
  documents: Parameters<TsRule['check']>[0],
  parameters: Record<string, unknown>,
): Set<string> {
  const names = new Set<string>(
    Array.isArray(parameters.productionNamespaces) ? (parameters.productionNamespaces as string[]) : [],
  );
  for (const d of documents) {
    const c = d.content;
    if (!isObject(c) || c.kind !== 'Namespace' || !isObject(c.metadata)) continue;
    const labels = isObject(c.metadata.labels) ? c.metadata.labels : {};
    const env = String(labels.environment ?? labels.env ?? '').toLowerCase();
    if (env === 'production' || env === 'prod') names.add(String(c.metadata.name));
  }
  return names;
}

export const rules: TsRule[] = [
  {
    meta: qosMeta,
    check(documents) {
      const out: Result[] = [];
      for (const d of documents) {
        const w = asWorkload(d);
        if (!w) continue;
        const qos = qosClass(w.podSpec);
        out.push(tsResult(qosMeta, d, 'pass', `QoS class: ${qos}`, { qos }));
      }
      return out;
    },
  },
  {
    meta: bestEffortMeta,
    check(documents, ctx) {
      const prod = productionNamespaces(documents, ctx.parameters);
      const out: Result[] = [];
      for (const d of documents) {
        const w = asWorkload(d);
        if (!w || !prod.has(w.namespace)) continue;
        const qos = qosClass(w.podSpec);
        out.push(
          qos === 'BestEffort'
            ? tsResult(
                bestEffortMeta,
                d,
                'fail',
                `${w.kind} ${w.name} in production namespace ${w.namespace} is BestEffort: it has no requests and is evicted first.`,
                { qos },
              )
            : tsResult(bestEffortMeta, d, 'pass', `${w.kind} ${w.name} is ${qos}.`, { qos }),
        );
      }
      return out;
    },
  },
  {
    meta: criticalMeta,
    check(documents, ctx) {
      const keys = Array.isArray(ctx.parameters.criticalLabels)
        ? (ctx.parameters.criticalLabels as string[])
        : ['critical'];
      const out: Result[] = [];
      for (const d of documents) {
        const w = asWorkload(d);
        if (!w) continue;
        const critical =
          String(w.labels.tier ?? '').toLowerCase() === 'critical' ||
          keys.some((k) => String(w.labels[k] ?? '').toLowerCase() === 'true');
        if (!critical) continue;
        const qos = qosClass(w.podSpec);
        out.push(
          qos === 'Guaranteed'
            ? tsResult(criticalMeta, d, 'pass', `${w.kind} ${w.name} is Guaranteed.`, { qos })
            : tsResult(
                criticalMeta,
                d,
                'fail',
                `${w.kind} ${w.name} is labelled critical but its QoS class is ${qos}, not Guaranteed.`,
                { qos },
              ),
        );
      }
      return out;
    },
  },
];
