import { stringify } from 'yaml';

/**
 * Plain data (maps, lists, strings, numbers, booleans) written as block YAML exactly as `yaml`'s
 * `stringify(value, { lineWidth: 0 })` writes it, for the few shapes a report repeats hundreds of
 * thousands of times. `yaml` builds a document per call and takes ~150 µs for a PolicyReport entry,
 * over a minute and a half for the 560,000 entries of a large scan; this takes a few µs. Whatever it
 * does not know to write the same way (an odd key, an empty map) it hands back to `yaml`, and strings
 * that need quoting or a block scalar are written by `yaml` too (remembered, as reports repeat them).
 */

/** Strings yaml writes plain in every block context: a letter, then name characters. */
const PLAIN = /^[A-Za-z][A-Za-z0-9._/-]*$/;
/** ... except the words the YAML 1.2 core schema reads as null or a boolean. */
const RESERVED = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE']);
const OPTIONS = { lineWidth: 0 };

const scalars = new Map<string, string>();
const SCALAR_MEMORY = 10_000;

class NotPlainData extends Error {}

/** `stringify([item], { lineWidth: 0 })` for a map, shifted right by `indent` spaces. */
export function listItemYaml(item: Record<string, unknown>, indent = 0): string {
  const pad = ' '.repeat(indent);
  try {
    return mapping(item, `${pad}- `, `${pad}  `);
  } catch (error) {
    if (!(error instanceof NotPlainData)) throw error;
    return stringify([item], OPTIONS).replace(/^(?=.)/gm, pad);
  }
}

/** A map's lines: the first starts with `first`, the others with `pad`. */
function mapping(map: Record<string, unknown>, first: string, pad: string): string {
  let text = '';
  let lead = first;
  let any = false;
  for (const [key, value] of Object.entries(map)) {
    if (value === undefined) continue;
    if (!PLAIN.test(key) || RESERVED.has(key)) throw new NotPlainData();
    text += `${lead}${key}:${valueText(value, pad)}`;
    lead = pad;
    any = true;
  }
  if (!any) throw new NotPlainData();
  return text;
}

/** What follows `key:` — a scalar on the same line, or a nested block on the next lines. */
function valueText(value: unknown, pad: string): string {
  if (typeof value === 'string') return ` ${stringText(value, pad)}\n`;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return ` ${value}\n`;
  if (typeof value === 'boolean') return ` ${value}\n`;
  if (Array.isArray(value)) {
    if (!value.length) throw new NotPlainData();
    let text = '\n';
    for (const item of value) {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new NotPlainData();
      text += mapping(item as Record<string, unknown>, `${pad}  - `, `${pad}    `);
    }
    return text;
  }
  if (value !== null && typeof value === 'object')
    return `\n${mapping(value as Record<string, unknown>, `${pad}  `, `${pad}  `)}`;
  throw new NotPlainData();
}

/** A string value at `pad`: plain, or as yaml writes it (quoted, or a block scalar indented under its key). */
function stringText(value: string, pad: string): string {
  if (PLAIN.test(value) && !RESERVED.has(value)) return value;
  let text = scalars.get(value);
  if (text === undefined) {
    // As a map value at column 0: `x: <scalar>`, any further lines indented two spaces.
    text = stringify({ x: value }, OPTIONS).slice(3, -1);
    if (scalars.size >= SCALAR_MEMORY) scalars.clear();
    scalars.set(value, text);
  }
  // Empty lines of a block scalar stay empty, as yaml writes them.
  return text.includes('\n') ? text.replace(/\n(?=[^\n])/g, `\n${pad}`) : text;
}
