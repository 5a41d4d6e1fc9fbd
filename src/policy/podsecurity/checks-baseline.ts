// Baseline checks of k8s.io/pod-security-admission (policy/check_*.go, release-1.34), with the field error
// lists of Kyverno's fork of that package (github.com/kyverno/pod-security-admission), which Kyverno 1.12+
// prints in its podSecurity failure messages.
import {
  fail,
  forbidden,
  goQuote,
  joinQuote,
  list,
  obj,
  pluralize,
  podSecurityContext,
  securityContext,
  sortedSet,
  str,
  visitContainers,
} from './helpers.js';
import { ALLOWED, type CheckResult, type FieldError, type Obj } from './types.js';

const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

function annotations(meta: Obj): [string, string][] {
  const a = obj(meta.annotations);
  if (!a) return [];
  return Object.entries(a).map(([k, v]) => [k, typeof v === 'string' ? v : String(v ?? '')]);
}

export function appArmorProfileV1Dot0(meta: Obj, spec: Obj): CheckResult {
  const allowedType = (t: string) => t === 'RuntimeDefault' || t === 'Localhost';
  const allowedAnnotation = (v: string) => v === '' || v === 'runtime/default' || v.startsWith('localhost/');
  const setters: string[] = [];
  const errors: FieldError[] = [];
  const badValues: string[] = [];

  const podProfile = obj(podSecurityContext(spec)?.appArmorProfile);
  if (podProfile && !allowedType(str(podProfile.type))) {
    setters.push('pod');
    errors.push(forbidden('spec.securityContext.appArmorProfile.type', str(podProfile.type)));
    badValues.push(str(podProfile.type));
  }
  const badContainers: string[] = [];
  for (const { container, name, path } of visitContainers(spec)) {
    const profile = obj(securityContext(container)?.appArmorProfile);
    if (profile && !allowedType(str(profile.type))) {
      badContainers.push(name);
      errors.push(forbidden(`${path}.securityContext.appArmorProfile.type`, str(profile.type)));
      badValues.push(str(profile.type));
    }
  }
  if (badContainers.length > 0) {
    setters.push(`${pluralize('container', 'containers', badContainers.length)} ${joinQuote(badContainers)}`);
  }
  // Go iterates the annotation map in random order; sorting keeps messages stable.
  const badAnnotations = annotations(meta)
    .filter(([k, v]) => k.startsWith(APPARMOR_ANNOTATION_PREFIX) && !allowedAnnotation(v))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const valueList = sortedSet(badValues);
  if (badAnnotations.length > 0) {
    valueList.push(...badAnnotations.map(([k, v]) => `${k}=${goQuote(v)}`).sort());
    setters.push(pluralize('annotation', 'annotations', badAnnotations.length));
    for (const [k, v] of badAnnotations) errors.push(forbidden(`metadata.annotations[${k}]`, v));
  }
  if (setters.length === 0) return ALLOWED;
  return fail(
    pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', valueList.length),
    `${setters.join(' and ')} must not set AppArmor profile type to ${joinQuote(valueList)}`,
    errors,
  );
}

const CAPABILITIES_ALLOWED_1_0 = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

export function capabilitiesBaselineV1Dot0(_meta: Obj, spec: Obj): CheckResult {
  const badContainers: string[] = [];
  const nonDefault: string[] = [];
  const errors: FieldError[] = [];
  for (const { container, name, path } of visitContainers(spec)) {
    const caps = obj(securityContext(container)?.capabilities);
    if (!caps) continue;
    const bad = list(caps.add)
      .map(String)
      .filter((c) => !CAPABILITIES_ALLOWED_1_0.has(c));
    if (bad.length > 0) {
      badContainers.push(name);
      nonDefault.push(...bad);
      errors.push(forbidden(`${path}.securityContext.capabilities.add`, sortedSet(bad)));
    }
  }
  if (badContainers.length === 0) return ALLOWED;
  return fail(
    'non-default capabilities',
    `${pluralize('container', 'containers', badContainers.length)} ${joinQuote(badContainers)} must not include ${joinQuote(sortedSet(nonDefault))} in securityContext.capabilities.add`,
    errors,
  );
}

export function hostNamespacesV1Dot0(_meta: Obj, spec: Obj): CheckResult {
  const data: string[] = [];
  const errors: FieldError[] = [];
  for (const key of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec[key] === true) {
      data.push(`${key}=true`);
      errors.push(forbidden(`spec.${key}`, true));
    }
  }
  if (data.length === 0) return ALLOWED;
  return fail('host namespaces', data.join(', '), errors);
}

export function hostPathVolumesV1Dot0(_meta: Obj, spec: Obj): CheckResult {
  const names: string[] = [];
  const errors: FieldError[] = [];
  list(spec.volumes).forEach((v, i) => {
    const volume = obj(v) ?? {};
    const hostPath = obj(volume.hostPath);
    if (!hostPath) return;
    names.push(str(volume.name));
    errors.push(forbidden(`spec.volumes[${i}].hostPath`, str(hostPath.path)));
  });
  if (names.length === 0) return ALLOWED;
  return fail(
    'hostPath volumes',
    `${pluralize('volume', 'volumes', names.length)} ${joinQuote(names)}`,
    errors,
  );
}

export function hostPortsV1Dot0(_meta: Obj, spec: Obj): CheckResult {
  const badContainers: string[] = [];
  const ports: string[] = [];
  const errors: FieldError[] = [];
  for (const { container, name, path } of visitContainers(spec)) {
    let valid = true;
    list(container.ports).forEach((p, i) => {
      const hostPort = Number(obj(p)?.hostPort ?? 0);
      if (hostPort !== 0 && !Number.isNaN(hostPort)) {
        valid = false;
        ports.push(String(hostPort));
        errors.push(forbidden(`${path}.ports[${i}].hostPort`, hostPort));
      }
    });
    if (!valid) badContainers.push(name);
  }
  if (badContainers.length === 0) return ALLOWED;
  const distinct = sortedSet(ports);
  return fail(
    'hostPort',
    `${pluralize('container', 'containers', badContainers.length)} ${joinQuote(badContainers)} ${pluralize('uses', 'use', badContainers.length)} ${pluralize('hostPort', 'hostPorts', distinct.length)} ${distinct.join(', ')}`,
    errors,
  );
}

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const HANDLER_HOSTS = ['httpGet', 'tcpSocket'] as const;

export function hostProbesAndHostLifecycleV1Dot34(_meta: Obj, spec: Obj): CheckResult {
  const badContainers: string[] = [];
  const hosts: string[] = [];
  const errors: FieldError[] = [];
  for (const { container, name, path } of visitContainers(spec)) {
    const handlers: [string, Obj | undefined][] = PROBES.map((p) => [`${path}.${p}`, obj(container[p])]);
    const lifecycle = obj(container.lifecycle);
    if (lifecycle) {
      handlers.push([`${path}.lifecycle.postStart`, obj(lifecycle.postStart)]);
      handlers.push([`${path}.lifecycle.preStop`, obj(lifecycle.preStop)]);
    }
    let bad = false;
    for (const [handlerPath, handler] of handlers) {
      if (!handler) continue;
      for (const kind of HANDLER_HOSTS) {
        const host = str(obj(handler[kind])?.host);
        if (host === '') continue;
        bad = true;
        hosts.push(host);
        errors.push(forbidden(`${handlerPath}.${kind}.host`, host));
      }
    }
    if (bad) badContainers.push(name);
  }
  if (badContainers.length === 0) return ALLOWED;
  const containers = sortedSet(badContainers);
  const distinct = sortedSet(hosts);
  return fail(
    'probe or lifecycle host',
    `${pluralize('container', 'containers', containers.length)} ${joinQuote(containers)} ${pluralize('uses', 'use', containers.length)} ${pluralize('probe or lifecycle host', 'probe or lifecycle hosts', distinct.length)} ${joinQuote(distinct)}`,
    errors,
  );
}

export function privilegedV1Dot0(_meta: Obj, spec: Obj): CheckResult {
  const bad: string[] = [];
  const errors: FieldError[] = [];
  for (const { container, name, path } of visitContainers(spec)) {
    if (securityContext(container)?.privileged === true) {
      bad.push(name);
      errors.push(forbidden(`${path}.securityContext.privileged`, true));
    }
  }
  if (bad.length === 0) return ALLOWED;
  return fail(
    'privileged',
    `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} must not set securityContext.privileged=true`,
    errors,
  );
}

export function procMountV1Dot0(_meta: Obj, spec: Obj): CheckResult {
  const bad: string[] = [];
  const types: string[] = [];
  const errors: FieldError[] = [];
  for (const { container, name, path } of visitContainers(spec)) {
    const procMount = securityContext(container)?.procMount;
    if (procMount === undefined || procMount === null || procMount === 'Default') continue;
    bad.push(name);
    types.push(String(procMount));
    errors.push(forbidden(`${path}.securityContext.procMount`, String(procMount)));
  }
  if (bad.length === 0) return ALLOWED;
  return fail(
    'procMount',
    `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} must not set securityContext.procMount to ${joinQuote(sortedSet(types))}`,
    errors,
  );
}

const SELINUX_TYPES_1_0 = ['', 'container_t', 'container_init_t', 'container_kvm_t'];
const SELINUX_TYPES_1_31 = [...SELINUX_TYPES_1_0, 'container_engine_t'];

function seLinuxOptions(spec: Obj, allowedTypes: readonly string[]): CheckResult {
  const setters: string[] = [];
  const badTypes: string[] = [];
  const errors: FieldError[] = [];
  let setUser = false;
  let setRole = false;
  const valid = (opts: Obj, base: string): boolean => {
    let ok = true;
    const type = str(opts.type);
    if (!allowedTypes.includes(type)) {
      ok = false;
      badTypes.push(type);
      errors.push(forbidden(`${base}.seLinuxOptions.type`, type));
    }
    if (str(opts.user) !== '') {
      ok = false;
      setUser = true;
      errors.push(forbidden(`${base}.seLinuxOptions.user`, str(opts.user)));
    }
    if (str(opts.role) !== '') {
      ok = false;
      setRole = true;
      errors.push(forbidden(`${base}.seLinuxOptions.role`, str(opts.role)));
    }
    return ok;
  };
  const podOpts = obj(podSecurityContext(spec)?.seLinuxOptions);
  if (podOpts && !valid(podOpts, 'spec.securityContext')) setters.push('pod');
  const badContainers: string[] = [];
  for (const { container, name, path } of visitContainers(spec)) {
    const opts = obj(securityContext(container)?.seLinuxOptions);
    if (opts && !valid(opts, `${path}.securityContext`)) badContainers.push(name);
  }
  if (badContainers.length > 0) {
    setters.push(`${pluralize('container', 'containers', badContainers.length)} ${joinQuote(badContainers)}`);
  }
  if (setters.length === 0) return ALLOWED;
  const data: string[] = [];
  const types = sortedSet(badTypes);
  if (types.length > 0) data.push(`${pluralize('type', 'types', types.length)} ${joinQuote(types)}`);
  if (setUser) data.push('user may not be set');
  if (setRole) data.push('role may not be set');
  return fail(
    'seLinuxOptions',
    `${setters.join(' and ')} set forbidden securityContext.seLinuxOptions: ${data.join('; ')}`,
    errors,
  );
}

export const seLinuxOptionsV1Dot0 = (_meta: Obj, spec: Obj) => seLinuxOptions(spec, SELINUX_TYPES_1_0);
export const seLinuxOptionsV1Dot31 = (_meta: Obj, spec: Obj) => seLinuxOptions(spec, SELINUX_TYPES_1_31);

const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

export function validSeccompType(type: string): boolean {
  return type === 'RuntimeDefault' || type === 'Localhost';
}

export function seccompProfileBaselineV1Dot0(meta: Obj, spec: Obj): CheckResult {
  const valid = (v: string) =>
    v === 'runtime/default' || v === 'docker/default' || v.startsWith('localhost/');
  const a = new Map(annotations(meta));
  const found = new Map<string, FieldError[]>();
  const check = (key: string) => {
    const value = a.get(key);
    if (value === undefined || valid(value)) return;
    const text = `${key}=${goQuote(value)}`;
    found.set(text, [...(found.get(text) ?? []), forbidden(`metadata.annotations[${key}]`, value)]);
  };
  check(SECCOMP_POD_ANNOTATION);
  for (const { name } of visitContainers(spec)) check(SECCOMP_CONTAINER_PREFIX + name);
  if (found.size === 0) return ALLOWED;
  const values = [...found.keys()].sort();
  return fail(
    'seccompProfile',
    `forbidden ${pluralize('annotation', 'annotations', values.length)} ${values.join(', ')}`,
    values.flatMap((v) => found.get(v) ?? []),
  );
}

export function seccompProfileBaselineV1Dot19(_meta: Obj, spec: Obj): CheckResult {
  const setters: string[] = [];
  const badValues: string[] = [];
  const errors: FieldError[] = [];
  const podProfile = obj(podSecurityContext(spec)?.seccompProfile);
  if (podProfile && !validSeccompType(str(podProfile.type))) {
    setters.push('pod');
    badValues.push(str(podProfile.type));
    errors.push(forbidden('spec.securityContext.seccompProfile.type', str(podProfile.type)));
  }
  const bad: string[] = [];
  for (const { container, name, path } of visitContainers(spec)) {
    const profile = obj(securityContext(container)?.seccompProfile);
    if (profile && !validSeccompType(str(profile.type))) {
      bad.push(name);
      badValues.push(str(profile.type));
      errors.push(forbidden(`${path}.securityContext.seccompProfile.type`, str(profile.type)));
    }
  }
  if (bad.length > 0) setters.push(`${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)}`);
  if (setters.length === 0) return ALLOWED;
  return fail(
    'seccompProfile',
    `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(badValues))}`,
    errors,
  );
}

const SYSCTLS_1_0 = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
];
const SYSCTLS_1_27 = [...SYSCTLS_1_0, 'net.ipv4.ip_local_reserved_ports'];
const SYSCTLS_1_29 = [
  ...SYSCTLS_1_27,
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];
const SYSCTLS_1_32 = [...SYSCTLS_1_29, 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'];

function sysctls(spec: Obj, allowed: readonly string[]): CheckResult {
  const names: string[] = [];
  const errors: FieldError[] = [];
  list(podSecurityContext(spec)?.sysctls).forEach((s, i) => {
    const name = str(obj(s)?.name);
    if (allowed.includes(name)) return;
    names.push(name);
    errors.push(forbidden(`spec.securityContext.sysctls[${i}].name`, name));
  });
  if (names.length === 0) return ALLOWED;
  return fail('forbidden sysctls', names.join(', '), errors);
}

export const sysctlsV1Dot0 = (_meta: Obj, spec: Obj) => sysctls(spec, SYSCTLS_1_0);
export const sysctlsV1Dot27 = (_meta: Obj, spec: Obj) => sysctls(spec, SYSCTLS_1_27);
export const sysctlsV1Dot29 = (_meta: Obj, spec: Obj) => sysctls(spec, SYSCTLS_1_29);
export const sysctlsV1Dot32 = (_meta: Obj, spec: Obj) => sysctls(spec, SYSCTLS_1_32);

export function windowsHostProcessV1Dot0(_meta: Obj, spec: Obj): CheckResult {
  const hostProcess = (sc: Obj | undefined) => obj(sc?.windowsOptions)?.hostProcess === true;
  const bad: string[] = [];
  const containerErrors: FieldError[] = [];
  for (const { container, name, path } of visitContainers(spec)) {
    if (hostProcess(securityContext(container))) {
      bad.push(name);
      containerErrors.push(forbidden(`${path}.securityContext.windowsOptions.hostProcess`, true));
    }
  }
  const setters: string[] = [];
  const errors: FieldError[] = [];
  if (hostProcess(podSecurityContext(spec))) {
    setters.push('pod');
    errors.push(forbidden('spec.securityContext.windowsOptions.hostProcess', true));
  }
  if (bad.length > 0) {
    setters.push(`${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)}`);
    errors.push(...containerErrors);
  }
  if (setters.length === 0) return ALLOWED;
  return fail(
    'hostProcess',
    `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`,
    errors,
  );
}
