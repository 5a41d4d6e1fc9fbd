import type { Result } from '../core/result.js';
import { SEVERITIES, type Severity } from '../core/severity.js';

/** Findings (fail and warn) by pack and severity, as the footer lists them. */
export class PackTally {
  readonly byPack = new Map<string, Map<Severity, number>>();

  add(r: Result): void {
    if (r.status !== 'fail' && r.status !== 'warn') return;
    let m = this.byPack.get(r.category);
    if (!m) this.byPack.set(r.category, (m = new Map()));
    m.set(r.severity, (m.get(r.severity) ?? 0) + 1);
  }

  /** The results as they pass, each counted: a report and the footer read them once between them. */
  *counting(results: Iterable<Result>): Generator<Result> {
    for (const r of results) {
      this.add(r);
      yield r;
    }
  }
}

/** What a scan footer needs to know; `rampart scan`'s outcome has these fields, but `findings`. */
export interface ScanTotals {
  findings: PackTally;
  documents: number;
  packs: readonly string[];
}

/** The footer a reader needs first: findings per pack and severity, and why the exit code is what it is. */
export function renderScanSummary(
  outcome: ScanTotals,
  failOn: Severity,
  failing: number,
  unreadable = 0,
): string {
  const byPack = outcome.findings.byPack;
  const lines = [
    `Scanned ${outcome.documents} documents with packs: ${outcome.packs.join(', ') || '(none)'}.`,
  ];
  for (const [pack, m] of [...byPack.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const parts = [...SEVERITIES]
      .reverse()
      .filter((s) => m.has(s))
      .map((s) => `${m.get(s)} ${s}`);
    lines.push(`  ${pack.padEnd(16)} ${parts.join(', ')}`);
  }
  if (unreadable) {
    lines.push(
      `${failing} finding(s) at ${failOn} or above in what could be read; ${unreadable} input(s) could not be read: exit 2 (fix them, or pass --skip-unreadable).`,
    );
  } else {
    lines.push(
      failing
        ? `${failing} finding(s) at ${failOn} or above: exit 1 (change with --fail-on; suppress with the rampart.dev/ignore annotation).`
        : `No findings at ${failOn} or above.`,
    );
  }
  return `${lines.join('\n')}\n`;
}
