import { podSpecQosClass as qosClass } from '../../../core/k8s/qos.js';
import type { Result } from '../../../core/result.js';
import type { TsRule, TsRuleMeta } from '../../rule.js';
import { asWorkload, tsResult } from '../../workload.js';

import { productionNamespaces, WORKLOAD_KINDS } from './helpers.js';

const bestEffortMeta: TsRuleMeta = {
  id: 'besteffort-in-production',
  title: 'BestEffort workloads in production namespaces',
  severity: 'high',
  pack: 'resources',
  rationale:
    'A BestEffort pod has no requests at all: the scheduler packs it anywhere and the kubelet evicts it first when a node runs short. In production that is an outage waiting for the next traffic peak. Production namespaces are those named in parameters.productionNamespaces or labelled environment=production.',
  fix: 'Set CPU and memory requests (and a memory limit) on every container.',
  appliesTo: WORKLOAD_KINDS,
};

export const bestEffortInProduction: TsRule = {
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
};
