/** Kyverno's wildcard.CheckPatterns: does any pattern (`*` any run, `?` one character) match the value? */
export function matchesAny(patterns: readonly string[], value: string): boolean {
  return patterns.some((p) => globToRegExp(p).test(value));
}

const cache = new Map<string, RegExp>();

function globToRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    const body = [...pattern]
      .map((ch) =>
        ch === '*' ? '[\\s\\S]*' : ch === '?' ? '[\\s\\S]' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
      )
      .join('');
    re = new RegExp(`^${body}$`, 'u');
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}
