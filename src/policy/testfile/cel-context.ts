/**
 * What a Kyverno test gives CEL policies besides the resources under test: the Context file (spec.resources for
 * resource.Get/List, spec.images for imagedata.Get), apiCallResponses for http.Get/Post and globalContextEntries
 * for globalContext.Get.
 */
import type { Document } from '../../core/document.js';
import { isObject } from '../../core/document.js';
import type { CelServices, HttpMock } from '../cel/index.js';
import { withDefaultNamespace } from '../engine/resource.js';
import { loadResources } from '../load.js';
import type { TestSpec } from './schema.js';

/** Policy kinds whose test results match every response of the policy, whatever `rule` says. */
export const RULELESS_KINDS = new Set([
  'ValidatingAdmissionPolicy',
  'MutatingAdmissionPolicy',
  'ValidatingPolicy',
  'NamespacedValidatingPolicy',
  'MutatingPolicy',
  'NamespacedMutatingPolicy',
  'GeneratingPolicy',
  'NamespacedGeneratingPolicy',
  'ImageValidatingPolicy',
  'NamespacedImageValidatingPolicy',
  'DeletingPolicy',
  'NamespacedDeletingPolicy',
]);

function httpMocks(list: Record<string, unknown>[]): HttpMock[] {
  return list.map((m) => {
    const response = isObject(m.response) ? m.response : {};
    return {
      method: String(m.method ?? 'GET').toUpperCase(),
      url: typeof m.url === 'string' ? m.url : undefined,
      urlPath: typeof m.urlPath === 'string' ? m.urlPath : undefined,
      statusCode: typeof response.statusCode === 'number' ? response.statusCode : 200,
      body: response.body ?? null,
    };
  });
}

export async function celServicesFor(
  spec: TestSpec,
  base: string,
  resolvePath: (base: string, p: string) => string,
): Promise<{ services: CelServices; resources: Document[] }> {
  const resources: Document[] = [];
  const images = new Map<string, unknown>();
  if (spec.context) {
    for (const d of await loadResources([resolvePath(base, spec.context)])) {
      const c = d.content;
      if (!isObject(c) || c.kind !== 'Context' || !isObject(c.spec)) continue;
      for (const r of Array.isArray(c.spec.resources) ? c.spec.resources : [])
        if (isObject(r)) resources.push({ ...d, content: withDefaultNamespace(r) });
      for (const img of Array.isArray(c.spec.images) ? c.spec.images : [])
        if (isObject(img) && typeof img.image === 'string') images.set(img.image, img);
    }
  }
  return {
    resources,
    services: {
      http: httpMocks(spec.apiCallResponses),
      globalContext: Object.entries(spec.globalContextEntries).map(([name, data]) => ({ name, data })),
      images,
    },
  };
}
