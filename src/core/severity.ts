import { UserError } from './errors.js';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function parseSeverity(text: string, flag = 'severity'): Severity {
  const normalized = text.trim().toLowerCase();
  if ((SEVERITIES as readonly string[]).includes(normalized)) return normalized as Severity;
  throw new UserError(`invalid --${flag} "${text}": expected one of ${SEVERITIES.join(', ')}`);
}

/** Accepts "high", ">=medium", ">high", "<=low" and returns a predicate over severities. */
export function parseSeverityFilter(text: string): (severity: Severity) => boolean {
  const m = /^(>=|<=|>|<|=)?\s*(\w+)$/.exec(text.trim());
  if (!m) throw new UserError(`invalid severity filter "${text}": expected e.g. ">=medium"`);
  const rank = severityRank(parseSeverity(m[2]!));
  switch (m[1] ?? '>=') {
    case '>':
      return (s) => severityRank(s) > rank;
    case '<':
      return (s) => severityRank(s) < rank;
    case '<=':
      return (s) => severityRank(s) <= rank;
    case '=':
      return (s) => severityRank(s) === rank;
    default:
      return (s) => severityRank(s) >= rank;
  }
}
