import { type Document, isObject } from '../../core/document.js';
import type { ResourceRef } from '../../core/result.js';

/** Kinds that live outside namespaces; everything else (including unknown custom kinds) is namespaced, as Kyverno's CLI assumes. */
export const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'StorageClass',
  'PriorityClass',
  'RuntimeClass',
  'IngressClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
  'APIService',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'CertificateSigningRequest',
  'ClusterPolicy',
  'ClusterCleanupPolicy',
  'ClusterPolicyReport',
  'PodSecurityPolicy',
  'FlowSchema',
  'PriorityLevelConfiguration',
  'ComponentStatus',
  'ClusterIssuer',
]);

export function isClusterScoped(kind: string, extra?: ReadonlySet<string>): boolean {
  return CLUSTER_SCOPED_KINDS.has(kind) || (extra?.has(kind) ?? false);
}

export function resourceRef(content: unknown): ResourceRef {
  const obj = isObject(content) ? content : {};
  const meta = isObject(obj.metadata) ? obj.metadata : {};
  return {
    apiVersion: typeof obj.apiVersion === 'string' ? obj.apiVersion : '',
    kind: typeof obj.kind === 'string' ? obj.kind : '',
    namespace: typeof meta.namespace === 'string' ? meta.namespace : '',
    name:
      typeof meta.name === 'string'
        ? meta.name
        : typeof meta.generateName === 'string'
          ? meta.generateName
          : '',
  };
}

/** Kyverno's CLI defaults a namespaced resource's namespace to "default". */
export function withDefaultNamespace<T>(content: T, extraClusterScoped?: ReadonlySet<string>): T {
  if (!isObject(content) || typeof content.kind !== 'string') return content;
  if (isClusterScoped(content.kind, extraClusterScoped)) return content;
  const meta = isObject(content.metadata) ? content.metadata : {};
  if (typeof meta.namespace === 'string' && meta.namespace !== '') return content;
  return { ...content, metadata: { ...meta, namespace: 'default' } } as T;
}

/** Splits "apps/v1" into group and version ("v1" → group ""). */
export function groupVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** A document as the engine evaluates it: namespaced kinds default to the "default" namespace. */
export function asResource(doc: Document): Document {
  return { ...doc, content: withDefaultNamespace(doc.content) };
}
