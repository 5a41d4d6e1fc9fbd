import type { SourcePosition } from '../core/document.js';

/** One `key = value` line of an AWS shared config or credentials file, with where it is. */
export interface IniEntry {
  key: string;
  value: string;
  line: number;
  /** Indented `sub = value` lines under a key with an empty value (`s3 =` blocks). */
  nested: boolean;
}

export interface IniSection {
  /** The text between the brackets, whitespace trimmed (`profile dev`, `default`, `sso-session corp`). */
  header: string;
  line: number;
  entries: IniEntry[];
}

export interface IniProblem {
  line: number;
  column: number;
  message: string;
}

export interface IniScan {
  file: string;
  sections: IniSection[];
  problems: IniProblem[];
}

/**
 * Reads the files line by line the way the SDKs' INI loaders do (sections, `key = value`, `#`/`;`
 * comments, indented sub-properties) but keeps line numbers, duplicate sections and unparsable
 * lines, which the loaders silently drop and the linter needs.
 */
export function scanIni(file: string, text: string): IniScan {
  const sections: IniSection[] = [];
  const problems: IniProblem[] = [];
  let current: IniSection | undefined;
  let parentKeyOpen = false;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const lineNo = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    if (trimmed.startsWith('[')) {
      parentKeyOpen = false;
      const close = trimmed.indexOf(']');
      if (close < 0) {
        problems.push({ line: lineNo, column: raw.indexOf('[') + 1, message: 'section header without "]"' });
        current = undefined;
        continue;
      }
      const rest = trimmed.slice(close + 1).trim();
      if (rest !== '' && !rest.startsWith('#') && !rest.startsWith(';')) {
        problems.push({
          line: lineNo,
          column: raw.indexOf(']') + 2,
          message: `unexpected text after the section header: "${rest}"`,
        });
      }
      const header = trimmed.slice(1, close).trim().replace(/\s+/g, ' ');
      if (header === '') {
        problems.push({ line: lineNo, column: raw.indexOf('[') + 1, message: 'empty section name' });
        current = undefined;
        continue;
      }
      current = { header, line: lineNo, entries: [] };
      sections.push(current);
      continue;
    }
    const eq = raw.indexOf('=');
    const indented = /^\s/.test(raw);
    if (eq < 0) {
      problems.push({
        line: lineNo,
        column: raw.search(/\S/) + 1,
        message: `expected "key = value", a [section] or a comment; got "${trimmed}"`,
      });
      continue;
    }
    if (!current) {
      problems.push({
        line: lineNo,
        column: raw.search(/\S/) + 1,
        message: 'a key outside any [section] is ignored by the SDKs',
      });
      continue;
    }
    const key = raw.slice(0, eq).trim();
    const value = raw.slice(eq + 1).trim();
    if (key === '') {
      problems.push({ line: lineNo, column: eq + 1, message: 'missing key name before "="' });
      continue;
    }
    const nested = indented && parentKeyOpen;
    if (!nested) parentKeyOpen = value === '';
    current.entries.push({ key, value, line: lineNo, nested });
  }
  return { file, sections, problems };
}

export function position(file: string, line: number, column = 1): SourcePosition {
  return { file, line, column, index: 0 };
}
