/**
 * Kyverno's CEL libraries, offline. Lookups that would reach a cluster or the network (`resource`, `http`,
 * `globalContext`, `imagedata`) read only what the test or the command gave them (CelServices) and otherwise
 * fail with a message that says so. Parsing helpers (image, x509, json, yaml, time_*) work as in Kyverno.
 */
import type { Environment } from '@marcbachmann/cel-js';
import YAML from 'yaml';
import { formatGoDuration, tryParseGoDuration } from '../../../core/units/duration.js';
import { formatRFC3339, fromNanos, parseGoTime, RFC3339, toNanos } from '../../vars/gotime.js';
import { parseImageReference } from '../../vars/images.js';
import { decodeX509 } from '../../vars/x509.js';
import { toCel } from '../values.js';
import { evalError, registerNamespace } from './util.js';

/** What a policy run knows about the world beyond the object under evaluation. */
export interface CelServices {
  /** Objects of the (fake) cluster: the test's clusterResources, context resources and given resources. */
  resources?: readonly Record<string, unknown>[];
  /** Mocked HTTP answers (apiCallResponses). */
  http?: readonly HttpMock[];
  /** Mocked global context entries. */
  globalContext?: readonly {
    name: string;
    data: unknown;
    projections?: { name: string; value: unknown }[];
  }[];
  /** Image data from a Context file's spec.images, keyed by image reference. */
  images?: ReadonlyMap<string, unknown>;
}

export interface HttpMock {
  method: string;
  url?: string;
  urlPath?: string;
  statusCode: number;
  body: unknown;
}

/** Lowercase plural resource name for a kind, as API discovery would report it. */
const plurals = new Map<string, string>();

export function pluralise(kind: string): string {
  let p = plurals.get(kind);
  if (p === undefined) {
    p = computePlural(kind);
    if (plurals.size < 10_000) plurals.set(kind, p);
  }
  return p;
}

function computePlural(kind: string): string {
  const k = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(k)) return `${k}es`;
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

export class ResourceContext {
  constructor(readonly objects: readonly Record<string, unknown>[]) {}
  find(apiVersion: string, resource: string, namespace: string): Record<string, unknown>[] {
    const r = resource.toLowerCase();
    return this.objects.filter((o) => {
      const kind = String(o.kind ?? '');
      const meta = (o.metadata ?? {}) as Record<string, unknown>;
      return (
        String(o.apiVersion ?? '') === apiVersion &&
        (pluralise(kind) === r || kind.toLowerCase() === r) &&
        (namespace === '' || (meta.namespace ?? '') === namespace)
      );
    });
  }
}

export class HttpContext {
  constructor(readonly mocks: readonly HttpMock[]) {}
  call(method: string, url: string): unknown {
    let path = url;
    try {
      path = new URL(url).pathname;
    } catch {
      // not absolute: compare as a path
    }
    const hit =
      this.mocks.find((m) => m.method === method && m.url === url) ??
      this.mocks.find((m) => m.method === method && m.urlPath !== undefined && m.urlPath === path);
    if (!hit)
      throw evalError(
        `http.${method === 'GET' ? 'Get' : 'Post'}(${JSON.stringify(url)}): Rampart runs offline and no apiCallResponses entry answers ${method} ${url}`,
      );
    if (hit.statusCode >= 400) throw evalError(`HTTP ${hit.statusCode} from ${url}`);
    return toCel(hit.body);
  }
}

export class GlobalContext {
  constructor(readonly entries: NonNullable<CelServices['globalContext']>) {}
}

export class ImageDataContext {
  constructor(readonly images: ReadonlyMap<string, unknown>) {}
  /** The image data the test context gives for `ref` (the exact reference), or an evaluation error naming `call`. */
  lookup(ref: string, call: string): unknown {
    const data = this.images.get(ref);
    if (data === undefined)
      throw evalError(
        `${call}(${JSON.stringify(ref)}): no image data (Rampart does not contact registries; supply it in the test's Context spec.images)`,
      );
    return toCel(data);
  }
}

export class CelImage {
  constructor(
    readonly registry: string,
    readonly repository: string,
    readonly tag: string,
    readonly digest: string,
    readonly text: string,
  ) {}
  toString(): string {
    return this.text;
  }
}

/** go-containerregistry's name.ParseReference view of an image: index.docker.io and library/ for Docker Hub. */
export function parseImage(s: string): CelImage {
  let info: ReturnType<typeof parseImageReference>;
  try {
    info = parseImageReference(s);
  } catch (e) {
    throw evalError(`could not parse reference: ${s}: ${(e as Error).message}`);
  }
  const hub = info.registry === 'docker.io';
  const registry = hub ? 'index.docker.io' : info.registry;
  const repository = hub && !info.path.includes('/') ? `library/${info.path}` : info.path;
  const digest = info.digest ?? '';
  const tag =
    digest && !/:[\w][\w.-]{0,127}(@|$)/.test(s.slice(s.lastIndexOf('/') + 1)) ? '' : (info.tag ?? 'latest');
  return new CelImage(registry, repository, tag, digest, s);
}

function isImage(s: string): boolean {
  try {
    parseImageReference(s);
    return true;
  } catch {
    return false;
  }
}

function parseTime(s: string, what: string) {
  try {
    return parseGoTime(RFC3339, s);
  } catch (e) {
    throw evalError(`invalid ${what}: ${(e as Error).message}`);
  }
}

function duration(s: string): bigint {
  const d = tryParseGoDuration(s);
  if (d === undefined) throw evalError(`invalid duration: time: invalid duration ${JSON.stringify(s)}`);
  return d;
}

function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  throw evalError('expected a string or bytes');
}

export function registerKyverno(env: Environment): void {
  env.registerType('ResourceContext', ResourceContext);
  env.registerVariable('resource', 'ResourceContext');
  env.registerFunction(
    'ResourceContext.Get(string, string, string, string): dyn',
    (c: ResourceContext, apiVersion: string, resource: string, ns: string, name: string) => {
      const hit = c
        .find(apiVersion, resource, ns)
        .find((o) => (o.metadata as Record<string, unknown> | undefined)?.name === name);
      if (!hit)
        throw evalError(
          `resource.Get: ${resource} ${ns ? `${ns}/` : ''}${name} (${apiVersion}) not found among the given resources (Rampart runs offline)`,
        );
      return toCel(hit);
    },
  );
  env.registerFunction(
    'ResourceContext.List(string, string, string): dyn',
    (c: ResourceContext, apiVersion: string, resource: string, ns: string) =>
      toCel({ apiVersion, kind: 'List', items: c.find(apiVersion, resource, ns) }),
  );

  env.registerType('HttpContext', HttpContext);
  env.registerVariable('http', 'HttpContext');
  env.registerFunction('HttpContext.Get(string): dyn', (c: HttpContext, url: string) => c.call('GET', url));
  env.registerFunction('HttpContext.Get(string, map): dyn', (c: HttpContext, url: string) =>
    c.call('GET', url),
  );
  env.registerFunction('HttpContext.Post(string, dyn): dyn', (c: HttpContext, url: string) =>
    c.call('POST', url),
  );
  env.registerFunction('HttpContext.Post(string, dyn, map): dyn', (c: HttpContext, url: string) =>
    c.call('POST', url),
  );
  env.registerFunction('HttpContext.Client(string): HttpContext', (c: HttpContext) => c);

  env.registerType('GlobalContext', GlobalContext);
  env.registerVariable('globalContext', 'GlobalContext');
  env.registerFunction(
    'GlobalContext.Get(string, string): dyn',
    (c: GlobalContext, name: string, projection: string) => {
      const entry = c.entries.find((e) => e.name === name);
      if (!entry)
        throw evalError(
          `globalContext.Get: no global context entry ${JSON.stringify(name)} (Rampart runs offline; add it to the test's globalContextEntries)`,
        );
      if (projection === '') return toCel(entry.data);
      const p = entry.projections?.find((x) => x.name === projection);
      if (!p)
        throw evalError(
          `globalContext.Get: entry ${JSON.stringify(name)} has no projection ${JSON.stringify(projection)}`,
        );
      return toCel(p.value);
    },
  );

  // Image data: `imagedata.Get(ref)` in Kyverno's first CEL releases, `image.GetMetadata(ref)` since the library
  // moved to the `image` variable (ImageValidatingPolicy and the other policies.kyverno.io kinds). Both read the
  // same offline answers. The variable `image` and the function `image(string)` coexist: CEL keeps variables and
  // functions apart.
  env.registerType('ImageDataContext', ImageDataContext);
  env.registerVariable('imagedata', 'ImageDataContext');
  env.registerVariable('image', 'ImageDataContext');
  env.registerFunction('ImageDataContext.Get(string): dyn', (c: ImageDataContext, ref: string) =>
    c.lookup(ref, 'imagedata.Get'),
  );
  env.registerFunction('ImageDataContext.GetMetadata(string): dyn', (c: ImageDataContext, ref: string) =>
    c.lookup(ref, 'image.GetMetadata'),
  );

  env.registerType('Image', CelImage);
  env.registerFunction('image(string): Image', parseImage);
  env.registerFunction('parseImageReference(string): Image', parseImage);
  env.registerFunction('isImage(string): bool', isImage);
  env.registerFunction('Image.registry(): string', (i: CelImage) => i.registry);
  env.registerFunction('Image.repository(): string', (i: CelImage) => i.repository);
  env.registerFunction('Image.identifier(): string', (i: CelImage) => i.digest || i.tag);
  env.registerFunction('Image.tag(): string', (i: CelImage) => i.tag);
  env.registerFunction('Image.digest(): string', (i: CelImage) => i.digest);
  env.registerFunction('Image.containsDigest(): bool', (i: CelImage) => i.digest !== '');
  env.registerFunction('string(Image): string', (i: CelImage) => i.text);

  const x509 = registerNamespace(env, 'x509', 'X509Namespace');
  env.registerFunction(`${x509.type}.decode(string): dyn`, (_: unknown, pem: string) => {
    try {
      return toCel(decodeX509(pem));
    } catch (e) {
      throw evalError(`x509.decode: ${(e as Error).message}`);
    }
  });
  const json = registerNamespace(env, 'json', 'JsonNamespace');
  env.registerFunction(`${json.type}.unmarshal(dyn): dyn`, (_: unknown, v: unknown) => {
    try {
      return toCel(JSON.parse(textOf(v)));
    } catch (e) {
      throw evalError(`json.unmarshal: ${(e as Error).message}`);
    }
  });
  const yaml = registerNamespace(env, 'yaml', 'YamlNamespace');
  env.registerFunction(`${yaml.type}.parse(dyn): dyn`, (_: unknown, v: unknown) => {
    try {
      return toCel(YAML.parse(textOf(v)));
    } catch (e) {
      throw evalError(`yaml.parse: ${(e as Error).message}`);
    }
  });

  env.registerFunction('time_now(): string', () =>
    formatRFC3339(fromNanos(BigInt(Date.now()) * 1_000_000n, -new Date().getTimezoneOffset() * 60)),
  );
  env.registerFunction('time_now_utc(): string', () =>
    formatRFC3339(fromNanos(BigInt(Date.now()) * 1_000_000n, 0)),
  );
  env.registerFunction('time_parse(string, string): string', (layout: string, value: string) => {
    if (/^-?\d+$/.test(layout)) {
      if (!/^-?\d+$/.test(value)) throw evalError(`invalid epoch timestamp: ${value}`);
      return formatRFC3339(fromNanos(BigInt(value) * 1_000_000_000n, 0));
    }
    try {
      return formatRFC3339(parseGoTime(layout, value));
    } catch (e) {
      throw evalError(`failed to parse time: ${(e as Error).message}`);
    }
  });
  env.registerFunction('time_add(string, string): string', (ts: string, d: string) => {
    const t = parseTime(ts, 'timestamp');
    return formatRFC3339(fromNanos(toNanos(t) + duration(d), t.offset));
  });
  env.registerFunction('time_diff(string, string): string', (a: string, b: string) =>
    formatGoDuration(toNanos(parseTime(b, 'second timestamp')) - toNanos(parseTime(a, 'first timestamp'))),
  );
  env.registerFunction(
    'time_before(string, string): bool',
    (a: string, b: string) =>
      toNanos(parseTime(a, 'first timestamp')) < toNanos(parseTime(b, 'second timestamp')),
  );
  env.registerFunction(
    'time_after(string, string): bool',
    (a: string, b: string) =>
      toNanos(parseTime(a, 'first timestamp')) > toNanos(parseTime(b, 'second timestamp')),
  );
}
