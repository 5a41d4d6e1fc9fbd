import { resolve } from 'node:path';
import { isObject } from '../core/document.js';
import { UserError } from '../core/errors.js';
import type { Result, ResultStatus } from '../core/result.js';
import { SEVERITIES, type Severity } from '../core/severity.js';
import { RecordSpool } from '../core/spool.js';
import { loadPack, type Pack, type TsRule } from '../packs/index.js';
import type { LoadedPolicy } from '../policy/model/types.js';
import { DOCS_ANNOTATION, FIX_ANNOTATION, listPacks, scanRuleIds } from '../rules/registry.js';
import type { RampartConfig } from './config.js';
import { type DiscoveryNotice, discoverScanInputs } from './discover.js';
import {
  alwaysReported,
  applySuppression,
  compareFindings,
  enrich,
  IGNORE_ANNOTATION,
  IGNORE_REASON_ANNOTATION,
} from './findings.js';
import { type StartedShares, scanInShares, startReadAhead, startShares, stopShares } from './parallel.js';
import type { ShareSetup } from './share.js';

export { DOCS_ANNOTATION, FIX_ANNOTATION, IGNORE_ANNOTATION, IGNORE_REASON_ANNOTATION };

export interface ScanOptions {
  paths: string[];
  config: RampartConfig;
  packs?: string[];
  skipPacks?: string[];
  rules?: string[];
  severity?: (s: Severity) => boolean;
  userPolicies?: LoadedPolicy[];
  /** Keep passing and not-applicable results (default: only findings, suppressions and reports). */
  includePassed?: boolean;
  /** Evaluation threads (default for 400 files or more: see defaultThreads and LARGE_INPUT_BYTES; 1 below). */
  threads?: number;
  /**
   * Read and parse the files on another thread while one thread evaluates them (see ReadAhead).
   * Default: when the scan chooses one evaluating thread for 400 files or more on two or more cores.
   */
  readAhead?: boolean;
  /**
   * Evaluate only the documents of these files (absolute paths; `--changed-since`). Every input is
   * still read for the cross-document rules, whose findings are kept for the changed documents'
   * namespaces.
   */
  changedFiles?: string[];
  /**
   * Called once if the scan turns out large: its findings go to disk, or a file is read in parts. The
   * CLI tightens the garbage collector then (a process-wide setting, so not the library's to make).
   */
  onLarge?: () => void;
}

export interface ScanOutcome {
  /**
   * The reported results in report order (see compareFindings). Read it any number of times; it may be
   * on disk (a scan with very many findings), so read it as a stream and call `close` when done.
   */
  results: Iterable<Result>;
  /** How many of `results` there are, by severity and status. */
  counts: Record<Severity, Record<ResultStatus, number>>;
  /** Releases what holds the results (a temporary file when they went to disk). */
  close(): void;
  notices: DiscoveryNotice[];
  errors: UserError[];
  documents: number;
  packs: string[];
  /** Counts of every result, including those left out of `results`. */
  summary: Record<ResultStatus, number>;
  /** With changedFiles: how many of the inputs were evaluated. */
  changed?: { files: number; documents: number; read: number };
}

export async function runScan(options: ScanOptions): Promise<ScanOutcome> {
  const { config } = options;
  const registered = listPacks();
  const available = registered.map((p) => p.name);
  const isTerraform = new Set(registered.filter((p) => p.target === 'terraform').map((p) => p.name));
  for (const p of [...(options.packs ?? []), ...(options.skipPacks ?? [])]) {
    if (!available.includes(p))
      throw new UserError(`scan: unknown pack "${p}" (available: ${available.join(', ')})`);
  }
  for (const p of Object.keys(config.packs)) {
    if (!available.includes(p)) {
      throw new UserError(
        `${config.file ?? 'rampart.yaml'}: packs.${p}: unknown pack (available: ${available.join(', ')})`,
      );
    }
  }
  const selectedAll = available.filter(
    (name) =>
      (options.packs?.length ? options.packs.includes(name) : true) &&
      !options.skipPacks?.includes(name) &&
      config.packs[name]?.enabled !== false,
  );
  const readAhead = startReadAhead(options.paths, options.readAhead);
  let discovered: Awaited<ReturnType<typeof discoverScanInputs>>;
  try {
    discovered = await discoverScanInputs(options.paths, { deferManifests: true });
  } catch (error) {
    readAhead?.stop();
    throw error;
  }
  // Batches in the order findings are reported (by file, see compareFindings): then each batch's
  // findings can be written as they come, and merged with the few found at the end.
  discovered.manifests.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  // Worker threads start reading the files now, while this thread loads the packs.
  const started = startShares(discovered.manifests, {
    threads: options.threads,
    readAhead,
    alwaysReadAhead: options.readAhead === true,
  });
  try {
    return await scanDiscovered(options, discovered, started, selectedAll, isTerraform);
  } catch (error) {
    stopShares(started);
    throw error;
  }
}

async function scanDiscovered(
  options: ScanOptions,
  discovered: Awaited<ReturnType<typeof discoverScanInputs>>,
  started: StartedShares | undefined,
  selectedAll: string[],
  isTerraform: ReadonlySet<string>,
): Promise<ScanOutcome> {
  const { config } = options;
  const selected = selectedAll.filter((name) => !isTerraform.has(name));
  const terraformPacks = selectedAll.filter((name) => isTerraform.has(name));
  const packs: Pack[] = await Promise.all(selected.map((name) => loadPack(name)));
  const configNotices = await unknownRuleNotices(config);

  const packOf: Record<string, string> = {};
  const policies: LoadedPolicy[] = [];
  const documentRules: { pack: string; rule: TsRule }[] = [];
  const namespaceRules: { pack: string; rule: TsRule }[] = [];
  for (const pack of packs) {
    for (const p of pack.policies) {
      if (config.rules[p.name]?.enabled === false) continue;
      if (options.rules?.length && !options.rules.includes(p.name)) continue;
      packOf[p.name] = pack.name;
      policies.push(p);
    }
    for (const rule of pack.rules) {
      if (config.rules[rule.meta.id]?.enabled === false) continue;
      if (options.rules?.length && !options.rules.includes(rule.meta.id)) continue;
      (rule.scope === 'namespace' ? namespaceRules : documentRules).push({ pack: pack.name, rule });
    }
  }
  for (const p of options.userPolicies ?? []) policies.push(p);

  const variables: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config.parameters)) variables[`rampart.${k}`] = v;
  // Passes and not-applicable skips are only counted unless asked for: on a large repository they are
  // most of the results and most of the time spent reporting. (With rendered overlays everything is
  // kept until duplicates are removed, so the counts stay exact.)
  const setup: ShareSetup = {
    // Companion documents a kind linked into a policy travel too, so a worker links them the same way.
    policies: policies.flatMap((p) => [{ content: p.raw, origin: p.origin }, ...(p.companions ?? [])]),
    packOf,
    documentRules: documentRules.map(({ pack, rule }) => [pack, rule.meta.id]),
    config,
    variables,
    keepAll: Boolean(options.includePassed || discovered.rendered),
    ...(options.changedFiles ? { only: options.changedFiles } : {}),
  };
  // Every result passes here once, in the order it came: duplicates of rendered overlays dropped, the
  // severity filter applied, counted; then kept if reported. Findings of the files go to the spool as
  // their threads send them; the rest (found at the end) is held and merged in.
  const seen = new Set<string>();
  const summary: Record<ResultStatus, number> = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  const counts = Object.fromEntries(
    SEVERITIES.map((s) => [s, { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 }]),
  ) as Record<Severity, Record<ResultStatus, number>>;
  const admit = (results: readonly Result[]): Result[] => {
    const kept: Result[] = [];
    for (const r of results) {
      if (discovered.rendered) {
        // A rendered overlay and its base manifest often yield the same finding at the same place: report it once.
        const key = `${r.policy}|${r.rule}|${r.status}|${r.origin?.file}|${r.origin?.line}|${r.resource.kind}|${r.resource.name}|${r.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
      }
      if (options.severity && !options.severity(r.severity)) continue;
      summary[r.status]++;
      if (!options.includePassed && !alwaysReported(r)) continue;
      counts[r.severity][r.status]++;
      kept.push(r);
    }
    return kept;
  };
  const spool = new RecordSpool<Result>();
  let large = false;
  const signalLarge = () => {
    if (large) return;
    large = true;
    options.onLarge?.();
  };
  try {
    return await collect();
  } catch (error) {
    spool.close();
    throw error;
  }

  async function collect(): Promise<ScanOutcome> {
    const shared = await scanInShares(
      discovered.manifests,
      discovered.documents,
      setup,
      { policies, documentRules },
      {
        findings: (batch, part, results) => {
          spool.add([batch, part], admit(results));
          if (spool.spilled) signalLarge();
        },
        largeFile: signalLarge,
      },
      started,
    );
    // Cross-document rules read every document's skeleton (identity and annotations) and the
    // namespace-level kinds in full: that, not the documents, is what a scan keeps for the whole input.
    const changed = options.changedFiles ? new Set(options.changedFiles) : undefined;
    const changedDocuments = changed
      ? shared.skeleton.filter((d) => changed.has(resolve(d.origin.file)))
      : shared.skeleton;
    const changedNamespaces = new Set(changedDocuments.map((d) => namespaceOf(d.content)));
    const namespaceResults: Result[] = [];
    for (const { pack, rule } of namespaceRules) {
      for (const r of rule.check(shared.skeleton, { parameters: config.parameters })) {
        if (changed && !changedNamespaces.has(r.resource.name)) continue;
        namespaceResults.push(enrich(r, undefined, pack, config));
      }
    }
    const late: Result[] = [...shared.localResults, ...applySuppression(namespaceResults, shared.skeleton)];
    for (const counted of shared.dropped) {
      for (const [severity, byStatus] of Object.entries(counted) as [
        Severity,
        Record<ResultStatus, number>,
      ][]) {
        if (options.severity && !options.severity(severity)) continue;
        for (const [status, n] of Object.entries(byStatus) as [ResultStatus, number][]) summary[status] += n;
      }
    }
    const terraformFiles = [...discovered.terraformFiles, ...shared.planFiles].filter(
      (f) => !changed || changed.has(resolve(f)),
    );

    let terraformErrors: UserError[] = [];
    let terraformDocuments = 0;
    if (terraformFiles.length && terraformPacks.length) {
      // Loaded only here: a manifests-only scan never pays for the HCL parser and the IAM data.
      const { scanTerraform } = await import('../terraform/scan.js');
      const tf = await scanTerraform(terraformFiles, { config: config.terraform });
      for (const r of tf.results) {
        if (!terraformPacks.includes(r.category)) continue;
        if (config.rules[r.rule]?.enabled === false) continue;
        if (options.rules?.length && !options.rules.includes(r.rule) && !options.rules.includes(r.policy))
          continue;
        const severity = config.rules[r.rule]?.severity;
        late.push(severity ? { ...r, severity } : r);
      }
      terraformErrors = tf.errors;
      terraformDocuments = tf.documents.length;
    }
    const rest = admit(late).sort(compareFindings);
    return {
      results: { [Symbol.iterator]: () => mergeFindings(spool, rest) },
      counts,
      close: () => spool.close(),
      notices: [...configNotices, ...discovered.notices],
      errors: [...discovered.errors, ...shared.errors, ...terraformErrors],
      // Terraform resources count as documents too, so the footer does not say "Scanned 0 documents".
      documents: (changed ? changedDocuments.length : shared.documents) + terraformDocuments,
      ...(changed
        ? {
            changed: {
              files:
                new Set(changedDocuments.map((d) => resolve(d.origin.file))).size + terraformFiles.length,
              documents: changedDocuments.length + terraformDocuments,
              read: shared.documents,
            },
          }
        : {}),
      packs: selectedAll,
      summary,
    };
  }
}

/**
 * The spooled findings (in order: batches in file order, each part sorted) merged with the sorted
 * rest; on a tie the spooled one first, as a stable sort of them all would have it.
 */
function* mergeFindings(spooled: Iterable<Result>, rest: readonly Result[]): Generator<Result> {
  let j = 0;
  for (const r of spooled) {
    while (j < rest.length && compareFindings(rest[j]!, r) < 0) yield rest[j++]!;
    yield r;
  }
  while (j < rest.length) yield rest[j++]!;
}
/** The namespace a document belongs to (a Namespace belongs to itself). */
function namespaceOf(content: unknown): string {
  if (!isObject(content) || !isObject(content.metadata)) return '';
  const meta = content.metadata;
  if (content.kind === 'Namespace') return String(meta.name ?? '');
  return typeof meta.namespace === 'string' ? meta.namespace : '';
}

/** Rule settings in rampart.yaml that name no rule would silently do nothing: say so. */
async function unknownRuleNotices(config: RampartConfig): Promise<DiscoveryNotice[]> {
  const ids = Object.keys(config.rules);
  if (!ids.length) return [];
  const known = await scanRuleIds();
  return ids
    .filter((id) => !known.has(id))
    .map((id) => ({
      path: config.file ?? 'rampart.yaml',
      message: `rules.${id} matches no rule (see docs/packs.md)`,
    }));
}
