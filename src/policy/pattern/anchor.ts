/**
 * Kyverno anchors on pattern keys: `(key)` conditional, `<(key)` global, `X(key)` negation,
 * `+(key)` add-if-not-present (mutate only), `=(key)` equality, `^(key)` existence.
 */
export type AnchorType = '' | '<' | 'X' | '+' | '=' | '^';

export interface Anchor {
  type: AnchorType;
  key: string;
}

const ANCHOR = /^([+<=X^])?\((.+)\)$/s;
const cache = new Map<string, Anchor | null>();

/** Parses an anchored key (surrounding whitespace is ignored, as upstream trims); null when not an anchor. */
export function parseAnchor(element: string): Anchor | null {
  const cached = cache.get(element);
  if (cached !== undefined) return cached;
  let result: Anchor | null = null;
  const trimmed = element.trim();
  if (trimmed.endsWith(')')) {
    const m = ANCHOR.exec(trimmed);
    if (m) result = { type: (m[1] ?? '') as AnchorType, key: m[2]! };
  }
  if (cache.size > 10_000) cache.clear();
  cache.set(element, result);
  return result;
}

export function anchorString(type: AnchorType, key: string): string {
  return `${type}(${key})`;
}

export const isConditional = (a: Anchor | null): boolean => a !== null && a.type === '';
export const isGlobal = (a: Anchor | null): boolean => a !== null && a.type === '<';
export const isNegation = (a: Anchor | null): boolean => a !== null && a.type === 'X';
export const isEquality = (a: Anchor | null): boolean => a !== null && a.type === '=';
export const isExistence = (a: Anchor | null): boolean => a !== null && a.type === '^';

/** Keys evaluated in the first phase of map validation (global anchors are not among them). */
export function isPhaseOneAnchor(a: Anchor | null): boolean {
  return a !== null && (a.type === '' || a.type === '^' || a.type === '=' || a.type === 'X');
}
