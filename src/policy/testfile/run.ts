import { dirname, isAbsolute, resolve } from 'node:path';
import type { Document } from '../../core/document.js';
import { formatPosition, isObject } from '../../core/document.js';
import { UserError } from '../../core/errors.js';
import { loadDocumentsFromFile } from '../../load/documents.js';
import {
  type EngineResponse,
  evaluateResources,
  type Operation,
  type RuleResponse,
  resultsOf,
} from '../engine/evaluate.js';
import type { EvaluateOptions } from '../engine/options.js';
import { groupVersion, resourceRef, withDefaultNamespace } from '../engine/resource.js';
import {
  isPolicyExceptionDocument,
  type PolicyException,
  parsePolicyException,
} from '../exceptions/index.js';
import { loadPolicies, loadResources } from '../load.js';
import { isPolicyDocument } from '../parse.js';
import { wildcardMatch as wildcard } from '../pattern/wildcard.js';
import { type ApiCallResponse, offlineSources } from '../sources.js';
import {
  globalOperation,
  parseUserInfo,
  parseValuesSpec,
  resourceOperation,
  type ValuesSpec,
  valuesOptions,
} from '../values.js';
import { celServicesFor, RULELESS_KINDS } from './cel-context.js';
import { compareObjects, objectKey } from './compare.js';
import { parseTestDocument, type TestResultSpec, type TestSpec } from './schema.js';

export interface TestRow {
  policy: string;
  rule: string;
  kind: string;
  namespace: string;
  resource: string;
  /** `apiVersion/kind/namespace/name`, as Kyverno prints it. */
  resourceKey: string;
  expected: string;
  actual: string;
  ok: boolean;
  /** Ok, Want X got Y, No result, Not found, Invalid Policy, Resource diff. */
  reason: string;
  message: string;
  /** Unified diff of the expected and actual object, for a "Resource diff" row. */
  diff?: string;
}

export interface TestOutcome {
  file: string;
  name: string;
  error: string | null;
  notices: string[];
  rows: TestRow[];
}

export interface Selector {
  policy: string;
  rule: string;
  resource: string;
}

export function parseSelector(text: string | undefined): Selector {
  const sel: Selector = { policy: '*', rule: '*', resource: '*' };
  if (!text) return sel;
  for (const part of text.split(',')) {
    const [key, ...rest] = part.split('=');
    const value = rest.join('=').trim();
    const k = key?.trim();
    if (k !== 'policy' && k !== 'rule' && k !== 'resource') {
      throw new UserError(`--test-case-selector: unknown key "${k}" (expected policy, rule, resource)`);
    }
    sel[k] = value || '*';
  }
  return sel;
}

function resolvePath(base: string, p: string): string {
  return isAbsolute(p) ? p : resolve(base, p);
}

async function firstDocument(file: string): Promise<unknown> {
  const [doc] = await loadDocumentsFromFile(file);
  return doc?.content ?? {};
}

function keyOf(content: unknown): string {
  const r = resourceRef(content);
  return `${r.apiVersion},${r.kind},${r.namespace},${r.name}`;
}

/** Runs every test document of one test file. Load errors are reported per document, never thrown. */
export async function runTestFile(
  file: string,
  selector: Selector = parseSelector(undefined),
): Promise<TestOutcome[]> {
  let docs: Document[];
  try {
    docs = await loadDocumentsFromFile(file, { expandLists: false });
  } catch (error) {
    return [{ file, name: '', error: (error as Error).message, notices: [], rows: [] }];
  }
  const outcomes: TestOutcome[] = [];
  if (docs.length === 0) {
    const notices = ['no tests found: the file holds no test document'];
    return [{ file, name: '', error: null, notices, rows: [] }];
  }
  for (const doc of docs) {
    let spec: TestSpec;
    try {
      spec = parseTestDocument(doc.content, file);
    } catch (error) {
      outcomes.push({
        file,
        name: testName(doc.content),
        error: positioned((error as Error).message, file, doc),
        notices: [],
        rows: [],
      });
      continue;
    }
    if (spec.results.length === 0) {
      const notices = [...spec.notices, 'no results to check: skipped, as Kyverno does'];
      outcomes.push({ file, name: spec.name, error: null, notices, rows: [] });
      continue;
    }
    try {
      outcomes.push(await runTest(spec, file, selector));
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      outcomes.push({ file, name: spec.name, error: error.message, notices: spec.notices, rows: [] });
    }
  }
  return outcomes;
}

/** A message naming `file` alone names the test document's line and column instead. */
function positioned(message: string, file: string, doc: Document): string {
  return message.startsWith(`${file}: `)
    ? `${formatPosition(doc.origin)}: ${message.slice(file.length + 2)}`
    : message;
}

/** The test's name even when the document is invalid: metadata.name, or the legacy top-level name. */
function testName(content: unknown): string {
  if (!isObject(content)) return '';
  const meta = isObject(content.metadata) ? content.metadata : {};
  const name = meta.name ?? content.name;
  return typeof name === 'string' ? name : '';
}

async function runTest(spec: TestSpec, file: string, selector: Selector): Promise<TestOutcome> {
  const base = dirname(file);
  const notices = [...spec.notices];
  const loaded = await loadPolicies(spec.policies.map((p) => resolvePath(base, p)));
  const invalidNames = new Set(loaded.invalid.map((i) => i.name));
  for (const bad of loaded.invalid) notices.push(`invalid policy skipped: ${bad.error.message}`);

  // Resources: defaulted namespace, de-duplicated by group, kind, namespace and name (first wins).
  const seen = new Set<string>();
  const resources: Document[] = [];
  for (const d of await loadResources(spec.resources.map((p) => resolvePath(base, p)))) {
    if (isPolicyDocument(d.content) || !isObject(d.content)) continue;
    const content = withDefaultNamespace(d.content);
    const r = resourceRef(content);
    const dedupe = `${groupVersion(r.apiVersion).group},${r.kind},${r.namespace},${r.name}`;
    if (seen.has(dedupe)) {
      notices.push(`duplicate resource ${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name} ignored`);
      continue;
    }
    seen.add(dedupe);
    resources.push({ ...d, content });
  }

  let values: ValuesSpec | undefined;
  if (spec.values) values = parseValuesSpec(spec.values, file);
  else if (spec.variables) {
    const vf = resolvePath(base, spec.variables);
    values = parseValuesSpec(await firstDocument(vf), vf);
  }
  const userInfo = spec.userinfo
    ? parseUserInfo(await firstDocument(resolvePath(base, spec.userinfo)), spec.userinfo)
    : undefined;
  const clusterResources: Document[] = [];
  for (const p of spec.clusterResources) {
    for (const d of await loadResources([resolvePath(base, p)])) {
      const c = d.content;
      // A ClusterResource file lists objects under spec.resources.
      if (
        isObject(c) &&
        c.kind === 'ClusterResource' &&
        isObject(c.spec) &&
        Array.isArray(c.spec.resources)
      ) {
        for (const item of c.spec.resources)
          clusterResources.push({ ...d, content: withDefaultNamespace(item) });
      } else clusterResources.push({ ...d, content: withDefaultNamespace(c) });
    }
  }
  const sources = {
    ...offlineSources([...clusterResources, ...resources], spec.apiCallResponses as ApiCallResponse[]),
    globalReference: (name: string) => spec.globalContextEntries[name],
  };
  const exceptions: PolicyException[] = [];
  for (const d of await loadResources(spec.exceptions.map((p) => resolvePath(base, p)))) {
    if (isPolicyExceptionDocument(d.content)) exceptions.push(parsePolicyException(d));
    else notices.push(`${d.origin.file}: not a kyverno.io PolicyException; ignored`);
  }
  const paramResources: Document[] = [];
  for (const d of await loadResources(spec.paramResources.map((p) => resolvePath(base, p))))
    paramResources.push({ ...d, content: withDefaultNamespace(d.content) });
  const cel = await celServicesFor(spec, base, resolvePath);
  // Existing objects for mutate-existing rules, and clone sources for generate rules.
  const targetResources: Document[] = [];
  for (const d of await loadResources(spec.targetResources.map((p) => resolvePath(base, p)))) {
    if (isObject(d.content)) targetResources.push({ ...d, content: withDefaultNamespace(d.content) });
  }
  const cloneSources: Document[] = [];
  const cloneFiles = [
    ...new Set(spec.results.flatMap((r) => (r.cloneSourceResource ? [r.cloneSourceResource] : []))),
  ];
  for (const d of await loadResources(cloneFiles.map((p) => resolvePath(base, p)))) {
    if (isObject(d.content)) cloneSources.push({ ...d, content: withDefaultNamespace(d.content) });
  }
  const expectedObjects = await loadExpectedObjects(spec, base);
  const options = {
    resourceSet: [
      ...resources,
      ...clusterResources,
      ...paramResources,
      ...cel.resources,
      ...targetResources,
      ...cloneSources,
    ],
    cel: cel.services,
    exceptions,
    ...valuesOptions(values, [...resources, ...clusterResources], userInfo),
    sources,
  };

  // One evaluation with the default operation, plus one per distinct operation the results name.
  const defaultOp: Operation = globalOperation(values) ?? 'CREATE';
  const runs = new Map<Operation, Run>();
  const runFor = (op: Operation): Run => {
    let r = runs.get(op);
    if (!r) runs.set(op, (r = evaluateWithResourceOperations(op)));
    return r;
  };
  // A per-resource `request.operation` value switches the operation of that policy × resource pair.
  const operationOf = resourceOperation(values);
  const evaluateWithResourceOperations = (op: Operation): Run => {
    const run: Run = { responses: [], byKey: new Map<string, EngineResponse>() };
    const collect = (policies: typeof loaded.policies, docs: Document[], evalOptions: EvaluateOptions) => {
      const response = evaluateResources(policies, docs, evalOptions);
      run.responses.push(...resultsOf(response));
      for (const e of response.resources) run.byKey.set(keyOf(e.document.content), e);
    };
    if (!operationOf) {
      collect(loaded.policies, resources, { ...options, operation: op });
      return run;
    }
    const plain = resources.filter((d) => !loaded.policies.some((p) => operationOf(p, d)));
    collect(loaded.policies, plain, { ...options, operation: op });
    for (const doc of resources) {
      if (plain.includes(doc)) continue;
      for (const policy of loaded.policies) {
        collect([policy], [doc], {
          ...options,
          operation: operationOf(policy, doc) ?? op,
          reportUnsupportedPolicies: false,
        });
      }
    }
    return run;
  };

  const keys = [...resources, ...targetResources].map((d) => keyOf(d.content));
  // Kyverno's CLI ignores `rule` for policy kinds without rules (VAP, ValidatingPolicy, ...).
  const ruleless = new Set(loaded.policies.filter((p) => RULELESS_KINDS.has(p.kind)).map((p) => p.name));
  const rows: TestRow[] = [];
  for (const expectation of spec.results) {
    if (!wildcard(selector.policy, expectation.policy) || !wildcard(selector.rule, expectation.rule))
      continue;
    const exp: TestResultSpec =
      selector.resource !== '*'
        ? { ...expectation, resources: [selector.resource], resourceSpecs: [] }
        : expectation;
    if (
      selector.resource !== '*' &&
      !expectation.resources.some((r) => wildcard(selector.resource, r.split('/').pop()!))
    ) {
      if (expectation.resources.length) continue;
    }
    const responses = runFor(exp.operation ?? defaultOp);
    rows.push(...rowsFor(exp, responses, keys, invalidNames, ruleless, expectedObjects));
    // Kyverno silently checks nothing for a name whose resource has another kind; say so.
    if (exp.kind) {
      for (const name of exp.resources) {
        const n = name.includes('/') ? name.slice(name.indexOf('/') + 1) : name;
        const others = keys.filter((k) => k.split(',')[3] === n && k.split(',')[1] !== exp.kind);
        if (others.length && !keys.some((k) => k.split(',')[3] === n && k.split(',')[1] === exp.kind)) {
          notices.push(
            `results: ${exp.policy}/${exp.rule}: "${name}" is a ${others[0]!.split(',')[1]}, not a ${exp.kind}; it was not checked`,
          );
        }
      }
    }
  }
  return { file, name: spec.name, error: null, notices, rows };
}

function selectKeys(exp: TestResultSpec, keys: string[]): string[] | undefined {
  const named = exp.resources.length > 0 || exp.resourceSpecs.length > 0;
  if (!named) return keys;
  const selected = new Set<string>();
  for (const name of exp.resources) {
    const slash = name.indexOf('/');
    const ns = slash >= 0 ? name.slice(0, slash) : undefined;
    const n = slash >= 0 ? name.slice(slash + 1) : name;
    for (const key of keys) {
      const [, kkind, kns, kname] = key.split(',');
      // Kyverno's selectResources: the expectation's kind must match (an empty kind matches any).
      if (exp.kind && kkind !== exp.kind) continue;
      if (kname === n && (ns === undefined || kns === ns)) selected.add(key);
    }
  }
  for (const rs of exp.resourceSpecs) {
    for (const key of keys) {
      const [apiVersion, kind, kns, kname] = key.split(',');
      const gv = groupVersion(apiVersion!);
      if (rs.name !== undefined && rs.name !== kname) continue;
      if (rs.namespace !== undefined && rs.namespace !== kns) continue;
      if (rs.kind !== undefined && rs.kind !== kind) continue;
      if (rs.group !== undefined && rs.group !== gv.group) continue;
      if (rs.version !== undefined && rs.version !== gv.version) continue;
      selected.add(key);
    }
  }
  return selected.size ? [...selected] : undefined;
}

interface Run {
  responses: RuleResponse[];
  byKey: Map<string, EngineResponse>;
}

/** Objects of the patched/generated files a test names, by file (path as written in the test). */
type ExpectedObjects = Map<string, Record<string, unknown>[]>;

async function loadExpectedObjects(spec: TestSpec, base: string): Promise<ExpectedObjects> {
  const out: ExpectedObjects = new Map();
  const files = new Set(
    spec.results.flatMap((r) => [
      ...(r.patchedResources ? [r.patchedResources] : []),
      ...(r.generatedResources ?? []),
    ]),
  );
  for (const file of files) {
    const objects: Record<string, unknown>[] = [];
    for (const d of await loadResources([resolvePath(base, file)])) {
      // The same loader as for resources: namespaced kinds without a namespace get `default`.
      if (isObject(d.content)) objects.push(withDefaultNamespace(d.content));
    }
    out.set(file, objects);
  }
  return out;
}

function rowsFor(
  exp: TestResultSpec,
  run: Run,
  keys: string[],
  invalid: Set<string>,
  ruleless: ReadonlySet<string>,
  expectedObjects: ExpectedObjects,
): TestRow[] {
  const responses = run.responses;
  const policyName = exp.policy.includes('/') ? exp.policy.slice(exp.policy.indexOf('/') + 1) : exp.policy;
  const selected = selectKeys(exp, keys);
  const row = (
    key: string,
    actual: string,
    ok: boolean,
    reason: string,
    message: string,
    rule = exp.rule,
  ): TestRow => {
    const [apiVersion, kind, namespace, name] = key.split(',');
    return {
      policy: exp.policy,
      rule,
      kind: kind ?? exp.kind,
      namespace: namespace ?? '',
      resource: name ?? '',
      resourceKey: [apiVersion, kind, namespace, name].filter((p) => p !== '').join('/'),
      expected: exp.result,
      actual,
      ok,
      reason,
      message,
    };
  };
  if (invalid.has(policyName)) {
    return (selected ?? [exp.resources.join(',')]).map((k) =>
      row(k, 'skip', true, 'Invalid Policy', 'the policy failed validation'),
    );
  }
  if (!selected) {
    const missing = [...exp.resources, ...exp.resourceSpecs.map((s) => s.name ?? '?')].join(', ');
    return [
      row(
        `,${exp.kind},,${missing}`,
        'none',
        false,
        'Not found',
        `no resource named ${missing} was loaded by this test`,
      ),
    ];
  }
  const wanted = new Set(
    exp.rule && !ruleless.has(policyName)
      ? [exp.rule, `autogen-${exp.rule}`, `autogen-cronjob-${exp.rule}`]
      : [],
  );
  const out: TestRow[] = [];
  for (const key of selected) {
    // Mutate-existing responses count for each target they patched, as Kyverno indexes them.
    const patchedTarget = (r: RuleResponse) =>
      r.patchedTargets?.find((t) => objectKey(withDefaultNamespace(t)) === key);
    const matching = responses.filter(
      (r) =>
        r.policy === policyName &&
        (`${r.resource.apiVersion},${r.resource.kind},${r.resource.namespace},${r.resource.name}` === key ||
          patchedTarget(r) !== undefined) &&
        (wanted.size === 0 || wanted.has(r.rule)),
    );
    if (matching.length === 0) {
      // Kyverno reports this as a silent pass ("Excluded", issue 11519); Rampart only accepts it when skip was expected.
      const ok = exp.result === 'skip';
      out.push(
        row(key, 'no result', ok, ok ? 'Ok' : 'No result', 'no rule of the policy applied to this resource'),
      );
      continue;
    }
    for (const r of matching) {
      const ok = r.status === exp.result;
      const statusRow = row(
        key,
        r.status,
        ok,
        ok ? 'Ok' : `Want ${exp.result}, got ${r.status}`,
        r.message,
        r.rule,
      );
      if (exp.patchedResources) {
        const engine = run.byKey.get(key);
        const actual =
          patchedTarget(r) ??
          engine?.patchedResource ??
          (engine?.document.content as Record<string, unknown> | undefined);
        const checked =
          actual && checkObject(statusRow, actual, exp, [exp.patchedResources], expectedObjects);
        if (checked) out.push(checked);
        continue;
      }
      if (exp.generatedResources && r.generated?.length) {
        for (const g of r.generated) {
          const checked = checkObject(statusRow, g, exp, exp.generatedResources, expectedObjects);
          if (checked) out.push(checked);
        }
        continue;
      }
      out.push(statusRow);
    }
  }
  return out;
}

/**
 * A row for a patched or generated object: the expected object is the one with the same apiVersion,
 * kind, namespace and name in the named file(s); a difference fails the row ("Resource diff") with a
 * unified diff. With no such object the row is dropped, as Kyverno does, unless failOnMissingResources.
 */
function checkObject(
  statusRow: TestRow,
  actual: Record<string, unknown>,
  exp: TestResultSpec,
  files: string[],
  expectedObjects: ExpectedObjects,
): TestRow | undefined {
  const key = objectKey(withDefaultNamespace(actual));
  let firstDiff: string | undefined;
  let found = false;
  for (const file of files) {
    const expected = expectedObjects.get(file)?.find((o) => objectKey(o) === key);
    if (!expected) continue;
    found = true;
    const comparison = compareObjects(expected, actual, { expected: file, actual: 'actual' });
    if (comparison.equal) return statusRow;
    firstDiff ??= comparison.diff;
  }
  if (!found) {
    if (!exp.failOnMissingResources) return undefined;
    return {
      ...statusRow,
      ok: false,
      reason: 'Resource error',
      message: `no object ${key.split(',').join('/')} in ${files.join(', ')}`,
    };
  }
  return {
    ...statusRow,
    ok: false,
    reason: 'Resource diff',
    message: `the ${exp.generatedResources ? 'generated' : 'patched'} resource differs from ${files.join(', ')}`,
    diff: firstDiff,
  };
}
