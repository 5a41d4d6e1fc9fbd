/**
 * The Kubernetes kinds that create pods from a template, in Kyverno autogen's order (pkg/autogen). The
 * policy engine (autogen, podSecurity) and the packs read pod specs through this one list.
 */

/** Controllers whose pod template sits at `spec.template`. */
export const TEMPLATE_POD_CONTROLLERS: readonly string[] = [
  'DaemonSet',
  'Deployment',
  'Job',
  'StatefulSet',
  'ReplicaSet',
  'ReplicationController',
];

/** Every pod controller: the template controllers plus CronJob (`spec.jobTemplate.spec.template`). */
export const POD_CONTROLLERS: readonly string[] = [...TEMPLATE_POD_CONTROLLERS, 'CronJob'];

/** Pods and every pod controller: the kinds that carry a pod spec. */
export const POD_SPEC_KINDS: readonly string[] = ['Pod', ...POD_CONTROLLERS];

/** Path from the object to its pod template (the object itself for a Pod), by kind. */
export const POD_TEMPLATE_PATH: Readonly<Record<string, readonly string[]>> = Object.fromEntries([
  ['Pod', []],
  ...TEMPLATE_POD_CONTROLLERS.map((kind) => [kind, ['spec', 'template']]),
  ['CronJob', ['spec', 'jobTemplate', 'spec', 'template']],
]);
