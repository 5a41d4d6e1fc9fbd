import {
  CONTAINER_LEVEL_CONTROLS,
  CONTROL_NAMES,
  POD_LEVEL_CONTROLS,
  RESTRICTED_CONTROL_NAMES,
} from './controls.js';
import { isObj } from './helpers.js';
import { parsePolicyVersion } from './registry.js';

const LEVELS = ['privileged', 'baseline', 'restricted'];
const quoteList = (items: readonly string[]) => items.map((i) => JSON.stringify(i)).join(', ');

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/**
 * Problems with a `validate.podSecurity` block, worded as Kyverno's API validation words them
 * (field path relative to podSecurity, then the reason). Empty when the block is valid.
 */
export function validatePodSecuritySpec(spec: unknown): string[] {
  if (!isObj(spec)) return ['podSecurity: must be an object with level, version and exclude'];
  const problems: string[] = [];
  const level = spec.level;
  if (typeof level !== 'string' || !LEVELS.includes(level)) {
    problems.push(
      `level: Unsupported value: ${JSON.stringify(level ?? '')}: supported values: ${quoteList(LEVELS)}`,
    );
  }
  if (spec.version !== undefined) {
    if (typeof spec.version !== 'string' || parsePolicyVersion(spec.version) === undefined) {
      problems.push(
        `version: Invalid value: ${JSON.stringify(spec.version)}: must be "latest" or "v1.<minor>", e.g. "v1.29"`,
      );
    }
  }
  if (spec.exclude === undefined || spec.exclude === null) return problems;
  if (!Array.isArray(spec.exclude)) {
    problems.push('exclude: must be a list');
    return problems;
  }
  spec.exclude.forEach((entry, i) => {
    problems.push(...validateExclusion(entry, `exclude[${i}]`, level));
  });
  return problems;
}

function validateExclusion(entry: unknown, path: string, level: unknown): string[] {
  if (!isObj(entry)) return [`${path}: must be an object`];
  const problems: string[] = [];
  const { controlName, images, restrictedField, values } = entry;
  if (typeof controlName !== 'string' || !CONTROL_NAMES.includes(controlName)) {
    problems.push(
      `${path}.controlName: Unsupported value: ${JSON.stringify(controlName ?? '')}: supported values: ${quoteList(CONTROL_NAMES)}`,
    );
  }
  if (images !== undefined && !isStringList(images))
    problems.push(`${path}.images: must be a list of strings`);
  if (restrictedField !== undefined && typeof restrictedField !== 'string') {
    problems.push(`${path}.restrictedField: must be a string`);
  }
  if (values !== undefined && !isStringList(values))
    problems.push(`${path}.values: must be a list of strings`);
  if (typeof controlName !== 'string') return problems;

  const hasImages = Array.isArray(images) && images.length > 0;
  const quoted = JSON.stringify(controlName);
  if (CONTAINER_LEVEL_CONTROLS.includes(controlName) && !hasImages) {
    problems.push(
      `${path}.controlName: Invalid value: ${quoted}: exclude.images must be specified for the container level control`,
    );
  } else if (POD_LEVEL_CONTROLS.includes(controlName) && hasImages) {
    problems.push(
      `${path}.controlName: Invalid value: ${quoted}: exclude.images must not be specified for the pod level control`,
    );
  }
  const hasField = typeof restrictedField === 'string' && restrictedField !== '';
  const hasValues = Array.isArray(values) && values.length > 0;
  if (hasField && !hasValues) problems.push(`${path}.values: Forbidden: values is required`);
  if (!hasField && hasValues)
    problems.push(`${path}.restrictedField: Forbidden: restrictedField is required`);
  if (
    level === 'baseline' &&
    controlName !== 'Seccomp' &&
    controlName !== 'Capabilities' &&
    RESTRICTED_CONTROL_NAMES.includes(controlName)
  ) {
    problems.push(
      `${path}.controlName: Invalid value: ${quoted}: Invalid control name defined at the given level`,
    );
  }
  return problems;
}
