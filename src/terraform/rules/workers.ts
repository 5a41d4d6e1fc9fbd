import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Result } from '../../core/result.js';
import { expressionsIn, refersTo } from '../expr.js';
import {
  finding,
  memberOrigin,
  nestedBlocks,
  type TfModule,
  type TfResource,
  terraformRule,
} from '../model.js';

const CATEGORY = 'worker-fleet' as const;

export const PROVISIONER = terraformRule({
  id: 'tf-worker-provisioner',
  title: 'remote-exec or file provisioner',
  severity: 'medium',
  pack: CATEGORY,
  fix: 'Bake software and files into the image (Packer, EC2 Image Builder) and pass per-instance settings in user_data.',
});
export const CREATE_BEFORE_DESTROY = terraformRule({
  id: 'tf-asg-create-before-destroy',
  title: 'Auto Scaling group replaced without create_before_destroy',
  severity: 'high',
  pack: CATEGORY,
  fix: 'Add lifecycle { create_before_destroy = true } so the new group is up before the old one is destroyed.',
});
export const INSTANCE_REFRESH = terraformRule({
  id: 'tf-asg-instance-refresh',
  title: 'Auto Scaling group without instance_refresh',
  severity: 'low',
  pack: CATEGORY,
  fix: 'Add an instance_refresh block (strategy = "Rolling") so launch template changes roll out to running instances.',
});
export const HEALTH_CHECK = terraformRule({
  id: 'tf-asg-health-check-type',
  title: 'EC2 health checks behind a load balancer',
  severity: 'medium',
  pack: CATEGORY,
  fix: 'Set health_check_type = "ELB" (and a health_check_grace_period) so instances failing the load balancer health check are replaced.',
});
export const USER_DATA_SECRET = terraformRule({
  id: 'tf-user-data-secret',
  title: 'Secret in user_data',
  severity: 'critical',
  pack: CATEGORY,
  fix: 'Fetch secrets at boot from SSM Parameter Store or Secrets Manager with the instance role; user_data is readable from the instance metadata and stored in Terraform state.',
});
export const LATEST_TAG = terraformRule({
  id: 'tf-user-data-latest-tag',
  title: ':latest container image in user_data',
  severity: 'medium',
  pack: CATEGORY,
  fix: 'Pin the image by version tag or digest so every instance of the fleet runs the same software.',
});
export const COUNT_DIFFERING = terraformRule({
  id: 'tf-count-differing-workers',
  title: 'count used for workers that differ',
  severity: 'low',
  pack: CATEGORY,
  fix: 'Use for_each over a map keyed by worker name; with count, removing one entry shifts and replaces every later worker.',
});

const USER_DATA_TYPES: Record<string, string[]> = {
  aws_launch_template: ['user_data'],
  aws_launch_configuration: ['user_data', 'user_data_base64'],
  aws_instance: ['user_data', 'user_data_base64'],
  aws_spot_instance_request: ['user_data', 'user_data_base64'],
};
const WORKER_TYPES = new Set([
  'aws_instance',
  'aws_spot_instance_request',
  'aws_autoscaling_group',
  'aws_launch_template',
  'aws_launch_configuration',
  'aws_eks_node_group',
]);
/** Spreading identical workers over subnets or zones by index is fine; only these may use count.index. */
const PLACEMENT_ATTRIBUTES = new Set([
  'subnet_id',
  'subnet_ids',
  'availability_zone',
  'vpc_zone_identifier',
  'private_ip',
  'name',
  'name_prefix',
  'tags',
  'tags_all',
  'count',
  'placement_partition_number',
]);

export function workerRules(module: TfModule): Result[] {
  const results: Result[] = [];
  for (const r of module.resources) {
    if (r.mode !== 'managed') continue;
    if (!r.fromPlan) results.push(...provisioners(r), ...countDiffering(r));
    if (r.type === 'aws_autoscaling_group') results.push(...autoscaling(r, module));
    if (r.type in USER_DATA_TYPES) results.push(...userData(r));
  }
  return results;
}

function provisioners(r: TfResource): Result[] {
  const out: Result[] = [];
  for (const block of nestedBlocks(r.values.provisioner)) {
    for (const kind of Object.keys(block)) {
      if (kind !== 'remote-exec' && kind !== 'file') continue;
      out.push(
        finding(
          r,
          PROVISIONER,
          `${r.address} uses a "${kind}" provisioner; instances should boot from a baked image`,
          {
            origin: memberOrigin(r, 'provisioner'),
          },
        ),
      );
    }
  }
  return out;
}

/** A name built from the launch template or configuration changes with each version, forcing replacement. */
const VERSIONED_NAME =
  /aws_launch_(template|configuration)\.|latest_version|default_version|image_id|\.ami\b|var\.[\w-]*(version|ami|image)/;

function autoscaling(r: TfResource, module: TfModule): Result[] {
  const out: Result[] = [];
  const v = r.values;
  const versionedName =
    typeof v.name === 'string' && expressionsIn(v.name).some((e) => VERSIONED_NAME.test(e));
  const createBeforeDestroy = nestedBlocks(v.lifecycle).some((l) => l.create_before_destroy === true);
  if (!r.fromPlan && versionedName && !createBeforeDestroy) {
    out.push(
      finding(
        r,
        CREATE_BEFORE_DESTROY,
        `${r.address} is named after its launch template or image, so each new version replaces the group; without create_before_destroy the fleet is destroyed first`,
        {
          origin: memberOrigin(r, 'name'),
        },
      ),
    );
  }
  const usesTemplate = v.launch_template !== undefined || v.mixed_instances_policy !== undefined;
  const replacedAsWhole = versionedName && createBeforeDestroy;
  if (usesTemplate && !replacedAsWhole && nestedBlocks(v.instance_refresh).length === 0) {
    out.push(
      finding(
        r,
        INSTANCE_REFRESH,
        `${r.address} has no instance_refresh; launch template changes reach only new instances`,
      ),
    );
  }
  const lbs = [v.target_group_arns, v.load_balancers].some((x) =>
    Array.isArray(x) ? x.length > 0 : typeof x === 'string' && x !== '',
  );
  const attached =
    lbs ||
    module.resources.some(
      (a) =>
        (a.type === 'aws_autoscaling_attachment' || a.type === 'aws_autoscaling_traffic_source_attachment') &&
        refersTo(a.values.autoscaling_group_name, 'aws_autoscaling_group', r.name),
    );
  const hc = v.health_check_type;
  if (attached && (hc === undefined || hc === null || hc === 'EC2')) {
    out.push(
      finding(
        r,
        HEALTH_CHECK,
        hc === 'EC2'
          ? `${r.address} is behind a load balancer but uses health_check_type = "EC2"`
          : `${r.address} is behind a load balancer but health_check_type defaults to "EC2"`,
        { origin: memberOrigin(r, hc === undefined ? 'name' : 'health_check_type') },
      ),
    );
  }
  return out;
}

const INDEXED =
  /\[\s*count\.index\s*\]|element\([^)]*count\.index|lookup\([^)]*count\.index|count\.index\s*(==|!=|<=|>=|<|>|%)/;

function countDiffering(r: TfResource): Result[] {
  if (!WORKER_TYPES.has(r.type) || r.values.count === undefined) return [];
  const differing = Object.entries(r.values)
    .filter(([k]) => !PLACEMENT_ATTRIBUTES.has(k))
    .filter(([, v]) => expressionsIn(v).some((e) => INDEXED.test(e)))
    .map(([k]) => k);
  if (differing.length === 0) return [];
  return [
    finding(
      r,
      COUNT_DIFFERING,
      `${r.address} uses count but its workers differ by index in ${differing.join(', ')}`,
      {
        origin: memberOrigin(r, 'count'),
      },
    ),
  ];
}

function userData(r: TfResource): Result[] {
  const out: Result[] = [];
  for (const attribute of USER_DATA_TYPES[r.type] ?? []) {
    const value = r.values[attribute];
    if (typeof value !== 'string' || value === '') continue;
    const origin = memberOrigin(r, attribute);
    const texts = userDataTexts(r, value);
    const secrets = new Set<string>();
    const latest = new Set<string>();
    for (const text of texts) {
      for (const s of findSecrets(text)) secrets.add(s);
      for (const m of text.matchAll(/[\w.\-/]+:latest(?![\w.-])/g)) latest.add(m[0]);
    }
    for (const s of secrets) out.push(finding(r, USER_DATA_SECRET, `${attribute}: ${s}`, { origin }));
    for (const image of latest)
      out.push(finding(r, LATEST_TAG, `${attribute}: image ${image} uses the :latest tag`, { origin }));
  }
  return out;
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
