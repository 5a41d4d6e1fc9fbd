/**
 * CEL object construction (`Object{metadata: Object.metadata{labels: {...}}}`, `JSONPatch{op: "add", ...}`), which
 * MutatingAdmissionPolicy expressions use and the CEL library does not parse, rewritten before compilation into
 * map literals with quoted field names. Admission never needs the message type itself: the patch type of the
 * mutation says how to read the result. Column positions after a rewritten type name shift left by its length.
 */

const IDENT = /[A-Za-z0-9_.]/;

/** Skips a string literal starting at `i` (after any r/b prefix); returns the index after it. */
function skipString(src: string, i: number): number {
  const quote = src[i] as string;
  const triple = src.startsWith(quote.repeat(3), i);
  const raw = i > 0 && /[rR]/.test(src[i - 1] ?? '') && !IDENT.test(src[i - 2] ?? '');
  const close = triple ? quote.repeat(3) : quote;
  let j = i + close.length;
  while (j < src.length) {
    if (!raw && src[j] === '\\') {
      j += 2;
      continue;
    }
    if (src.startsWith(close, j)) return j + close.length;
    j++;
  }
  return j;
}

export function rewriteObjectConstruction(src: string): string {
  if (!/[A-Za-z_][A-Za-z0-9_.]*\s*\{/.test(src)) return src;
  let out = '';
  // One entry per open brace: whether it is an object construction (its field names get quoted).
  const stack: boolean[] = [];
  let expectField = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (c === '"' || c === "'") {
      const end = skipString(src, i);
      out += src.slice(i, end);
      i = end - 1;
      expectField = false;
      continue;
    }
    if (c === '{') {
      // Look back over whitespace for an identifier chain: `Type.Name {`.
      let k = out.length - 1;
      while (k >= 0 && /\s/.test(out[k] ?? '')) k--;
      let start = k;
      while (start >= 0 && IDENT.test(out[start] ?? '')) start--;
      const name = out.slice(start + 1, k + 1);
      const construct = name !== '' && /^[A-Za-z_]/.test(name);
      if (construct) out = out.slice(0, start + 1);
      out += '{';
      stack.push(construct);
      expectField = construct;
      continue;
    }
    if (c === '}') {
      stack.pop();
      out += c;
      expectField = false;
      continue;
    }
    if (c === ',' && stack[stack.length - 1]) {
      out += c;
      expectField = true;
      continue;
    }
    if (expectField && /[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < src.length && /[A-Za-z0-9_]/.test(src[j] ?? '')) j++;
      let k = j;
      while (k < src.length && /\s/.test(src[k] ?? '')) k++;
      if (src[k] === ':') {
        out += `"${src.slice(i, j)}"`;
        i = j - 1;
        expectField = false;
        continue;
      }
    }
    if (!/\s/.test(c)) expectField = false;
    out += c;
  }
  return out;
}
