import { resolve } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import type { Document } from '../core/document.js';
import { isObject } from '../core/document.js';
import { UserError } from '../core/errors.js';
import type { Result, ResultStatus } from '../core/result.js';
import type { Severity } from '../core/severity.js';
import { streamLargeYamlFile } from '../load/documents.js';
import { loadPack, type TsRule } from '../packs/index.js';
import { evaluate } from '../policy/engine/evaluate.js';
import { asResource } from '../policy/engine/resource.js';
import { policySeverity } from '../policy/engine/response.js';
import type { PolicyException } from '../policy/exceptions/index.js';
import type { LoadedPolicy } from '../policy/model/types.js';
import { loadPolicyDocuments } from '../policy/parse.js';
import type { RampartConfig } from './config.js';
import {
  alwaysReported,
  applySuppression,
  compareFindings,
  effectiveSeverity,
  enrich,
  type LocatorCache,
  locateFindings,
} from './findings.js';
import { FieldLocator } from './locate.js';
import { isPlanJson } from './manifests.js';
import type { ReadAhead } from './read-ahead.js';
import { isLargeFile, type LoadedShare, loadShare, skeletonOf } from './read-share.js';

/** What a share needs besides its files: all plain data, so it crosses the thread boundary. */
export interface ShareSetup {
  policies: { content: unknown; origin: LoadedPolicy['origin'] }[];
  /** Pack of each pack policy, by policy name. */
  packOf: Record<string, string>;
  /** Per-document TypeScript rules to run, as [pack, rule id]. */
  documentRules: [string, string][];
  config: RampartConfig;
  variables: Record<string, unknown>;
  /** Keep passing and not-applicable results instead of only counting them. */
  keepAll: boolean;
  /**
   * `--changed-since`: evaluate only documents of these files (absolute paths). Every file is still
   * read, for the cross-document kinds and skeletons the other rules need.
   */
  only?: string[];
}

/** Cross-document facts every share evaluates with, gathered from all shares' skeletons. */
export interface ShareContext {
  namespaceLabels: Record<string, Record<string, string>>;
  exceptions: PolicyException[];
  /** Full cross-document kinds of every share (TypeScript rules read Namespaces, for one). */
  crossDocuments: Document[];
}

/** Results left out of a share's findings, counted by effective severity and status. */
export type DroppedCounts = Partial<Record<Severity, Record<ResultStatus, number>>>;

export interface ShareResults {
  results: Result[];
  dropped: DroppedCounts;
}

/**
 * Documents of a large file (one streamed, see STREAM_THRESHOLD_BYTES) evaluated at a time: a file
 * of 70,000 manifests is read, evaluated and reported in parts, never held whole.
 */
export const LARGE_FILE_PART_DOCUMENTS = 512;

/**
 * What one part of a batch of files gave: its findings (sorted, see compareFindings) and counts, and
 * what the cross-document rules need. A batch is one part, unless it holds a large file.
 */
export interface BatchOutcome extends ShareResults {
  skeleton: Document[];
  errors: LoadedShare['errors'];
  planFiles: string[];
  documents: number;
  /** The part's place in its batch, and whether it is the batch's last. */
  part: number;
  last: boolean;
}

/**
 * Second pass: reads, parses and evaluates batches of files, keeping only findings and skeletons.
 * Each thread of a scan takes the next batch nobody has taken from a counter they all share, so a
 * thread that loaded its engine later, or got cheaper documents, never leaves the others waiting on
 * it at the end. `onBatch` gets each batch's outcome with the batch's index (its place in file order).
 */
export async function claimBatches(
  batches: readonly (readonly string[])[],
  counter: Int32Array,
  setup: ShareSetup,
  rules: ShareRules,
  context: ShareContext,
  onBatch: (index: number, outcome: BatchOutcome) => void,
  /** Where a batch's shares come from, when read on another thread (see ReadAhead). */
  readAhead?: ReadAhead,
): Promise<void> {
  for (;;) {
    const index = Atomics.add(counter, 0, 1);
    if (index >= batches.length) return;
    // A part is sent when the next one is loaded, so the last one can say it is the last.
    let previous: Omit<BatchOutcome, 'last'> | undefined;
    let part = 0;
    const shares = readAhead ? readBatchAhead(readAhead, index, batches[index]!) : loadBatch(batches[index]!);
    for await (const share of shares) {
      if (previous) {
        onBatch(index, { ...previous, last: false });
        await setImmediate();
      }
      const r = evaluateShare(setup, rules, share.documents, context, share.texts, share.locators);
      previous = {
        results: r.results,
        dropped: r.dropped,
        skeleton: share.skeleton,
        errors: share.errors,
        planFiles: share.planFiles,
        documents: share.documents.length,
        part: part++,
      };
    }
    onBatch(index, { ...previous!, last: true });
    // Let the event loop run between batches: on the main thread, the workers' outcomes are then
    // taken in (deserialised) while the workers still evaluate, not all at the end.
    await setImmediate();
  }
}

/** A batch's shares from the read-ahead thread, or read here when it left the batch to this thread. */
async function* readBatchAhead(
  readAhead: ReadAhead,
  index: number,
  files: readonly string[],
): AsyncGenerator<LoadedShare> {
  const share = await readAhead.take(index);
  if (share) yield share;
  else yield* loadBatch(files);
}

/**
 * A batch's files as shares to evaluate: the small files together, and each large file in parts of
 * LARGE_FILE_PART_DOCUMENTS documents. Always at least one share (an empty one for a batch that has
 * nothing), in file order.
 */
async function* loadBatch(files: readonly string[]): AsyncGenerator<LoadedShare> {
  let small: string[] = [];
  let any = false;
  for (const file of files) {
    if (!isLargeFile(file)) {
      small.push(file);
      continue;
    }
    if (small.length) {
      yield await loadShare(small);
      small = [];
    }
    for await (const part of loadLargeFile(file)) {
      any = true;
      yield part;
    }
  }
  if (small.length || !any) yield await loadShare(small);
}

/**
 * A large file's documents in parts, as loadManifestFiles would read them, each part with the file's
 * lines its documents came from to locate findings in (the file's text is never held whole). An error
 * (invalid YAML half-way) ends the file there: the parts before it are evaluated, and the error is
 * reported.
 */
async function* loadLargeFile(file: string): AsyncGenerator<LoadedShare> {
  let documents: Document[] = [];
  let lines: string[] = [];
  let firstLine = 0;
  const part = (errors: LoadedShare['errors'] = [], planFiles: string[] = []): LoadedShare => ({
    texts: new Map(),
    locators: new Map([[file, new FieldLocator(lines, firstLine)]]),
    documents,
    skeleton: documents.map(skeletonOf),
    errors,
    planFiles,
  });
  try {
    for await (const section of streamLargeYamlFile(file)) {
      if (!lines.length) firstLine = section.firstLine;
      for (const line of section.lines) lines.push(line);
      for (const d of section.documents) {
        if (isPlanJson(d.content)) {
          yield part([], [file]);
          return;
        }
        const c = d.content;
        if (isObject(c) && typeof c.kind === 'string' && typeof c.apiVersion === 'string')
          documents.push(asResource(d));
      }
      if (documents.length >= LARGE_FILE_PART_DOCUMENTS) {
        yield part();
        documents = [];
        lines = [];
      }
    }
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    yield part([{ message: error.message, position: error.position }]);
    return;
  }
  yield part();
}

/** Policies and TypeScript rules as a share evaluates them (loaded again in a worker). */
export interface ShareRules {
  policies: LoadedPolicy[];
  documentRules: { pack: string; rule: TsRule }[];
}

export async function loadShareRules(setup: ShareSetup): Promise<ShareRules> {
  const { policies } = loadPolicyDocuments(
    setup.policies.map((p, i) => ({
      id: `policy-${i}`,
      format: 'kubernetes' as const,
      content: p.content,
      origin: p.origin ?? { file: '', line: 1, column: 1, index: 0 },
    })),
  );
  return { policies, documentRules: await resolveDocumentRules(setup.documentRules) };
}

export async function resolveDocumentRules(
  ids: [string, string][],
): Promise<{ pack: string; rule: TsRule }[]> {
  const out: { pack: string; rule: TsRule }[] = [];
  for (const [pack, id] of ids) {
    const rule = (await loadPack(pack)).rules.find((r) => r.meta.id === id);
    if (rule) out.push({ pack, rule });
  }
  return out;
}

/**
 * Evaluates a share's documents: policies through the engine, then per-document TypeScript rules
 * (which see the other shares' cross-document kinds too); findings are enriched and suppressed here,
 * where the documents are.
 */
export function evaluateShare(
  setup: ShareSetup,
  rules: ShareRules,
  all: readonly Document[],
  context: ShareContext,
  /** The documents' file texts when the caller has them (otherwise findings' files are read again). */
  texts?: ReadonlyMap<string, string>,
  /** Locators for files whose text the caller does not hold whole (a large file's part, see loadLargeFile). */
  locators?: LocatorCache,
): ShareResults {
  const { config } = setup;
  const only = setup.only ? new Set(setup.only) : undefined;
  const documents = only ? all.filter((d) => only.has(resolve(d.origin.file))) : all;
  const byName = new Map(rules.policies.map((p) => [p.name, p]));
  const dropped: DroppedCounts = {};
  const results: Result[] = [];
  // Passes and skips are most results, and only counted (unless kept): their effective severity is
  // worked out once per policy and rule. Plain passes are counted without becoming results at all.
  const tallies = new Map<string, Map<string, Record<ResultStatus, number>>>();
  /** The counts of a policy's rule; `result` is one of its results, when there is one to hand. */
  const tally = (name: string, rule: string, policy: LoadedPolicy | undefined, result?: Result) => {
    let ofPolicy = tallies.get(name);
    if (!ofPolicy) tallies.set(name, (ofPolicy = new Map()));
    let counts = ofPolicy.get(rule);
    if (counts === undefined) {
      // Only the first time: a counted pass has no result, so its severity is the policy's own.
      const severity = result
        ? effectiveSeverity(result, policy, config)
        : effectiveSeverity(
            { policy: name, rule, severity: policySeverity(policy!) } as Result,
            policy,
            config,
          );
      counts = dropped[severity] ??= { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
      ofPolicy.set(rule, counts);
    }
    return counts;
  };
  const raw = evaluate(rules.policies, documents, {
    variables: setup.variables,
    namespaceLabels: (ns) => context.namespaceLabels[ns],
    reportUnsupportedPolicies: false,
    exceptions: context.exceptions,
    ...(setup.keepAll
      ? {}
      : {
          countPass: (policy: LoadedPolicy, rule: string) => {
            tally(policy.name, rule, policy).pass++;
          },
        }),
  });
  for (const r of raw) {
    const policy = byName.get(r.policy);
    if (!setup.keepAll && !alwaysReported(r)) {
      tally(r.policy, r.rule, policy, r)[r.status]++;
      continue;
    }
    results.push(enrich(r, policy, setup.packOf[r.policy], config));
  }
  if (rules.documentRules.length) {
    const own = new Set(documents.map((d) => d.origin.file));
    const others = context.crossDocuments.filter((d) => !own.has(d.origin.file));
    const visible = others.length ? [...others, ...documents] : documents;
    for (const { pack, rule } of rules.documentRules) {
      for (const r of rule.check(visible, { parameters: config.parameters })) {
        if (r.origin && !own.has(r.origin.file)) continue;
        results.push(enrich(r, undefined, pack, config));
      }
    }
  }
  const out = applySuppression(results, documents);
  locateFindings(out, documents, texts, locators);
  // In report order here, where the work is shared between threads: parts then only need merging.
  out.sort(compareFindings);
  return { results: out, dropped };
}
