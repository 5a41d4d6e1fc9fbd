import type { TsRule } from '../rule.js';
import { bestEffortInProduction } from './rules/besteffort-in-production.js';
import { criticalNotGuaranteed } from './rules/critical-not-guaranteed.js';
import { qosClassRule } from './rules/qos-class.js';

/** The resources pack's TypeScript rules (one module each under rules/), in report order. */
export const rules: TsRule[] = [qosClassRule, bestEffortInProduction, criticalNotGuaranteed];
