import { readFileSync } from 'node:fs';
import type { Document } from '../core/document.js';
import { isObject } from '../core/document.js';
import { POD_TEMPLATE_PATH } from '../core/k8s/pod-controllers.js';
import type { Result } from '../core/result.js';
import { DOCS_ANNOTATION, FIX_ANNOTATION } from '../core/rule.js';
import { type Severity, severityRank } from '../core/severity.js';
import { baseRuleName } from '../policy/engine/evaluate.js';
import type { LoadedPolicy } from '../policy/model/types.js';
import type { RampartConfig } from './config.js';
import { fieldPathOf, inferredFieldPath } from './field-path.js';
import { FieldLocator } from './locate.js';

/** How a scan turns engine and rule results into findings: severity, fix and docs, suppressions. */
export const IGNORE_ANNOTATION = 'rampart.dev/ignore';
export const IGNORE_REASON_ANNOTATION = 'rampart.dev/ignore-reason';
const RULE_SEVERITY_PREFIX = 'rampart.dev/severity.';

export function ruleIdOf(result: Pick<Result, 'policy' | 'rule'>): string {
  return result.policy;
}

function annotations(content: unknown): Record<string, string> {
  if (!isObject(content) || !isObject(content.metadata) || !isObject(content.metadata.annotations)) return {};
  return content.metadata.annotations as Record<string, string>;
}

/** Pod-template annotations count too, so a Deployment's template can carry the suppression. */
function suppression(content: unknown): { ids: Set<string>; reason: string | undefined } | undefined {
  const sources = [annotations(content)];
  if (isObject(content) && isObject(content.spec) && isObject(content.spec.template)) {
    sources.push(annotations(content.spec.template));
  }
  for (const a of sources) {
    const list = a[IGNORE_ANNOTATION];
    if (typeof list === 'string' && list.trim()) {
      return {
        ids: new Set(
          list
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        ),
        reason: a[IGNORE_REASON_ANNOTATION],
      };
    }
  }
  return undefined;
}

export function effectiveSeverity(
  result: Result,
  policy: LoadedPolicy | undefined,
  config: RampartConfig,
): Severity {
  const override = config.rules[ruleIdOf(result)]?.severity;
  if (override) return override;
  const perRule = policy?.annotations[`${RULE_SEVERITY_PREFIX}${baseRuleName(result.rule)}`];
  if (perRule && ['info', 'low', 'medium', 'high', 'critical'].includes(perRule)) return perRule as Severity;
  return result.severity;
}

export function enrich(
  result: Result & { policyKey?: string },
  policy: LoadedPolicy | undefined,
  pack: string | undefined,
  config: RampartConfig,
): Result {
  const { policyKey: _key, ...out } = result;
  if (pack) out.category = pack;
  // The fix and docs link matter on findings; on passes and skips they only add bulk to reports.
  if (policy && (out.status === 'fail' || out.status === 'warn' || out.status === 'error')) {
    out.fix = policy.annotations[FIX_ANNOTATION] ?? out.fix;
    out.docs = policy.annotations[DOCS_ANNOTATION] ?? out.docs;
  }
  out.severity = effectiveSeverity(result, policy, config);
  return out;
}

/**
 * Findings are always listed, and so are results that carry properties: reports (the QoS class),
 * suppressions, exception skips and rule types the engine does not evaluate.
 */
export function alwaysReported(r: Result): boolean {
  return r.status === 'fail' || r.status === 'warn' || r.status === 'error' || r.properties !== undefined;
}

function originKey(o: Document['origin']): string {
  return `${o.file}#${o.index}#${o.line}`;
}

/** Inline suppression: annotated resources turn their findings into skips with the stated reason. */
export function applySuppression(results: Result[], documents: readonly Document[]): Result[] {
  const docById = new Map<string, Document>();
  for (const d of documents) docById.set(originKey(d.origin), d);
  return results.map((r) => {
    if (r.status !== 'fail' && r.status !== 'warn') return r;
    const doc = r.origin ? docById.get(originKey(r.origin)) : undefined;
    const s = doc ? suppression(doc.content) : undefined;
    if (!s || !(s.ids.has(ruleIdOf(r)) || s.ids.has(baseRuleName(r.rule)) || s.ids.has('*'))) return r;
    if (!s.reason) {
      return { ...r, message: `${r.message} (suppression ignored: ${IGNORE_REASON_ANNOTATION} is required)` };
    }
    return {
      ...r,
      status: 'skip' as const,
      message: `suppressed: ${s.reason}`,
      properties: { ...r.properties, suppressed: s.reason },
    };
  });
}

/**
 * The order findings are reported in: by file (plain code-unit order: localeCompare costs seconds on
 * a few hundred thousand results), line, then the more severe first.
 */
export function compareFindings(a: Result, b: Result): number {
  const fa = a.origin?.file ?? '';
  const fb = b.origin?.file ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  return (a.origin?.line ?? 0) - (b.origin?.line ?? 0) || severityRank(b.severity) - severityRank(a.severity);
}

/** Field locators by file: built here from each file's text, or handed in (a large file's part brings its own). */
export type LocatorCache = Map<string, FieldLocator | undefined>;

/**
 * Moves each finding from its document's first line to the line and column of the field it is about
 * (or its closest existing parent), and records that field as `origin.path`. Only documents read
 * from plain YAML files are located: rendered and piped documents keep their document position.
 * The results are changed in place: each located one gets a new origin (the old may be shared).
 */
export function locateFindings(
  results: Result[],
  documents: readonly Document[],
  /** Texts already read, by file (the share's loader keeps them); other files are read here. */
  texts?: ReadonlyMap<string, string>,
  locators: LocatorCache = new Map(),
): void {
  const located = new DocumentsByOrigin(
    documents.filter(
      (d) => !d.id.includes('#rendered#') && d.origin.file !== '<stdin>' && /\.ya?ml$/i.test(d.origin.file),
    ),
  );
  for (const r of results) {
    if (!r.origin || (r.status !== 'fail' && r.status !== 'warn' && r.status !== 'error')) continue;
    const doc = located.get(r.origin);
    if (!doc) continue;
    const path =
      fieldPathOf(r.message, r.properties) ??
      inferredFieldPath(r.message, doc.content, POD_TEMPLATE_PATH[r.resource.kind]);
    if (!path?.length) continue;
    let locator = locators.get(r.origin.file);
    if (!locators.has(r.origin.file)) {
      let text = texts?.get(r.origin.file);
      if (text === undefined) {
        try {
          text = readFileSync(r.origin.file, 'utf8');
        } catch {
          text = undefined;
        }
      }
      locator = text === undefined ? undefined : new FieldLocator(text);
      locators.set(r.origin.file, locator);
    }
    const at = locator?.locate(r.origin.line, path);
    if (!at) continue;
    // Built field by field: a spread of origins that crossed threads took ~1 µs each.
    const { file, index } = r.origin;
    r.origin = { file, line: at.line, column: at.column, index, path: at.path };
  }
}

/**
 * Documents by a result's origin. The engine's results carry their document's own origin object, so
 * most are found by identity, without building a key; other origins (a TypeScript rule may make its
 * own) by file, index and line.
 */
class DocumentsByOrigin {
  private readonly byObject = new Map<Document['origin'], Document>();
  private byKey?: Map<string, Document>;

  constructor(private readonly documents: readonly Document[]) {
    for (const d of documents) this.byObject.set(d.origin, d);
  }

  get(origin: Document['origin']): Document | undefined {
    const same = this.byObject.get(origin);
    if (same) return same;
    if (!this.byKey) {
      this.byKey = new Map();
      for (const d of this.documents) this.byKey.set(originKey(d.origin), d);
    }
    return this.byKey.get(originKey(origin));
  }
}
