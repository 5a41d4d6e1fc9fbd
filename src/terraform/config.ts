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
