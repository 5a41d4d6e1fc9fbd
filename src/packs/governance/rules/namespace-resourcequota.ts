import type { TsRule } from '../../rule.js';
import { appliesTo, namespaceRule } from './helpers.js';

export const namespaceResourcequota: TsRule = namespaceRule(
  {
    id: 'namespace-resourcequota',
    title: 'Namespaces without a ResourceQuota',
    severity: 'low',
    pack: 'governance',
    rationale:
      "A ResourceQuota caps what one tenant can request, so a runaway deployment or a mistaken replica count cannot take the cluster's capacity from everyone else.",
    fix: 'Add a ResourceQuota with requests.cpu, requests.memory, limits.memory (and requests.nvidia.com/gpu for GPU tenants).',
    appliesTo,
  },
  (f) => f.resourceQuota,
  'has no ResourceQuota in the scanned set: one tenant can claim the whole cluster.',
);
