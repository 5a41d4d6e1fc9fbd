import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isObject } from '../core/document.js';
import { UserError } from '../core/errors.js';
import { parseSeverity, type Severity } from '../core/severity.js';
import { parseYamlDocuments } from '../load/yaml.js';
import { DEFAULT_PARAMETERS } from '../packs/parameters.js';
import { parseTerraformConfig } from '../terraform/config.js';
import type { TerraformScanConfig } from '../terraform/scan.js';

/**
 * `rampart.yaml` at the repository root: severity overrides, disabled rules and pack parameters.
 *
 * ```yaml
 * packs:
 *   resources: { enabled: true }
 * rules:
 *   disallow-cpu-limits: { severity: low }
 *   require-image-digest: { enabled: false }
 * parameters:
 *   requiredLabels: [team, app.kubernetes.io/name]
 *   productionNamespaces: [prod, production]
 * terraform: { requirePermissionsBoundary: true }
 * ```
 */
export interface RampartConfig {
  file?: string;
  packs: Record<string, { enabled: boolean }>;
  rules: Record<string, { enabled?: boolean; severity?: Severity }>;
  parameters: Record<string, unknown>;
  terraform?: TerraformScanConfig;
}

export { DEFAULT_PARAMETERS };

const TOP_FIELDS = new Set(['packs', 'rules', 'parameters', 'terraform']);

export function emptyConfig(): RampartConfig {
  return { packs: {}, rules: {}, parameters: { ...DEFAULT_PARAMETERS } };
}

export function parseConfig(content: unknown, file: string): RampartConfig {
  const config = emptyConfig();
  config.file = file;
  if (content === null || content === undefined) return config;
  if (!isObject(content)) throw new UserError(`${file}: rampart.yaml must be a mapping`);
  for (const key of Object.keys(content)) {
    if (!TOP_FIELDS.has(key))
      throw new UserError(`${file}: unknown field "${key}" (expected packs, rules, parameters, terraform)`);
  }
  if (content.packs !== undefined) {
    if (!isObject(content.packs))
      throw new UserError(`${file}: packs must be a mapping of pack name to settings`);
    for (const [name, value] of Object.entries(content.packs)) {
      if (!isObject(value) || (value.enabled !== undefined && typeof value.enabled !== 'boolean')) {
        throw new UserError(`${file}: packs.${name} must be a mapping like { enabled: false }`);
      }
      config.packs[name] = { enabled: value.enabled !== false };
    }
  }
  if (content.rules !== undefined) {
    if (!isObject(content.rules))
      throw new UserError(`${file}: rules must be a mapping of rule id to settings`);
    for (const [id, value] of Object.entries(content.rules)) {
      if (!isObject(value))
        throw new UserError(`${file}: rules.${id} must be a mapping like { severity: low }`);
      for (const k of Object.keys(value)) {
        if (k !== 'enabled' && k !== 'severity')
          throw new UserError(`${file}: rules.${id}.${k}: unknown field (expected enabled, severity)`);
      }
      if (value.enabled !== undefined && typeof value.enabled !== 'boolean') {
        throw new UserError(`${file}: rules.${id}.enabled must be true or false`);
      }
      config.rules[id] = {
        enabled: value.enabled as boolean | undefined,
        severity:
          value.severity === undefined
            ? undefined
            : parseSeverity(String(value.severity), `rules.${id}.severity`),
      };
    }
  }
  if (content.parameters !== undefined) {
    if (!isObject(content.parameters)) throw new UserError(`${file}: parameters must be a mapping`);
    for (const [key, value] of Object.entries(content.parameters)) {
      if (!(key in DEFAULT_PARAMETERS)) {
        throw new UserError(
          `${file}: parameters.${key}: unknown parameter (known: ${Object.keys(DEFAULT_PARAMETERS).join(', ')})`,
        );
      }
      const expected = DEFAULT_PARAMETERS[key];
      if (Array.isArray(expected) && !(Array.isArray(value) && value.every((v) => typeof v === 'string'))) {
        throw new UserError(`${file}: parameters.${key} must be a list of strings`);
      }
      if (typeof expected === 'number' && typeof value !== 'number')
        throw new UserError(`${file}: parameters.${key} must be a number`);
      if (typeof expected === 'boolean' && typeof value !== 'boolean')
        throw new UserError(`${file}: parameters.${key} must be true or false`);
      config.parameters[key] = value;
    }
  }
  if (content.terraform !== undefined)
    config.terraform = parseTerraformConfig(content.terraform, `${file}: terraform`);
  return config;
}

/** Reads `rampart.yaml` (or `.rampart.yaml`) from a directory; a missing file means defaults. */
export async function loadConfig(dir: string, explicit?: string): Promise<RampartConfig> {
  const candidates = explicit ? [explicit] : [join(dir, 'rampart.yaml'), join(dir, '.rampart.yaml')];
  for (const file of candidates) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      if (explicit) throw new UserError(`cannot read config ${file}`);
      continue;
    }
    const [doc] = parseYamlDocuments(text, file);
    return parseConfig(doc?.content, file);
  }
  return emptyConfig();
}
