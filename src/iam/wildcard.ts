/**
 * IAM wildcard patterns (`*` any run of characters, `?` one character) with policy variables
 * (`${aws:username}`, `${aws:PrincipalTag/team, 'none'}`, and the literal escapes `${*}`, `${?}`, `${$}`).
 */

/** Resolves a policy variable (lower-cased key) to its value, or undefined when the request lacks it. */
export type VariableLookup = (key: string) => string | undefined;

const REGEX_SPECIAL = /[.*+?^$()|[\]{}\\/-]/;

const cache = new Map<string, RegExp | null>();

function escapeChar(c: string): string {
  return REGEX_SPECIAL.test(c) ? `\\${c}` : c;
}

/**
 * Builds the regular-expression source for a pattern. Variables are replaced by their literal value;
 * returns null when a variable has no value and no default (the element then does not match, as in IAM).
 */
function patternSource(
  pattern: string,
  lookup: VariableLookup | undefined,
  wildcards: boolean,
): string | null {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '$' && pattern[i + 1] === '{' && lookup !== undefined) {
      const end = pattern.indexOf('}', i + 2);
      if (end > 0) {
        const value = resolveVariable(pattern.slice(i + 2, end), lookup);
        if (value === undefined) return null;
        out += [...value].map(escapeChar).join('');
        i = end;
        continue;
      }
    }
    if (wildcards && c === '*') out += '.*';
    else if (wildcards && c === '?') out += '.';
    else out += escapeChar(c);
  }
  return out;
}

export function resolveVariable(body: string, lookup: VariableLookup): string | undefined {
  const comma = body.indexOf(',');
  const name = (comma >= 0 ? body.slice(0, comma) : body).trim();
  if (name === '*' || name === '?' || name === '$') return name;
  const value = lookup(name.toLowerCase());
  if (value !== undefined) return value;
  if (comma >= 0) {
    const m = /^\s*'(.*)'\s*$/.exec(body.slice(comma + 1));
    if (m) return m[1];
  }
  return undefined;
}

/** Does `value` match `pattern`? Patterns without variables are compiled once and cached. */
export function wildcardMatch(
  pattern: string,
  value: string,
  options: { ignoreCase?: boolean; lookup?: VariableLookup } = {},
): boolean {
  if (pattern === '*') return true;
  const hasVariables = options.lookup !== undefined && pattern.includes('${');
  if (!hasVariables) {
    if (!pattern.includes('*') && !pattern.includes('?')) {
      return options.ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
    }
    const key = `${options.ignoreCase ? 'i' : 's'}${pattern}`;
    let re = cache.get(key);
    if (re === undefined) {
      re = new RegExp(`^${patternSource(pattern, undefined, true)}$`, options.ignoreCase ? 'is' : 's');
      cache.set(key, re);
    }
    return (re as RegExp).test(value);
  }
  const source = patternSource(pattern, options.lookup, true);
  if (source === null) return false;
  return new RegExp(`^${source}$`, options.ignoreCase ? 'is' : 's').test(value);
}

/** Replaces policy variables in a plain (non-wildcard) value; undefined when one is missing. */
export function substituteVariables(value: string, lookup: VariableLookup): string | undefined {
  if (!value.includes('${')) return value;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '$' && value[i + 1] === '{') {
      const end = value.indexOf('}', i + 2);
      if (end > 0) {
        const v = resolveVariable(value.slice(i + 2, end), lookup);
        if (v === undefined) return undefined;
        out += v;
        i = end;
        continue;
      }
    }
    out += value[i];
  }
  return out;
}

/**
 * ARN matching as IAM does it for Resource elements and Arn* conditions: the six colon-separated
 * parts are compared one by one, so a wildcard never spans a colon in the first five.
 */
export function arnMatch(pattern: string, arn: string, lookup?: VariableLookup): boolean {
  if (pattern === '*') return true;
  const p = splitArn(pattern);
  const a = splitArn(arn);
  if (!p || !a) return wildcardMatch(pattern, arn, { lookup });
  for (let i = 0; i < 6; i++) {
    if (!wildcardMatch(p[i] as string, a[i] as string, { lookup })) return false;
  }
  return true;
}

export function splitArn(arn: string): string[] | null {
  const parts: string[] = [];
  let start = 0;
  // Colons inside a policy variable (`${aws:username}`) do not separate parts.
  let depth = 0;
  for (let i = 0; i < arn.length && parts.length < 5; i++) {
    const c = arn[i];
    if (c === '$' && arn[i + 1] === '{') depth++;
    else if (c === '}' && depth > 0) depth--;
    else if (c === ':' && depth === 0) {
      parts.push(arn.slice(start, i));
      start = i + 1;
    }
  }
  if (parts.length < 5) return null;
  parts.push(arn.slice(start));
  return parts;
}
