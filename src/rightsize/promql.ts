/** Helpers for composing PromQL text safely from user input. */

/** Quotes a string as a PromQL string literal. */
export function quote(value: string): string {
  return JSON.stringify(value);
}

/** Escapes RE2 metacharacters so the value matches literally inside =~. */
export function escapeRegex(value: string): string {
  return value.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/** Turns a shell-style glob (*, ?) into an RE2 pattern anchored by PromQL's implicit anchoring. */
export function globToRegex(glob: string): string {
  return glob
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escapeRegex(c)))
    .join('');
}

/** Joins label matchers into a selector body, skipping empty ones. */
export function matchers(...parts: Array<string | undefined>): string {
  return parts.filter((p) => p !== undefined && p !== '').join(',');
}
