// Restricted checks of k8s.io/pod-security-admission (policy/check_*.go, release-1.34), with the field error
// lists of Kyverno's fork of that package.
import { validSeccompType } from './checks-baseline.js';
import {
  fail,
  forbidden,
  isWindows,
  joinQuote,
  list,
  obj,
  pluralize,
  podSecurityContext,
  required,
  securityContext,
  sortedSet,
  str,
  visitContainers,
} from './helpers.js';
import { ALLOWED, type CheckResult, type FieldError, type Obj } from './types.js';

export function allowPrivilegeEscalationV1Dot8(_meta: Obj, spec: Obj): CheckResult {
  const bad: string[] = [];
  const errors: FieldError[] = [];
  for (const { container, name, path } of visitContainers(spec)) {
    const sc = securityContext(container);
    const field = `${path}.securityContext.allowPrivilegeEscalation`;
    if (!sc) {
      bad.push(name);
      errors.push(required(field));
    } else if (sc.allowPrivilegeEscalation === undefined || sc.allowPrivilegeEscalation === null) {
      bad.push(name);
      errors.push(forbidden(field, 'nil'));
    } else if (sc.allowPrivilegeEscalation === true) {
      bad.push(name);
      errors.push(forbidden(field, true));
    }
  }
  if (bad.length === 0) return ALLOWED;
  return fail(
    'allowPrivilegeEscalation != false',
    `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} must set securityContext.allowPrivilegeEscalation=false`,
    errors,
  );
}

/** From v1.25 Windows pods are exempt from the Linux-only restricted checks. */
function linuxOnly(check: (meta: Obj, spec: Obj) => CheckResult) {
  return (meta: Obj, spec: Obj): CheckResult => (isWindows(spec) ? ALLOWED : check(meta, spec));
}

export const allowPrivilegeEscalationV1Dot25 = linuxOnly(allowPrivilegeEscalationV1Dot8);

export function capabilitiesRestrictedV1Dot22(_meta: Obj, spec: Obj): CheckResult {
  const missingDropAll: string[] = [];
  const missingErrors: FieldError[] = [];
  const addingForbidden: string[] = [];
  const addingErrors: FieldError[] = [];
  const forbiddenCaps: string[] = [];
  for (const { container, name, path } of visitContainers(spec)) {
    const caps = obj(securityContext(container)?.capabilities);
    const dropField = `${path}.securityContext.capabilities.drop`;
    if (!caps) {
      missingDropAll.push(name);
      missingErrors.push(required(dropField));
      continue;
    }
    const drop = list(caps.drop).map(String);
    if (!drop.includes('ALL')) {
      missingDropAll.push(name);
      missingErrors.push(drop.length > 0 ? forbidden(dropField, sortedSet(drop)) : required(dropField));
    }
    const added = list(caps.add)
      .map(String)
      .filter((c) => c !== 'NET_BIND_SERVICE');
    if (added.length > 0) {
      addingForbidden.push(name);
      forbiddenCaps.push(...added);
      addingErrors.push(forbidden(`${path}.securityContext.capabilities.add`, sortedSet(added)));
    }
  }
  const details: string[] = [];
  if (missingDropAll.length > 0) {
    details.push(
      `${pluralize('container', 'containers', missingDropAll.length)} ${joinQuote(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`,
    );
  }
  if (addingForbidden.length > 0) {
    details.push(
      `${pluralize('container', 'containers', addingForbidden.length)} ${joinQuote(addingForbidden)} must not include ${joinQuote(sortedSet(forbiddenCaps))} in securityContext.capabilities.add`,
    );
  }
  if (details.length === 0) return ALLOWED;
  return fail('unrestricted capabilities', details.join('; '), [...missingErrors, ...addingErrors]);
}

export const capabilitiesRestrictedV1Dot25 = linuxOnly(capabilitiesRestrictedV1Dot22);

const ALLOWED_VOLUME_SOURCES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
];
// The order of check_restrictedVolumes.go's switch: the first set source names the volume's type.
const RESTRICTED_VOLUME_SOURCES = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
];

const isSet = (v: unknown) => v !== undefined && v !== null;

export function restrictedVolumesV1Dot0(_meta: Obj, spec: Obj): CheckResult {
  const names: string[] = [];
  const types: string[] = [];
  const errors: FieldError[] = [];
  list(spec.volumes).forEach((v, i) => {
    const volume = obj(v) ?? {};
    if (ALLOWED_VOLUME_SOURCES.some((s) => isSet(volume[s]))) return;
    const type = RESTRICTED_VOLUME_SOURCES.find((s) => isSet(volume[s])) ?? 'unknown';
    names.push(str(volume.name));
    types.push(type);
    errors.push(forbidden(`spec.volumes[${i}].${type}`));
  });
  if (names.length === 0) return ALLOWED;
  const distinct = sortedSet(types);
  return fail(
    'restricted volume types',
    `${pluralize('volume', 'volumes', names.length)} ${joinQuote(names)} ${pluralize('uses', 'use', names.length)} ${pluralize('restricted volume type', 'restricted volume types', distinct.length)} ${joinQuote(distinct)}`,
    errors,
  );
}

export function runAsNonRootV1Dot0(_meta: Obj, spec: Obj): CheckResult {
  const setters: string[] = [];
  const setterErrors: FieldError[] = [];
  let podRunAsNonRoot = false;
  const podValue = podSecurityContext(spec)?.runAsNonRoot;
  if (podValue === false) {
    setters.push('pod');
    setterErrors.push(forbidden('spec.securityContext.runAsNonRoot', false));
  } else if (podValue === true) {
    podRunAsNonRoot = true;
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  const implicitErrors: FieldError[] = [];
  for (const { container, name, path } of visitContainers(spec)) {
    const value = securityContext(container)?.runAsNonRoot;
    if (value === true || value === false) {
      if (value === false) {
        explicit.push(name);
        setterErrors.push(forbidden(`${path}.securityContext.runAsNonRoot`, false));
      }
    } else if (!podRunAsNonRoot) {
      implicit.push(name);
      implicitErrors.push(required(`${path}.securityContext.runAsNonRoot`));
    }
  }
  if (explicit.length > 0)
    setters.push(`${pluralize('container', 'containers', explicit.length)} ${joinQuote(explicit)}`);
  // Kyverno's fork lists both kinds of field errors; the detail stays upstream's (explicit setters first).
  const errors = [...setterErrors, ...implicitErrors];
  if (setters.length > 0) {
    return fail(
      'runAsNonRoot != true',
      `${setters.join(' and ')} must not set securityContext.runAsNonRoot=false`,
      errors,
    );
  }
  if (implicit.length > 0) {
    return fail(
      'runAsNonRoot != true',
      `pod or ${pluralize('container', 'containers', implicit.length)} ${joinQuote(implicit)} must set securityContext.runAsNonRoot=true`,
      errors,
    );
  }
  return ALLOWED;
}

export function runAsUserV1Dot23(_meta: Obj, spec: Obj): CheckResult {
  const setters: string[] = [];
  const errors: FieldError[] = [];
  if (podSecurityContext(spec)?.runAsUser === 0) {
    setters.push('pod');
    errors.push(forbidden('spec.securityContext.runAsUser', 0));
  }
  const bad: string[] = [];
  for (const { container, name, path } of visitContainers(spec)) {
    if (securityContext(container)?.runAsUser === 0) {
      bad.push(name);
      errors.push(forbidden(`${path}.securityContext.runAsUser`, 0));
    }
  }
  if (bad.length > 0) setters.push(`${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)}`);
  if (setters.length === 0) return ALLOWED;
  return fail('runAsUser=0', `${setters.join(' and ')} must not set runAsUser=0`, errors);
}

export function seccompProfileRestrictedV1Dot19(_meta: Obj, spec: Obj): CheckResult {
  const setters: string[] = [];
  const badValues: string[] = [];
  const explicitErrors: FieldError[] = [];
  let podSet = false;
  const podProfile = obj(podSecurityContext(spec)?.seccompProfile);
  if (podProfile) {
    if (!validSeccompType(str(podProfile.type))) {
      setters.push('pod');
      badValues.push(str(podProfile.type));
      explicitErrors.push(forbidden('spec.securityContext.seccompProfile.type', str(podProfile.type)));
    } else {
      podSet = true;
    }
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  const implicitErrors: FieldError[] = [];
  for (const { container, name, path } of visitContainers(spec)) {
    const field = `${path}.securityContext.seccompProfile.type`;
    const profile = obj(securityContext(container)?.seccompProfile);
    if (profile) {
      if (!validSeccompType(str(profile.type))) {
        explicit.push(name);
        badValues.push(str(profile.type));
        explicitErrors.push(forbidden(field, str(profile.type)));
      }
    } else if (!podSet) {
      implicit.push(name);
      implicitErrors.push(required(field));
    }
  }
  if (explicit.length > 0)
    setters.push(`${pluralize('container', 'containers', explicit.length)} ${joinQuote(explicit)}`);
  if (setters.length > 0) {
    return fail(
      'seccompProfile',
      `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(badValues))}`,
      explicitErrors,
    );
  }
  if (implicit.length > 0) {
    return fail(
      'seccompProfile',
      `pod or ${pluralize('container', 'containers', implicit.length)} ${joinQuote(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
      implicitErrors,
    );
  }
  return ALLOWED;
}

export const seccompProfileRestrictedV1Dot25 = linuxOnly(seccompProfileRestrictedV1Dot19);
