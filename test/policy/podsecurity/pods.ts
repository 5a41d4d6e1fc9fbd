import {
  evaluatePodSecurity,
  type PodSecurityCheck,
  type PodSecuritySpec,
} from '../../../src/policy/podsecurity/index.js';

type Obj = Record<string, unknown>;

/** A container that satisfies every restricted check, overridable field by field. */
export function goodContainer(name = 'app', overrides: Obj = {}, securityContext: Obj = {}): Obj {
  return {
    name,
    image: `registry.example/${name}:1.0`,
    ...overrides,
    securityContext: {
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
      capabilities: { drop: ['ALL'] },
      ...securityContext,
    },
  };
}

export function pod(spec: Obj, metadata: Obj = {}): Obj {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', ...metadata }, spec };
}

export function evaluate(
  resource: Obj,
  level: PodSecuritySpec['level'],
  version = 'latest',
  exclude?: PodSecuritySpec['exclude'],
) {
  return evaluatePodSecurity(resource, { level, version, ...(exclude ? { exclude } : {}) });
}

/** The failing check with this ID; fails the test when it is absent. */
export function failing(checks: PodSecurityCheck[], id: string): PodSecurityCheck {
  const check = checks.find((c) => c.id === id);
  if (!check || check.allowed) throw new Error(`expected check ${id} to fail, got ${JSON.stringify(check)}`);
  return check;
}

export function failingIds(checks: PodSecurityCheck[]): string[] {
  return checks.filter((c) => !c.allowed).map((c) => c.id);
}
