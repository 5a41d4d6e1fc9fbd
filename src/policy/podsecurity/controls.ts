/**
 * The Pod Security Standards control names Kyverno accepts in `exclude[].controlName`, mapped to the
 * pod-security-admission check IDs that implement them (kyverno pkg/pss/utils/mapping.go).
 */
export const CONTROL_CHECK_IDS: Readonly<Record<string, readonly string[]>> = {
  HostProcess: ['windowsHostProcess'],
  'Host Namespaces': ['hostNamespaces'],
  'Privileged Containers': ['privileged'],
  Capabilities: ['capabilities_baseline', 'capabilities_restricted'],
  'HostPath Volumes': ['hostPathVolumes'],
  'Host Ports': ['hostPorts'],
  'Host Probes / Lifecycle Hooks': ['hostProbesAndHostLifecycle'],
  AppArmor: ['appArmorProfile'],
  SELinux: ['seLinuxOptions'],
  '/proc Mount Type': ['procMount'],
  Seccomp: ['seccompProfile_baseline', 'seccompProfile_restricted'],
  Sysctls: ['sysctls'],
  'Volume Types': ['restrictedVolumes'],
  'Privilege Escalation': ['allowPrivilegeEscalation'],
  'Running as Non-root': ['runAsNonRoot'],
  'Running as Non-root user': ['runAsUser'],
};

export const CONTROL_NAMES: readonly string[] = Object.keys(CONTROL_CHECK_IDS);

/** Controls that only exist in the restricted level (Seccomp and Capabilities have a baseline part too). */
export const RESTRICTED_CONTROL_NAMES: readonly string[] = [
  'Volume Types',
  'Privilege Escalation',
  'Running as Non-root',
  'Running as Non-root user',
  'Seccomp',
  'Capabilities',
];

/** Controls whose exclusions must name images: they restrict container fields only. */
export const CONTAINER_LEVEL_CONTROLS: readonly string[] = [
  'Capabilities',
  'Privileged Containers',
  'Host Ports',
  '/proc Mount Type',
  'Privilege Escalation',
  'Host Probes / Lifecycle Hooks',
];

/** Controls whose exclusions must not name images: they restrict pod fields only. */
export const POD_LEVEL_CONTROLS: readonly string[] = [
  'Host Namespaces',
  'HostPath Volumes',
  'Sysctls',
  'Volume Types',
];

const ID_TO_CONTROL = new Map(
  Object.entries(CONTROL_CHECK_IDS).flatMap(([name, ids]) => ids.map((id) => [id, name])),
);

export function controlNameOf(checkId: string): string {
  return ID_TO_CONTROL.get(checkId) ?? '';
}
