import { contentStart, splitLines } from '../core/lines.js';
import { type FieldPath, withFieldStep } from './field-path.js';

/**
 * Finds a field's line and column in a block-style YAML document by indentation alone: a scan
 * parses with js-yaml, which keeps no positions, and re-parsing every file with findings through
 * `yaml`'s AST would cost more than the scan. Kubernetes manifests are block style; where a value is
 * written in flow style (`{...}`, `[...]`) or a step is missing, the deepest field found is returned
 * (the closest existing parent), so a finding always lands on a real line.
 */
export interface FieldLocation {
  line: number;
  column: number;
  /** How many steps of the path were found (path.length when the field itself exists). */
  depth: number;
  /**
   * Those steps as reports write them (`spec.containers[0].image`, see withFieldStep), built
   * once per document and path prefix as the walk is (see FieldLocator.starts).
   */
  path: string;
}

/** A line's content from `col` on (0-based), for the first entry of a sequence item ("- name: x"). */
interface Slot {
  i: number;
  col: number;
}

const DOCUMENT_MARKER = /^(---|\.\.\.)(\s|$)/;

const HASH = 35;
const DASH = 45;

/** A line whose content is a sequence item ("- ..."). */
function startsWithDash(line: string): boolean {
  return line.charCodeAt(contentStart(line)) === DASH;
}

/** Where a line's content starts, or -1 for a line of only whitespace or a comment. */
function contentColumn(line: string): number {
  const at = contentStart(line);
  return at < line.length && line.charCodeAt(at) !== HASH ? at : -1;
}

/** A line with something besides whitespace and a comment. */
function isContent(line: string): boolean {
  return contentColumn(line) >= 0;
}

const KEY_PATTERNS = new Map<string, RegExp>();

/**
 * The pattern of a mapping key (plain or quoted) followed by its colon; field names repeat. Sticky:
 * it is tried where a line's content starts (lastIndex), and leaves lastIndex where the value starts.
 */
function keyPattern(key: string): RegExp {
  let pattern = KEY_PATTERNS.get(key);
  if (!pattern) {
    const esc = key.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    pattern = new RegExp(`(?:${esc}|"${esc}"|'${esc}')\\s*:(?:\\s|$)`, 'y');
    if (KEY_PATTERNS.size < 10_000) KEY_PATTERNS.set(key, pattern);
  }
  return pattern;
}

export function locateField(text: string, startLine: number, path: FieldPath): FieldLocation | undefined {
  return new FieldLocator(text).locate(startLine, path);
}

/**
 * locateField for many fields of one file: the text is split into lines once, each document's region
 * (its content lines and their indentation) is computed once, and a field asked for again (several
 * rules about one field) is answered from a cache.
 */
export class FieldLocator {
  private readonly lines: string[];
  private readonly regions = new Map<number, Slot[]>();
  /**
   * Where each document's walk starts, by its first line; each state keeps where each step from it
   * led. Findings share long prefixes (spec.template.spec.containers[0]...), so each step is walked
   * once per document.
   */
  private readonly starts = new Map<number, WalkState>();

  /**
   * A file's text, or some of its lines: `lines` starting at the file's 0-based line `base` (the lines
   * of a few documents of a large file, which is never held whole).
   */
  constructor(text: string);
  constructor(lines: string[], base: number);
  constructor(
    text: string | string[],
    private readonly base = 0,
  ) {
    this.lines = typeof text === 'string' ? splitLines(text) : text;
  }

  /** The file's 0-based line `i` ('' outside the lines held). */
  private line(i: number): string {
    return this.lines[i - this.base] ?? '';
  }

  locate(startLine: number, path: FieldPath): FieldLocation | undefined {
    let state: WalkState | undefined = this.starts.get(startLine);
    if (state === undefined) {
      const whole = this.regionOf(startLine);
      if (!whole || whole.length === 0) return undefined;
      state = { region: whole, found: { line: startLine, column: whole[0]!.col + 1, depth: 0, path: '' } };
      this.starts.set(startLine, state);
    }
    for (let n = 0; n < path.length && state.region.length > 0; n++) {
      const step = path[n]!;
      const steps: Map<string | number, WalkState> = (state.next ??= new Map());
      let next: WalkState | undefined = steps.get(step);
      if (next === undefined) {
        next = this.step(state, step, n);
        steps.set(step, next);
      }
      state = next;
    }
    return state.found;
  }

  /** The content lines of the document starting at `startLine`, up to the next document marker. */
  private regionOf(startLine: number): Slot[] | undefined {
    const end = this.base + this.lines.length;
    const first = startLine - 1;
    if (first < this.base || first >= end) return undefined;
    let region = this.regions.get(first);
    if (!region) {
      region = [];
      for (let j = first; j < end && (j === first || !DOCUMENT_MARKER.test(this.line(j))); j++) {
        const col = contentColumn(this.line(j));
        if (col >= 0) region.push({ i: j, col });
      }
      this.regions.set(first, region);
    }
    return region;
  }

  /** One step of a path from where the previous steps led; a step not found stops the walk there. */
  private step(from: WalkState, step: string | number, n: number): WalkState {
    const region = from.region;
    const stopped: WalkState = { region: [], found: from.found };
    // The entries are the region's lines at its first line's indentation.
    const entryCol = region[0]!.col;
    if (typeof step === 'number') {
      const items = region.filter((s) => s.col === entryCol && this.line(s.i).charCodeAt(s.col) === DASH);
      const item = items[step < 0 ? items.length + step : step];
      if (!item) return stopped;
      const contentCol = item.col + 1 + contentStart(this.line(item.i).slice(item.col + 1));
      const next: Slot[] = [];
      if (isContent(this.line(item.i).slice(contentCol))) next.push({ i: item.i, col: contentCol });
      for (const s of region)
        if (s.i > item.i && s.col > entryCol) next.push(s);
        else if (s.i > item.i) break;
      return {
        region: next,
        found: {
          line: item.i + 1,
          column: item.col + 1,
          depth: n + 1,
          path: withFieldStep(from.found.path, step),
        },
      };
    }
    const pattern = keyPattern(step);
    const entry = region.find((s) => {
      if (s.col !== entryCol) return false;
      pattern.lastIndex = s.col;
      return pattern.test(this.line(s.i));
    });
    if (!entry) return stopped;
    const found = {
      line: entry.i + 1,
      column: entry.col + 1,
      depth: n + 1,
      path: withFieldStep(from.found.path, step),
    };
    // The test that found the entry left lastIndex after its key's colon.
    const after = this.line(entry.i).slice(pattern.lastIndex).trim();
    // An inline value (a scalar, a flow collection or a block scalar's header) has no lines to walk.
    if (after !== '' && !after.startsWith('#') && !/^[&!]\S*$/.test(after)) return { region: [], found };
    // The entry's children: the region's lines after it that sit deeper (a sequence may sit at its
    // key's own indentation: "containers:\n- name: x"), up to the first line that does not.
    const children: Slot[] = [];
    for (const s of region) {
      if (s.i <= entry.i) continue;
      if (s.col < entry.col || (s.col === entry.col && !startsWithDash(this.line(s.i)))) break;
      children.push(s);
    }
    return { region: children, found };
  }
}

/** Where a walk stands after some steps: the lines still in play and the deepest field found. */
interface WalkState {
  region: Slot[];
  found: FieldLocation;
  /** Where each step from here led, once walked. */
  next?: Map<string | number, WalkState>;
}
