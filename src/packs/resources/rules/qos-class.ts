import { podSpecQosClass as qosClass } from '../../../core/k8s/qos.js';
import type { Result } from '../../../core/result.js';
import type { TsRule, TsRuleMeta } from '../../rule.js';
import { asWorkload, tsResult } from '../../workload.js';
import { WORKLOAD_KINDS } from './helpers.js';

const qosMeta: TsRuleMeta = {
  id: 'qos-class',
  title: 'QoS class of each workload',
  severity: 'info',
  pack: 'resources',
  rationale:
    'The QoS class decides who is evicted first under node pressure (BestEffort, then Burstable, then Guaranteed) and, with the static CPU manager, who may get dedicated cores. It is reported for every workload so changes are visible in review.',
  fix: 'Set requests equal to limits for CPU and memory in every container for Guaranteed; set at least requests for Burstable.',
  appliesTo: WORKLOAD_KINDS,
};

export const qosClassRule: TsRule = {
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
};
