import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { expressionsIn } from '../../expr.js';
import { nestedBlocks, type TfModule, type TfResource } from '../../model.js';

export const CATEGORY = 'worker-fleet' as const;

export const USER_DATA_TYPES: Record<string, string[]> = {
  aws_launch_template: ['user_data'],
  aws_launch_configuration: ['user_data', 'user_data_base64'],
  aws_instance: ['user_data', 'user_data_base64'],
  aws_spot_instance_request: ['user_data', 'user_data_base64'],
};
/** The module's managed resources a worker rule reads (plans hold no provisioners or expressions). */
export function managedResources(module: TfModule, options: { fromPlan: boolean }): TfResource[] {
  return module.resources.filter((r) => r.mode === 'managed' && (options.fromPlan || !r.fromPlan));
}

/** A name built from the launch template or configuration changes with each version, forcing replacement. */
const VERSIONED_NAME =
  /aws_launch_(template|configuration)\.|latest_version|default_version|image_id|\.ami\b|var\.[\w-]*(version|ami|image)/;

/** How an Auto Scaling group is replaced: named after its template or image, and with create_before_destroy. */
export function replacement(r: TfResource): { versionedName: boolean; createBeforeDestroy: boolean } {
  const v = r.values;
  return {
    versionedName: typeof v.name === 'string' && expressionsIn(v.name).some((e) => VERSIONED_NAME.test(e)),
    createBeforeDestroy: nestedBlocks(v.lifecycle).some((l) => l.create_before_destroy === true),
  };
}

/** Each user_data attribute set on a resource, with the texts it reaches (read once for both user_data rules). */
const userDataCache = new WeakMap<TfResource, { attribute: string; texts: string[] }[]>();

export function userDataOf(r: TfResource): { attribute: string; texts: string[] }[] {
  let found = userDataCache.get(r);
  if (!found) {
    found = [];
    for (const attribute of USER_DATA_TYPES[r.type] ?? []) {
      const value = r.values[attribute];
      if (typeof value !== 'string' || value === '') continue;
      found.push({ attribute, texts: userDataTexts(r, value) });
    }
    userDataCache.set(r, found);
  }
  return found;
}

/** The user_data text itself, base64 payloads decoded, and module files it reads with file()/templatefile(). */
function userDataTexts(r: TfResource, value: string): string[] {
  const texts = [value];
  for (const m of value.matchAll(/[A-Za-z0-9+/]{24,}={0,2}/g)) {
    const decoded = decodeBase64Text(m[0]);
    if (decoded) texts.push(decoded);
  }
  if (!r.fromPlan && r.moduleDir !== undefined) {
    for (const m of value.matchAll(/\b(?:file|templatefile|filebase64)\(\s*"([^"]+)"/g)) {
      const path = m[1]!.replace(/\$\{path\.(module|root)\}/g, '.');
      if (path.includes('${')) continue;
      const full = resolve(r.moduleDir, path);
      const rel = relative(resolve(r.moduleDir), full);
      if (rel.startsWith('..') || isAbsolute(rel)) continue;
      try {
        texts.push(readFileSync(full, 'utf8'));
      } catch {
        // A missing script is Terraform's error to report at plan time.
      }
    }
  } else if (r.fromPlan) {
    const decoded = decodeBase64Text(value.trim());
    if (decoded) texts.push(decoded);
  }
  return texts;
}

function decodeBase64Text(candidate: string): string | undefined {
  if (candidate.length % 4 !== 0 && !/=$/.test(candidate)) return undefined;
  const decoded = Buffer.from(candidate, 'base64').toString('utf8');
  // Only text payloads matter; binary (gzip'd cloud-init) or accidental matches are skipped.
  const printable = decoded.replace(/[^\t\n\r\x20-\x7e]/g, '').length;
  return decoded.length > 0 && printable / decoded.length > 0.95 ? decoded : undefined;
}

/** A key naming a credential (`DB_PASSWORD`, `client_secret`, `GITHUB_TOKEN`) assigned with `=` or `:`. */
const SECRET_KEY =
  /(?<![A-Za-z0-9_-])([A-Za-z0-9_-]*?(?:password|passwd|secret|token|api[_-]?key|secret[_-]?key))["']?\s*[=:]\s*(["']?)([^\s"'#;,]*)/gi;
const NOT_A_SECRET = /^(true|false|yes|no|null|none|nil|\*+|x+)$/i;

/** Values that fetch the secret at run time rather than embedding it. */
function isRuntimeReference(value: string): boolean {
  return (
    value === '' ||
    NOT_A_SECRET.test(value) ||
    /^(\$\(|\$\$\{|\$[A-Za-z_]|`|<|\{\{|%\(|\/dev\/stdin|-$)/.test(value)
  );
}

export function findSecrets(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\b(AKIA|ASIA)[0-9A-Z]{16}\b/g))
    out.push(`AWS access key id ${m[0].slice(0, 8)}…`);
  if (/aws_secret_access_key\s*[=:]\s*["']?[A-Za-z0-9/+=]{40}/i.test(text)) out.push('AWS secret access key');
  for (const m of text.matchAll(/TFC_AGENT_TOKEN\s*=\s*(["']?)([^\s"']*)/g)) {
    const value = m[2]!;
    if (isRuntimeReference(value)) continue;
    out.push(
      value.startsWith('${')
        ? `TFC_AGENT_TOKEN is interpolated from ${value}`
        : 'TFC_AGENT_TOKEN is set to a literal token',
    );
  }
  if (/[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_-]{60,}/.test(text)) out.push('Terraform Cloud API token');
  for (const m of text.matchAll(SECRET_KEY)) {
    const value = m[3]!;
    if (isRuntimeReference(value) || m[1]!.toUpperCase() === 'TFC_AGENT_TOKEN') continue;
    out.push(
      value.startsWith('${') ? `${m[1]} is interpolated from ${value}` : `${m[1]} is set to a literal value`,
    );
  }
  return out;
}

/** The module's managed Auto Scaling groups, from configuration and plans alike. */
export function autoscalingGroups(module: TfModule): TfResource[] {
  return managedResources(module, { fromPlan: true }).filter((r) => r.type === 'aws_autoscaling_group');
}
