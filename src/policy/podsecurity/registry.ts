import * as b from './checks-baseline.js';
import * as r from './checks-restricted.js';
import type { Check, CheckResult, Obj } from './types.js';

const v = (minVersion: number, check: Check['versions'][number]['check']) => ({ minVersion, check });

/**
 * policy.DefaultChecks() in registration order. Go runs the package's init() functions in file-name order
 * (check_allowPrivilegeEscalation.go … check_windowsHostProcess.go), which is the order Kyverno reports in.
 */
export const CHECKS: readonly Check[] = [
  {
    id: 'allowPrivilegeEscalation',
    level: 'restricted',
    versions: [v(8, r.allowPrivilegeEscalationV1Dot8), v(25, r.allowPrivilegeEscalationV1Dot25)],
  },
  { id: 'appArmorProfile', level: 'baseline', versions: [v(0, b.appArmorProfileV1Dot0)] },
  { id: 'capabilities_baseline', level: 'baseline', versions: [v(0, b.capabilitiesBaselineV1Dot0)] },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    versions: [v(22, r.capabilitiesRestrictedV1Dot22), v(25, r.capabilitiesRestrictedV1Dot25)],
  },
  { id: 'hostNamespaces', level: 'baseline', versions: [v(0, b.hostNamespacesV1Dot0)] },
  { id: 'hostPathVolumes', level: 'baseline', versions: [v(0, b.hostPathVolumesV1Dot0)] },
  { id: 'hostPorts', level: 'baseline', versions: [v(0, b.hostPortsV1Dot0)] },
  {
    id: 'hostProbesAndHostLifecycle',
    level: 'baseline',
    versions: [v(34, b.hostProbesAndHostLifecycleV1Dot34)],
  },
  { id: 'privileged', level: 'baseline', versions: [v(0, b.privilegedV1Dot0)] },
  { id: 'procMount', level: 'baseline', versions: [v(0, b.procMountV1Dot0)] },
  { id: 'restrictedVolumes', level: 'restricted', versions: [v(0, r.restrictedVolumesV1Dot0)] },
  { id: 'runAsNonRoot', level: 'restricted', versions: [v(0, r.runAsNonRootV1Dot0)] },
  { id: 'runAsUser', level: 'restricted', versions: [v(23, r.runAsUserV1Dot23)] },
  {
    id: 'seLinuxOptions',
    level: 'baseline',
    versions: [v(0, b.seLinuxOptionsV1Dot0), v(31, b.seLinuxOptionsV1Dot31)],
  },
  {
    id: 'seccompProfile_baseline',
    level: 'baseline',
    versions: [v(0, b.seccompProfileBaselineV1Dot0), v(19, b.seccompProfileBaselineV1Dot19)],
  },
  {
    id: 'seccompProfile_restricted',
    level: 'restricted',
    versions: [v(19, r.seccompProfileRestrictedV1Dot19), v(25, r.seccompProfileRestrictedV1Dot25)],
  },
  {
    id: 'sysctls',
    level: 'baseline',
    versions: [
      v(0, b.sysctlsV1Dot0),
      v(27, b.sysctlsV1Dot27),
      v(29, b.sysctlsV1Dot29),
      v(32, b.sysctlsV1Dot32),
    ],
  },
  { id: 'windowsHostProcess', level: 'baseline', versions: [v(0, b.windowsHostProcessV1Dot0)] },
];

/** The newest policy version any check knows; `latest` behaves as this one. */
export const MAX_KNOWN_MINOR = Math.max(...CHECKS.flatMap((c) => c.versions.map((x) => x.minVersion)));

export type Level = 'privileged' | 'baseline' | 'restricted';

/** A parsed `version`: the minor of v1.<minor>, or 'latest'. */
export type PolicyVersion = number | 'latest';

const VERSION_RE = /^v1\.(0|[1-9][0-9]*)$/;

/** api.ParseVersion: "latest" (or empty, Kyverno's default) or v1.<minor>. */
export function parsePolicyVersion(version: string | undefined): PolicyVersion | undefined {
  if (version === undefined || version === '' || version === 'latest') return 'latest';
  const m = VERSION_RE.exec(version);
  return m ? Number(m[1]) : undefined;
}

export interface Evaluated {
  id: string;
  result: CheckResult;
}

/**
 * Kyverno's evaluatePSS: every check of the level (restricted includes baseline). For `latest` the newest
 * revision of each check runs; for a fixed version every revision whose minimum version it reaches runs, so
 * a check with two applicable revisions can report twice, exactly as Kyverno does. The privileged level
 * runs no check (the standard is unrestricted). `only` limits the run to some check IDs.
 */
export function evaluateChecks(
  level: Level,
  version: PolicyVersion,
  meta: Obj,
  spec: Obj,
  only?: readonly string[],
): Evaluated[] {
  if (level === 'privileged') return [];
  const out: Evaluated[] = [];
  for (const check of CHECKS) {
    if (level === 'baseline' && check.level !== 'baseline') continue;
    if (only && !only.includes(check.id)) continue;
    if (version === 'latest') {
      const latest = check.versions[check.versions.length - 1]!;
      out.push({ id: check.id, result: latest.check(meta, spec) });
      continue;
    }
    for (const revision of check.versions) {
      if (version < revision.minVersion) continue;
      out.push({ id: check.id, result: revision.check(meta, spec) });
    }
  }
  return out;
}
