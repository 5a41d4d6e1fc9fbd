/**
 * Kubernetes' authorizer library, offline: the builder chain (path, group, resource, subresource, namespace,
 * name, serviceAccount) type-checks as in the API server, and every check is denied, with a reason saying why —
 * Rampart has no API server to ask. Kyverno's `user` helpers parse service-account user names.
 */
import type { Environment } from '@marcbachmann/cel-js';

export const OFFLINE_DENY_REASON =
  'denied by default: Rampart evaluates offline and has no authorizer to ask';

export class CelAuthz {
  constructor(readonly parts: Readonly<Record<string, string>> = {}) {}
  with(key: string, value: string): CelAuthz {
    return new CelAuthz({ ...this.parts, [key]: value });
  }
}

export class CelDecision {
  constructor(readonly reason: string) {}
}

export function registerAuthorizer(env: Environment): void {
  env.registerType('Authorizer', CelAuthz);
  env.registerType('AuthzDecision', CelDecision);
  env.registerVariable('authorizer', 'Authorizer');
  for (const key of ['path', 'group', 'resource', 'subresource', 'namespace', 'name'])
    env.registerFunction(`Authorizer.${key}(string): Authorizer`, (a: CelAuthz, v: string) => a.with(key, v));
  env.registerFunction(
    'Authorizer.serviceAccount(string, string): Authorizer',
    (a: CelAuthz, ns: string, n: string) => a.with('user', `system:serviceaccount:${ns}:${n}`),
  );
  env.registerFunction('Authorizer.check(string): AuthzDecision', () => new CelDecision(OFFLINE_DENY_REASON));
  env.registerFunction('AuthzDecision.allowed(): bool', () => false);
  env.registerFunction('AuthzDecision.reason(): string', (d: CelDecision) => d.reason);
  env.registerFunction('AuthzDecision.errored(): bool', () => false);
  env.registerFunction('AuthzDecision.error(): string', () => '');

  env.registerFunction('parseServiceAccount(string): map<string, string>', (user: string) => {
    const prefix = 'system:serviceaccount:';
    if (!user.startsWith(prefix)) return { namespace: '', name: '' };
    const rest = user.slice(prefix.length);
    const sep = rest.indexOf(':');
    return sep === -1
      ? { namespace: '', name: '' }
      : { namespace: rest.slice(0, sep), name: rest.slice(sep + 1) };
  });
}
