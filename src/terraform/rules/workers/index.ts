import type { TerraformRule } from '../rule.js';
import { asgCreateBeforeDestroy } from './asg-create-before-destroy.js';
import { asgHealthCheckType } from './asg-health-check-type.js';
import { asgInstanceRefresh } from './asg-instance-refresh.js';
import { countDifferingWorkers } from './count-differing-workers.js';
import { userDataLatestTag } from './user-data-latest-tag.js';
import { userDataSecret } from './user-data-secret.js';
import { workerProvisioner } from './worker-provisioner.js';

export { findSecrets } from './helpers.js';

/** The worker-fleet pack's rules. */
export const WORKER_RULES: readonly TerraformRule[] = [
  countDifferingWorkers,
  asgCreateBeforeDestroy,
  asgHealthCheckType,
  asgInstanceRefresh,
  userDataLatestTag,
  workerProvisioner,
  userDataSecret,
];
