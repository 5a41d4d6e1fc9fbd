import type { TerraformRule } from '../rule.js';
import { logBucketPreventDestroy } from './log-bucket-prevent-destroy.js';
import { stateBucketVersioning } from './state-bucket-versioning.js';

/** The terraform-state pack's rules. */
export const STATE_RULES: readonly TerraformRule[] = [logBucketPreventDestroy, stateBucketVersioning];
