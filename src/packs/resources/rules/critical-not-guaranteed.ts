import { podSpecQosClass as qosClass } from '../../../core/k8s/qos.js';
import type { Result } from '../../../core/result.js';
import type { TsRule, TsRuleMeta } from '../../rule.js';
import { asWorkload, tsResult } from '../../workload.js';
import { WORKLOAD_KINDS } from './helpers.js';

const criticalMeta: TsRuleMeta = {
  id: 'critical-not-guaranteed',
  title: 'Critical workloads that are not Guaranteed',
  severity: 'high',
  pack: 'resources',
  rationale:
    'Workloads labelled critical (tier: critical, or a label from parameters.criticalLabels set to "true") should be the last evicted and never CPU-starved; only the Guaranteed QoS class gives that.',
  fix: 'Set requests equal to limits for CPU and memory in every container of the critical workload.',
  appliesTo: WORKLOAD_KINDS,
};

export const criticalNotGuaranteed: TsRule = {
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
};
