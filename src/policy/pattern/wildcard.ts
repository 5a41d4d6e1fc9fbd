/**
 * Kyverno's wildcard matching (github.com/kyverno/kyverno ext/wildcard, over IGLOU-EU/go-wildcard), the
 * one implementation every part of the engine uses: match/exclude names and namespaces, selectors,
 * patterns, condition operators, PolicyException rule names, pattern_match(), podSecurity exclusions and
 * test-case selectors.
 *
 * - `*` matches any run of characters, the empty run included; `*` alone matches everything.
 * - `?` matches exactly one character (never zero: `abc?` does not match `abc`).
 * - Every other character matches itself, case-sensitively; there is no escape syntax (a backslash is an
 *   ordinary character), as upstream has none.
 * - An empty pattern matches only the empty text.
 *
 * Characters are Unicode code points (upstream steps through UTF-8 bytes; the two differ only for `?`
 * against non-ASCII text, which Kubernetes names and label values cannot contain).
 */

/** True when the text has a character wildcardMatch treats specially. */
export function containsWildcard(s: string): boolean {
  return s.includes('*') || s.includes('?');
}

/** Kyverno's wildcard.Match(pattern, text). */
export function wildcardMatch(pattern: string, text: string): boolean {
  if (pattern === '') return text === '';
  if (pattern === '*') return true;
  if (!containsWildcard(pattern)) return pattern === text;
  // '?' stands for one character (code point), so astral characters need code-point arrays.
  if (SURROGATE.test(pattern) || SURROGATE.test(text))
    return matchUnits(Array.from(pattern), Array.from(text));
  return matchUnits(pattern, text);
}

/** Kyverno's wildcard.CheckPatterns: does any of the patterns match the text? */
export function matchesAnyWildcard(patterns: readonly string[], text: string): boolean {
  return patterns.some((p) => wildcardMatch(p, text));
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Greedy matching with backtracking to the last `*`: linear in practice, no regular expression built. */
function matchUnits(p: ArrayLike<string>, t: ArrayLike<string>): boolean {
  let pi = 0;
  let ti = 0;
  let starP = -1;
  let starT = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === t[ti]))) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      starP = pi++;
      starT = ti;
    } else if (starP >= 0) {
      pi = starP + 1;
      ti = ++starT;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}
