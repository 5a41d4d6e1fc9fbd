import { UserError } from '../core/errors.js';
import { escapeRegex, quote } from './promql.js';

export type LabelRequirement =
  | { key: string; op: '=' | '!='; values: [string] }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!exists'; values: [] };

/** Splits on commas that are not inside "in (...)" value lists. */
function splitTop(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of text) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter(Boolean);
}

const KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;

/** Parses a Kubernetes label selector (=, ==, !=, in, notin, key, !key). */
export function parseSelector(text: string): LabelRequirement[] {
  const reqs: LabelRequirement[] = [];
  for (const part of splitTop(text)) {
    let m: RegExpExecArray | null;
    if ((m = /^(\S+?)\s*(==|!=|=)\s*(\S*)$/.exec(part))) {
      reqs.push({ key: m[1]!, op: m[2] === '!=' ? '!=' : '=', values: [m[3]!] });
    } else if ((m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part))) {
      const values = m[3]!
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
      reqs.push({ key: m[1]!, op: m[2] as 'in' | 'notin', values });
    } else if ((m = /^!\s*(\S+)$/.exec(part))) {
      reqs.push({ key: m[1]!, op: '!exists', values: [] });
    } else if (KEY.test(part)) {
      reqs.push({ key: part, op: 'exists', values: [] });
    } else {
      throw new UserError(
        `--selector: cannot parse "${part}" (use key=value, key!=value, key in (a,b), key, !key)`,
      );
    }
  }
  for (const r of reqs) {
    if (!KEY.test(r.key)) throw new UserError(`--selector: "${r.key}" is not a valid label key`);
  }
  return reqs;
}

/** kube-state-metrics exposes pod label `app.kubernetes.io/name` as `label_app_kubernetes_io_name`. */
export function ksmLabelName(key: string): string {
  return `label_${key.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

export function selectorMatchers(reqs: LabelRequirement[]): string[] {
  return reqs.map((r) => {
    const name = ksmLabelName(r.key);
    switch (r.op) {
      case '=':
        return `${name}=${quote(r.values[0])}`;
      case '!=':
        return `${name}!=${quote(r.values[0])}`;
      case 'in':
        return `${name}=~${quote(r.values.map(escapeRegex).join('|'))}`;
      case 'notin':
        return `${name}!~${quote(r.values.map(escapeRegex).join('|'))}`;
      case 'exists':
        return `${name}!=""`;
      default:
        return `${name}=""`;
    }
  });
}
