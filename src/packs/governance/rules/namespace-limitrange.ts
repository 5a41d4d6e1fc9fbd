import type { TsRule } from '../../rule.js';
import { appliesTo, namespaceRule } from './helpers.js';

export const namespaceLimitrange: TsRule = namespaceRule(
  {
    id: 'namespace-limitrange',
    title: 'Namespaces without a LimitRange',
    severity: 'low',
    pack: 'governance',
    rationale:
      'A LimitRange gives containers that forget their requests sane defaults and bounds, so they are not BestEffort, and it is required for a ResourceQuota on requests to admit such pods at all.',
    fix: 'Add a LimitRange with defaultRequest and default for cpu and memory in the namespace.',
    appliesTo,
  },
  (f) => f.limitRange,
  'has no LimitRange in the scanned set: containers without requests run as BestEffort.',
);
