import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import ignore from 'ignore';
import type { Document } from '../core/document.js';
import { isObject } from '../core/document.js';
import { UserError } from '../core/errors.js';
import { discoverFiles } from '../load/discover.js';
import { loadDocumentsFromFile, parseText } from '../load/documents.js';
import { loadManifestFiles } from './manifests.js';

export interface DiscoveryNotice {
  path: string;
  message: string;
}

export interface Discovered {
  documents: Document[];
  /** Terraform inputs (`.tf` files and plan JSON), handed to the Terraform scanner. */
  terraformFiles: string[];
  notices: DiscoveryNotice[];
  /** Files that failed to parse (the scan goes on with the others). */
  errors: UserError[];
  /** Whether any Kustomize/Helm output was rendered (its objects may repeat plain manifests). */
  rendered: boolean;
  /**
   * With `deferManifests`, the plain manifest files left for the caller to load (in order, with
   * loadManifestFiles), so they can be read and evaluated in shares instead of all at once here.
   */
  manifests: string[];
}

export interface DiscoverOptions {
  /** Leave plain manifests unread (see Discovered.manifests), unless Kustomize/Helm output needs them. */
  deferManifests?: boolean;
}

const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function run(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(command, args, { cwd, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error((stderr || error.message).trim().split('\n').slice(-3).join(' ')));
      else resolvePromise(stdout);
    });
  });
}

async function loadIgnore(root: string): Promise<((rel: string, isDir: boolean) => boolean) | undefined> {
  try {
    const text = await readFile(join(root, '.rampartignore'), 'utf8');
    const ig = ignore().add(text);
    return (rel, isDir) => ig.ignores(isDir ? `${rel}/` : rel);
  } catch {
    return undefined;
  }
}

/** Files a kustomization lists as patches are partial objects, not manifests. */
function kustomizePatchFiles(dir: string, k: Record<string, unknown>): string[] {
  const out: string[] = [];
  const add = (p: unknown) => typeof p === 'string' && out.push(resolve(dir, p));
  for (const key of [
    'patchesStrategicMerge',
    'patchesJson6902',
    'patches',
    'components',
    'configurations',
    'replacements',
  ]) {
    const list = k[key];
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      if (typeof item === 'string') add(item);
      else if (isObject(item)) add(item.path);
    }
  }
  return out;
}

function kustomizeResourceDirs(dir: string, k: Record<string, unknown>): string[] {
  const list = [
    ...(Array.isArray(k.resources) ? k.resources : []),
    ...(Array.isArray(k.bases) ? k.bases : []),
  ];
  return list
    .filter((r): r is string => typeof r === 'string' && !r.includes('://'))
    .map((r) => resolve(dir, r));
}

/**
 * Finds everything `rampart scan` reads under the given paths: YAML/JSON manifests, Kustomize overlays
 * (rendered with `kubectl kustomize` when available), Helm charts (rendered with `helm template`), and
 * Terraform files. Skips node_modules, .git and whatever `.rampartignore` lists.
 */
export async function discoverScanInputs(
  paths: readonly string[],
  options: DiscoverOptions = {},
): Promise<Discovered> {
  const out: Discovered = {
    documents: [],
    terraformFiles: [],
    notices: [],
    errors: [],
    rendered: false,
    manifests: [],
  };
  let deferring = Boolean(options.deferManifests);
  for (const root of paths) {
    if (root === '-') {
      // Manifests piped in (e.g. `helm template ... | rampart scan -`).
      for (const d of await loadDocumentsFromFile('-')) {
        if (
          isObject(d.content) &&
          typeof d.content.kind === 'string' &&
          typeof d.content.apiVersion === 'string'
        ) {
          out.documents.push(d);
        }
      }
      continue;
    }
    let isDir = false;
    try {
      isDir = (await stat(root)).isDirectory();
    } catch {
      throw new UserError(`scan: no such file or directory: ${root}`);
    }
    const ignoreFn = isDir ? await loadIgnore(root) : undefined;
    const files = await discoverFiles([root], {
      accept: (name) => /\.(ya?ml|json|tf)$/i.test(name) || name === 'Kustomization' || name === 'Chart.yaml',
      ignore: ignoreFn,
    });
    const kustomizations = files.filter((f) =>
      KUSTOMIZATION_NAMES.some((n) => f.endsWith(`/${n}`) || f === n),
    );
    const charts = files.filter((f) => f.endsWith('Chart.yaml')).map((f) => dirname(resolve(f)));
    const skip = new Set<string>();
    const referenced = new Set<string>();
    const kustomizeDirs: string[] = [];
    for (const kf of kustomizations) {
      const dir = dirname(resolve(kf));
      kustomizeDirs.push(dir);
      skip.add(resolve(kf));
      try {
        const [doc] = parseText(await readFile(kf, 'utf8'), kf);
        if (isObject(doc?.content)) {
          for (const p of kustomizePatchFiles(dir, doc.content)) skip.add(p);
          for (const r of kustomizeResourceDirs(dir, doc.content)) referenced.add(r);
        }
      } catch (error) {
        if (error instanceof UserError) out.errors.push(error);
        else throw error;
      }
    }
    const manifests: string[] = [];
    for (const f of files) {
      const abs = resolve(f);
      if (skip.has(abs) || f.endsWith('Chart.yaml')) continue;
      if (charts.some((c) => abs.startsWith(`${c}/`))) continue;
      if (/\.tf$/i.test(f)) out.terraformFiles.push(f);
      else manifests.push(f);
    }
    const toRender = kustomizeDirs.filter((d) => !referenced.has(d));
    if (deferring && toRender.length === 0 && charts.length === 0) {
      out.manifests.push(...manifests);
      continue;
    }
    // Rendered objects are mapped back to the plain manifests, so those (all of them) are read first.
    deferring = false;
    const loaded = await loadManifestFiles([...out.manifests.splice(0), ...manifests]);
    for (const d of loaded.documents) out.documents.push(d);
    out.errors.push(...loaded.errors);
    out.terraformFiles.push(...loaded.planFiles);
    await renderKustomizations(toRender, root, out);
    await renderCharts(charts, root, out);
  }
  return out;
}

async function renderKustomizations(dirs: string[], root: string, out: Discovered): Promise<void> {
  if (!dirs.length) return;
  const kubectl = onPath('kubectl');
  for (const dir of dirs) {
    const rel = relative(process.cwd(), dir) || '.';
    if (!kubectl) {
      out.notices.push({
        path: rel,
        message:
          'Kustomize overlay not rendered: kubectl is not on PATH (install kubectl to scan the rendered output); plain manifests in it were scanned directly',
      });
      continue;
    }
    try {
      const text = await run(kubectl, ['kustomize', dir], root);
      addRendered(text, join(rel, 'kustomization.yaml'), out);
    } catch (error) {
      out.errors.push(
        new UserError(`kubectl kustomize failed: ${(error as Error).message}`, { position: { file: rel } }),
      );
    }
  }
}

async function renderCharts(dirs: string[], root: string, out: Discovered): Promise<void> {
  if (!dirs.length) return;
  const helm = onPath('helm');
  for (const dir of dirs) {
    const rel = relative(process.cwd(), dir) || '.';
    if (!helm) {
      out.notices.push({
        path: rel,
        message: 'Helm chart not rendered: helm is not on PATH (install helm to scan it)',
      });
      continue;
    }
    try {
      const text = await run(helm, ['template', 'rampart-scan', dir], root);
      addRendered(text, join(rel, 'Chart.yaml'), out);
    } catch (error) {
      out.errors.push(
        new UserError(`helm template failed: ${(error as Error).message}`, { position: { file: rel } }),
      );
    }
  }
}

function identity(content: unknown): string | undefined {
  if (!isObject(content) || !isObject(content.metadata)) return undefined;
  return `${String(content.kind)}/${String(content.metadata.name)}`;
}

/**
 * Rendered objects point back at the manifest they came from (same kind and name) when the scan
 * read it, so findings land on a real line; otherwise at the kustomization or chart file.
 */
function addRendered(text: string, file: string, out: Discovered): void {
  const sources = new Map<string, Document['origin']>();
  for (const d of out.documents) {
    const id = identity(d.content);
    if (id && !sources.has(id)) sources.set(id, d.origin);
  }
  const parsed = parseText(text, `${file} (rendered)`);
  out.rendered = true;
  for (const p of parsed) {
    if (!isObject(p.content)) continue;
    const source = sources.get(identity(p.content) ?? '');
    out.documents.push({
      id: `${file}#rendered#${p.index}`,
      origin: source ?? { file, line: 1, column: 1, index: p.index },
      format: 'kubernetes',
      content: p.content,
    });
  }
}
