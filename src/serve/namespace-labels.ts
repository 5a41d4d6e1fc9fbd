import { isObject } from '../core/document.js';
import { UserError } from '../core/errors.js';
import { loadDocumentsFromFile } from '../load/documents.js';

export type NamespaceLabels = (namespace: string) => Record<string, string> | undefined;

/**
 * Namespace labels for `namespaceSelector` when no cluster is configured: a YAML/JSON file of Namespace
 * objects, or one mapping `{namespace: {label: value}}`. Every namespace also carries
 * `kubernetes.io/metadata.name`, as the API server sets it on all namespaces.
 */
export async function loadNamespaceLabels(file: string | undefined): Promise<NamespaceLabels> {
  const table = new Map<string, Record<string, string>>();
  if (file) {
    for (const doc of await loadDocumentsFromFile(file, { expandLists: true })) {
      const c = doc.content;
      if (!isObject(c)) continue;
      if (c.kind === 'Namespace') {
        const meta = isObject(c.metadata) ? c.metadata : {};
        if (typeof meta.name === 'string')
          table.set(meta.name, stringMap(meta.labels, `${file}: Namespace ${meta.name} labels`));
        continue;
      }
      for (const [ns, labels] of Object.entries(c)) table.set(ns, stringMap(labels, `${file}: ${ns}`));
    }
  }
  return (namespace) => {
    if (!namespace) return undefined;
    return { ...table.get(namespace), 'kubernetes.io/metadata.name': namespace };
  };
}

function stringMap(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new UserError(`${where}: labels must be a mapping`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) out[k] = String(v);
  return out;
}
