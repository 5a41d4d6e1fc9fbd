import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { isObject } from '../core/document.js';
import { UserError } from '../core/errors.js';
import type { TerraformScanConfig } from './model.js';

/** Validates the `terraform:` section of rampart.yaml, naming the offending key in errors. */
export function parseTerraformConfig(
  section: unknown,
  where = 'rampart.yaml terraform',
): TerraformScanConfig {
  if (section === undefined || section === null) return {};
  if (!isObject(section)) throw new UserError(`${where}: expected a mapping`);
  const config: TerraformScanConfig = {};
  for (const [key, value] of Object.entries(section)) {
    if (key === 'requirePermissionsBoundary') {
      if (typeof value !== 'boolean')
        throw new UserError(`${where}.requirePermissionsBoundary: expected true or false`);
      config.requirePermissionsBoundary = value;
    } else if (key === 'aft') {
      if (!isObject(value)) throw new UserError(`${where}.aft: expected a mapping`);
      config.aft = {};
      for (const [k, v] of Object.entries(value)) {
        if (k !== 'organizationalUnits' && k !== 'requiredTags') {
          throw new UserError(`${where}.aft.${k}: unknown key (expected organizationalUnits, requiredTags)`);
        }
        if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
          throw new UserError(`${where}.aft.${k}: expected a list of strings`);
        }
        config.aft[k] = v as string[];
      }
    } else {
      throw new UserError(`${where}.${key}: unknown key (expected requirePermissionsBoundary, aft)`);
    }
  }
  return config;
}

/** Reads the `terraform:` section of a rampart.yaml; a missing default file means no configuration. */
export async function loadTerraformConfig(file: string, required: boolean): Promise<TerraformScanConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    if (required) throw new UserError(`cannot read ${file}`);
    return {};
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new UserError(`${file}: ${(error as Error).message}`);
  }
  return parseTerraformConfig(isObject(doc) ? doc.terraform : undefined, `${file} terraform`);
}
