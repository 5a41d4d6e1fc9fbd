const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/**
 * Text made safe inside HTML or XML elements and quoted attributes. `&#39;` for the apostrophe is valid in
 * both; JUnit reports keep the `&apos;` they have always written.
 */
export function escapeMarkup(text: string, apostrophe: '&#39;' | '&apos;' = '&#39;'): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? apostrophe);
}
