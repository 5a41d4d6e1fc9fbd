/**
 * Kubernetes label selectors (metav1.LabelSelector) with Kyverno's wildcard extension for matchLabels
 * (pkg/engine/wildcards.ReplaceInSelector).
 */
import { isPlainObject } from '../pattern/value.js';
import { containsWildcard, wildcardMatch } from '../pattern/wildcard.js';

export class SelectorError extends Error {}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function validateKey(key: string): void {
  const parts = key.split('/');
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  const prefix = parts.length === 2 ? parts[0]! : undefined;
  const ok =
    parts.length <= 2 &&
    name.length <= 63 &&
    LABEL_NAME.test(name) &&
    (prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix)));
  if (!ok) throw new SelectorError(`key: Invalid value: "${key}": invalid label key`);
}

function validateValue(value: string): void {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    throw new SelectorError(`values: Invalid value: "${value}": invalid label value`);
  }
}

function strings(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
    throw new SelectorError(`${what} must be a list of strings`);
  return v as string[];
}

/**
 * Whether `labels` satisfy the selector. An empty selector matches everything. Invalid selectors (bad
 * operators, missing values, malformed keys) throw SelectorError, which callers report as "not matched".
 */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  if (!isPlainObject(selector)) throw new SelectorError('selector must be an object');
  const matchLabels = selector.matchLabels ?? {};
  if (!isPlainObject(matchLabels)) throw new SelectorError('matchLabels must be a map');
  for (const [rawKey, rawValue] of Object.entries(matchLabels)) {
    if (typeof rawValue !== 'string') throw new SelectorError(`matchLabels.${rawKey} must be a string`);
    let key = rawKey;
    let value = rawValue;
    if (containsWildcard(key) || containsWildcard(value)) {
      const hit = Object.entries(labels).find(([k, v]) => wildcardMatch(key, k) && wildcardMatch(value, v));
      if (hit) [key, value] = hit;
      else {
        // Upstream swaps unmatched wildcard characters for '0', which then fails to match.
        key = key.replace(/[*?]/g, '0');
        value = value.replace(/[*?]/g, '0');
      }
    }
    validateKey(key);
    validateValue(value);
    if (labels[key] !== value) return false;
  }
  const expressions = selector.matchExpressions ?? [];
  if (!Array.isArray(expressions)) throw new SelectorError('matchExpressions must be a list');
  for (const expr of expressions) {
    if (!isPlainObject(expr) || typeof expr.key !== 'string')
      throw new SelectorError('matchExpressions entry needs a key');
    const key = expr.key;
    validateKey(key);
    const values = strings(expr.values, 'values');
    const has = Object.hasOwn(labels, key);
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) {
          throw new SelectorError(
            `values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty`,
          );
        }
        values.forEach(validateValue);
        if (
          expr.operator === 'In'
            ? !(has && values.includes(labels[key]!))
            : has && values.includes(labels[key]!)
        ) {
          return false;
        }
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) {
          throw new SelectorError(
            `values: Invalid value: ${JSON.stringify(values)}: values set must be empty for exists and does not exist`,
          );
        }
        if (expr.operator === 'Exists' ? !has : has) return false;
        break;
      default:
        throw new SelectorError(`"${String(expr.operator)}" is not a valid label selector operator`);
    }
  }
  return true;
}
