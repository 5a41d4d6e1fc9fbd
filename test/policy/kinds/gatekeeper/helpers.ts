/** Builds Gatekeeper documents in memory for the kind's tests. */
import type { Document } from '../../../../src/core/document.js';

let next = 0;

export function doc(content: Record<string, unknown>, file = 'inline.yaml'): Document {
  next += 1;
  return {
    id: `doc-${next}`,
    origin: { file, line: 1, column: 1, index: next },
    format: 'kubernetes',
    content,
  };
}

export function celTemplate(
  kind: string,
  source: Record<string, unknown>,
  schema?: Record<string, unknown>,
  extraCode: Record<string, unknown>[] = [],
): Record<string, unknown> {
  return {
    apiVersion: 'templates.gatekeeper.sh/v1',
    kind: 'ConstraintTemplate',
    metadata: { name: kind.toLowerCase() },
    spec: {
      crd: { spec: { names: { kind }, ...(schema ? { validation: { openAPIV3Schema: schema } } : {}) } },
      targets: [
        {
          target: 'admission.k8s.gatekeeper.sh',
          code: [...extraCode, { engine: 'K8sNativeValidation', source }],
        },
      ],
    },
  };
}

export function constraint(kind: string, name: string, spec: Record<string, unknown> = {}) {
  return { apiVersion: 'constraints.gatekeeper.sh/v1beta1', kind, metadata: { name }, spec };
}

export function pod(name: string, namespace = 'default', labels: Record<string, string> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: 'app', image: 'nginx:latest' }] },
  };
}
