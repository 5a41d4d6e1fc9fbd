/**
 * Writes mutated documents back into their source text: a YAML stream is split at its `---` lines,
 * and only the segments holding a patched document are re-serialised; every other byte is kept as it
 * was, so untouched documents (comments, quoting, key order) stay byte-identical.
 */
import YAML from 'yaml';

const SEPARATOR = /^---(\s|$)/;

export function toYaml(object: unknown): string {
  return YAML.stringify(object, { lineWidth: 0 });
}

interface Segment {
  /** 1-based line of the segment's first line (the `---` line when it has one). */
  startLine: number;
  lines: string[];
  separator: string | undefined;
}

function segments(text: string): Segment[] {
  const lines = text.split(/(?<=\n)/);
  const out: Segment[] = [{ startLine: 1, lines: [], separator: undefined }];
  lines.forEach((line, i) => {
    if (SEPARATOR.test(line)) out.push({ startLine: i + 1, lines: [], separator: line });
    else out[out.length - 1]!.lines.push(line);
  });
  return out;
}

/**
 * Replaces the documents that start at the given (1-based) lines with the patched objects. A segment
 * with several patched documents (items of a List) is written as one document per item.
 */
export function replaceDocuments(text: string, patched: ReadonlyMap<number, unknown>): string {
  if (patched.size === 0) return text;
  const segs = segments(text);
  const lines = [...patched.keys()].sort((a, b) => a - b);
  let out = '';
  for (let s = 0; s < segs.length; s++) {
    const seg = segs[s]!;
    const end = s + 1 < segs.length ? segs[s + 1]!.startLine : Number.POSITIVE_INFINITY;
    const inside = lines.filter((l) => l >= seg.startLine && l < end);
    if (inside.length === 0) {
      out += (seg.separator ?? '') + seg.lines.join('');
      continue;
    }
    const body = inside.map((l) => toYaml(patched.get(l))).join('---\n');
    const separator = seg.separator ?? '';
    out += separator + (separator && !separator.endsWith('\n') ? '\n' : '') + body;
  }
  return out;
}
