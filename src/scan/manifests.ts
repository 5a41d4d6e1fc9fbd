import type { Document } from '../core/document.js';
import { isObject } from '../core/document.js';
import { UserError } from '../core/errors.js';
import { loadDocumentsFromFile, readSmallFileDocuments } from '../load/documents.js';

// Reading plain manifest files into documents. Apart from discovery (which renders Kustomize and Helm
// and reads ignore files) so that a thread that only reads files (see read-ahead.ts) imports little.

export interface LoadedManifests {
  documents: Document[];
  errors: UserError[];
  /** Files that turned out to be Terraform plan JSON. */
  planFiles: string[];
}

export interface ManifestReadOptions {
  /**
   * Read files that are small enough to be read whole synchronously (scan shares, in worker threads);
   * larger ones stream as usual.
   */
  sync?: boolean;
  /** Collects the text of each file read whole, by path (findings are located in it afterwards). */
  texts?: Map<string, string>;
  /** With `sync`: the caller found every file small enough to be read whole (see readsInParts). */
  sizeChecked?: boolean;
  /** With `sync`: texts read already (a scan's first pass keeps them), parsed instead of read again. */
  known?: { take(file: string): string | undefined };
}

/** Reads and parses manifest files, in order; reads overlap (a window of files in flight). */
export async function loadManifestFiles(
  manifests: readonly string[],
  options: ManifestReadOptions = {},
): Promise<LoadedManifests> {
  const out: LoadedManifests = { documents: [], errors: [], planFiles: [] };
  for (let i = 0; i < manifests.length; i += READ_WINDOW) {
    const window = manifests.slice(i, i + READ_WINDOW);
    const loaded = await Promise.all(
      window.map((f): Promise<{ f: string; docs: Document[] } | { f: string; error: unknown }> => {
        if (options.sync) {
          try {
            const small = readSmallFileDocuments(f, {}, options.sizeChecked, options.known?.take(f));
            if (small) {
              options.texts?.set(f, small.text);
              return Promise.resolve({ f, docs: small.documents });
            }
          } catch (error) {
            return Promise.resolve({ f, error });
          }
        }
        return loadDocumentsFromFile(f).then(
          (docs) => ({ f, docs }),
          (error: unknown) => ({ f, error }),
        );
      }),
    );
    for (const item of loaded) {
      if ('error' in item) {
        if (item.error instanceof UserError) out.errors.push(item.error);
        else throw item.error;
        continue;
      }
      for (const d of item.docs) {
        if (isPlanJson(d.content)) {
          out.planFiles.push(item.f);
          break;
        }
        if (
          isObject(d.content) &&
          typeof d.content.kind === 'string' &&
          typeof d.content.apiVersion === 'string'
        ) {
          out.documents.push(d);
        }
      }
    }
  }
  return out;
}

const READ_WINDOW = 32;

export function isPlanJson(content: unknown): boolean {
  return (
    isObject(content) &&
    'format_version' in content &&
    ('planned_values' in content || 'resource_changes' in content)
  );
}
