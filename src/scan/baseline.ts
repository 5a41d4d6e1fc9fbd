import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UserError } from '../core/errors.js';
import type { Result, ResultStatus } from '../core/result.js';
import type { Severity } from '../core/severity.js';
import { parseJson } from '../load/json.js';
import { findingFingerprint } from '../report/fingerprint.js';

/**
 * Accepted findings, so a team can adopt `rampart scan` on a repository with existing findings: only
 * findings not in the baseline are reported and fail. The file is plain JSON a reviewer can read; an
 * entry is matched by its fingerprint (rule + resource + field, see report/fingerprint.ts), so moving
 * or reformatting files does not make old findings new.
 */
export interface BaselineEntry {
  fingerprint: string;
  rule: string;
  resource: string;
  field?: string;
  severity: string;
  message: string;
}

export interface BaselineFile {
  rampartBaseline: 1;
  findings: BaselineEntry[];
}

export interface BaselineOutcome {
  /** Findings not in the baseline, with every other result (read as often as the input can be). */
  results: Iterable<Result>;
  /** Findings the baseline accepted (not reported): how many, and of which severity and status. */
  known: { count: number; bySeverity: Partial<Record<Severity, Partial<Record<ResultStatus, number>>>> };
  /** Baseline entries no finding matched: fixed since the baseline was written. */
  fixed: number;
}

function isFinding(r: Result): boolean {
  return r.status === 'fail' || r.status === 'warn';
}

function entryOf(r: Result): BaselineEntry {
  const res = r.resource;
  return {
    fingerprint: findingFingerprint(r),
    rule: `${r.policy}/${r.rule}`,
    resource: [res.kind, res.namespace, res.name].filter(Boolean).join('/'),
    ...(r.origin?.path ? { field: r.origin.path } : {}),
    severity: r.severity,
    message: r.message,
  };
}

export function baselineOf(results: Iterable<Result>): BaselineFile {
  const findings: BaselineEntry[] = [];
  for (const r of results) if (isFinding(r)) findings.push(entryOf(r));
  findings.sort((a, b) =>
    a.rule !== b.rule
      ? a.rule < b.rule
        ? -1
        : 1
      : a.resource < b.resource
        ? -1
        : a.resource > b.resource
          ? 1
          : 0,
  );
  return { rampartBaseline: 1, findings };
}

export async function writeBaseline(file: string, results: Iterable<Result>): Promise<number> {
  const baseline = baselineOf(results);
  await mkdir(dirname(file), { recursive: true });
  // In pieces: a baseline of 560,000 findings is 220 MB of text, never held as one string.
  const out = await open(file, 'w');
  try {
    for (const piece of baselineText(baseline)) await out.write(piece);
  } finally {
    await out.close();
  }
  return baseline.findings.length;
}

/** `JSON.stringify(baseline, null, 2)` and a newline, in pieces of about 1 MiB. */
export function* baselineText(baseline: BaselineFile): Generator<string> {
  if (!baseline.findings.length) {
    yield `${JSON.stringify(baseline, null, 2)}\n`;
    return;
  }
  let text = `{\n  "rampartBaseline": ${JSON.stringify(baseline.rampartBaseline)},\n  "findings": [\n`;
  for (const [i, entry] of baseline.findings.entries()) {
    text += `${i ? ',\n' : ''}${JSON.stringify(entry, null, 2).replace(/^/gm, '    ')}`;
    if (text.length >= 1 << 20) {
      yield text;
      text = '';
    }
  }
  yield `${text}\n  ]\n}\n`;
}

/** A baseline as applying it needs it: how many entries each fingerprint has. */
export type BaselineCounts = ReadonlyMap<string, number>;

export function baselineCounts(baseline: BaselineFile): BaselineCounts {
  const counts = new Map<string, number>();
  for (const e of baseline.findings) counts.set(e.fingerprint, (counts.get(e.fingerprint) ?? 0) + 1);
  return counts;
}

/**
 * Reads and checks a baseline file, and keeps what applying it needs: its entries' fingerprints, not
 * the entries (a baseline of 560,000 findings parses to ~300 MB that would otherwise live through the scan).
 */
export async function readBaseline(file: string): Promise<BaselineCounts> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UserError(
      `scan: --baseline ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const value = parseJson(text, file) as Partial<BaselineFile> | null;
  if (
    value?.rampartBaseline !== 1 ||
    !Array.isArray(value.findings) ||
    value.findings.some((e) => typeof e?.fingerprint !== 'string')
  ) {
    throw new UserError(
      `scan: ${file}: not a rampart baseline (write one with rampart scan --write-baseline ${file})`,
    );
  }
  return baselineCounts(value as BaselineFile);
}

/**
 * Removes the findings a baseline accepts; each entry accepts one finding (identical findings repeat),
 * the first ones in the results' order. The results are read once here, to count, and again each time
 * the outcome's results are read.
 */
export function applyBaseline(
  results: Iterable<Result>,
  baseline: BaselineFile | BaselineCounts,
): BaselineOutcome {
  const entries = baseline instanceof Map ? baseline : baselineCounts(baseline as BaselineFile);
  const known: BaselineOutcome['known'] = { count: 0, bySeverity: {} };
  const left = new Map(entries);
  for (const r of results) {
    if (!accepts(left, r)) continue;
    known.count++;
    const bySeverity = (known.bySeverity[r.severity] ??= {});
    bySeverity[r.status] = (bySeverity[r.status] ?? 0) + 1;
  }
  let fixed = 0;
  for (const n of left.values()) fixed += n;
  return {
    results: {
      *[Symbol.iterator]() {
        const left = new Map(entries);
        for (const r of results) if (!accepts(left, r)) yield r;
      },
    },
    known,
    fixed,
  };
}

/** Whether an entry still left accepts this result (and takes it). */
function accepts(left: Map<string, number>, r: Result): boolean {
  if (!isFinding(r)) return false;
  const fp = findingFingerprint(r);
  const n = left.get(fp) ?? 0;
  if (n === 0) return false;
  left.set(fp, n - 1);
  return true;
}
