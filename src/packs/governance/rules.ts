import type { TsRule } from '../rule.js';
import { namespaceDefaultDeny } from './rules/namespace-default-deny.js';
import { namespaceLimitrange } from './rules/namespace-limitrange.js';
import { namespaceResourcequota } from './rules/namespace-resourcequota.js';

/** The governance pack's TypeScript rules (one module each under rules/), in report order. */
export const rules: TsRule[] = [namespaceDefaultDeny, namespaceResourcequota, namespaceLimitrange];
