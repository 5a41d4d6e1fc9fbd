import type { BadValue, FieldError } from './types.js';

/** Go's %+v of the values field errors carry. */
function goValue(value: BadValue): string {
  return Array.isArray(value) ? `[${value.join(' ')}]` : String(value);
}

/**
 * One field error as Kyverno's FormatChecksPrint writes it: a Forbidden error carrying a value names it,
 * anything else prints as apimachinery's field.Error.Error() does.
 */
export function formatFieldError(e: FieldError): string {
  if (e.type === 'Forbidden' && e.badValue !== '') {
    return `${e.field} is forbidden, forbidden values found: ${goValue(e.badValue)}`;
  }
  return `${e.field}: ${e.type === 'Required' ? 'Required value' : 'Forbidden'}`;
}

/** Kyverno's FormatChecksPrint: one parenthesised block per failed check, no separator between blocks. */
export function formatChecks(checks: readonly { reason: string; errors: readonly FieldError[] }[]): string {
  return checks
    .map(
      (c) =>
        `(Forbidden reason: ${c.reason}, field error list: [${c.errors.map(formatFieldError).join(', ')}])`,
    )
    .join('');
}
