import { isObject } from '../../core/document.js';
import { UserError } from '../../core/errors.js';

export type Expected = 'pass' | 'fail' | 'skip' | 'warn' | 'error';

export interface TestResultSpec {
  policy: string;
  rule: string;
  resources: string[];
  resourceSpecs: { group?: string; version?: string; kind?: string; namespace?: string; name?: string }[];
  kind: string;
  result: Expected;
  operation?: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  patchedResources?: string;
  generatedResources?: string[];
  cloneSourceResource?: string;
  /** A resource missing from the patched/generated file fails the row instead of dropping it. */
  failOnMissingResources?: boolean;
}

export interface TestSpec {
  name: string;
  policies: string[];
  resources: string[];
  variables?: string;
  values?: Record<string, unknown>;
  userinfo?: string;
  exceptions: string[];
  clusterResources: string[];
  /** Existing objects mutate-existing rules (mutate.targets) patch. */
  targetResources: string[];
  apiCallResponses: Record<string, unknown>[];
  /** Mocked GlobalContextEntry data: name → value (the `data` form). */
  globalContextEntries: Record<string, unknown>;
  /** Params objects for ValidatingAdmissionPolicy / validate.cel paramRef. */
  paramResources: string[];
  /** A Context file (CEL policies): spec.resources and spec.images. */
  context?: string;
  results: TestResultSpec[];
  /** Notices to show (legacy format, unsupported fields). */
  notices: string[];
}

const TEST_FIELDS = [
  'apiVersion',
  'kind',
  'metadata',
  'policies',
  'resources',
  'variables',
  'values',
  'userinfo',
  'exceptions',
  'targetResources',
  'paramResources',
  'clusterResources',
  'context',
  'apiCallResponses',
  'globalContextEntries',
  'jsonPayloads',
  'jsonPayload',
  'httpPayloads',
  'envoyPayloads',
  'results',
];
const LEGACY_FIELDS = ['name', 'policies', 'resources', 'variables', 'userinfo', 'results'];
const RESULT_FIELDS = [
  'policy',
  'rule',
  'resources',
  'resourceSpecs',
  'kind',
  'result',
  'patchedResources',
  'generatedResource',
  'generatedResources',
  'cloneSourceResource',
  'operation',
  'failOnMissingResources',
  'isValidatingPolicy',
  'isMutatingPolicy',
  'isGeneratingPolicy',
  'isImageValidatingPolicy',
  'isValidatingAdmissionPolicy',
  'isMutatingAdmissionPolicy',
  'isDeletingPolicy',
];
const LEGACY_RESULT_FIELDS = [...RESULT_FIELDS, 'resource', 'namespace', 'status', 'patchedResource'];
const EXPECTED = new Set(['pass', 'fail', 'skip', 'warn', 'error']);

/** Go's encoding/json matches field names case-insensitively; so does Kyverno's decoder. */
function normaliseKeys(
  obj: Record<string, unknown>,
  known: readonly string[],
  where: string,
): Record<string, unknown> {
  const byLower = new Map(known.map((k) => [k.toLowerCase(), k]));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    const canonical = byLower.get(key.toLowerCase());
    if (!canonical) throw new UserError(`${where}: unknown field "${key}"`);
    out[canonical] = value;
  }
  return out;
}

function stringList(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new UserError(`${where}: must be a list`);
  return value.map((v) => {
    if (typeof v !== 'string') throw new UserError(`${where}: must be a list of strings`);
    return v;
  });
}

/** Parses one test document, normalising the legacy untyped format the way `kyverno fix test` does. */
export function parseTestDocument(content: unknown, file: string): TestSpec {
  if (!isObject(content)) throw new UserError(`${file}: a test document must be an object`);
  const legacy = content.apiVersion === undefined && content.kind === undefined;
  const notices: string[] = [];
  let doc: Record<string, unknown>;
  if (legacy) {
    doc = normaliseKeys(content, LEGACY_FIELDS, file);
    notices.push(
      `${file}: legacy test format (no apiVersion/kind, top-level name) — read by Rampart, but Kyverno 1.15+ rejects it; migrate with "kyverno fix test"`,
    );
  } else {
    doc = normaliseKeys(content, TEST_FIELDS, file);
    if (doc.kind !== 'Test')
      throw new UserError(`${file}: kind must be "Test", got ${JSON.stringify(doc.kind)}`);
  }
  const meta = isObject(doc.metadata) ? doc.metadata : {};
  const name = String((legacy ? doc.name : meta.name) ?? '');
  // Kyverno's CLI skips a test with no results (commands/test/command.go); a wrong type is still an error.
  if (doc.results === undefined || doc.results === null) doc.results = [];
  if (!Array.isArray(doc.results)) throw new UserError(`${file}: results must be a list`);
  // Kyverno's TestResult still embeds the deprecated fields (resource, namespace, status,
  // patchedResource), so typed test files may use them too.
  const results = doc.results.map((r, i) => parseResult(r, `${file}: results[${i}]`, true));
  if (
    !legacy &&
    doc.results.some((r) => isObject(r) && ('resource' in r || 'status' in r || 'patchedResource' in r))
  ) {
    notices.push(
      `${file}: results use deprecated fields (resource, namespace, status, patchedResource); prefer resources, result, patchedResources`,
    );
  }
  for (const unsupported of ['jsonPayloads']) {
    if (doc[unsupported] !== undefined)
      notices.push(`${file}: "${unsupported}" is not supported yet and was ignored`);
  }
  const exceptions = stringList(doc.exceptions, `${file}: exceptions`);
  return {
    name,
    policies: [...new Set(stringList(doc.policies, `${file}: policies`))],
    resources: stringList(doc.resources, `${file}: resources`),
    variables: typeof doc.variables === 'string' ? doc.variables : undefined,
    values: isObject(doc.values) ? doc.values : undefined,
    userinfo: typeof doc.userinfo === 'string' ? doc.userinfo : undefined,
    exceptions,
    clusterResources: stringList(doc.clusterResources, `${file}: clusterResources`),
    paramResources: stringList(doc.paramResources, `${file}: paramResources`),
    context: typeof doc.context === 'string' ? doc.context : undefined,
    targetResources: stringList(doc.targetResources, `${file}: targetResources`),
    globalContextEntries: parseGlobalContextEntries(doc.globalContextEntries, file, notices),
    apiCallResponses: Array.isArray(doc.apiCallResponses)
      ? (doc.apiCallResponses as Record<string, unknown>[])
      : [],
    results,
    notices,
  };
}

function parseResult(value: unknown, where: string, legacy: boolean): TestResultSpec {
  if (!isObject(value)) throw new UserError(`${where}: must be an object`);
  const r = normaliseKeys(value, legacy ? LEGACY_RESULT_FIELDS : RESULT_FIELDS, where);
  const resources = stringList(r.resources, `${where}.resources`);
  if (typeof r.resource === 'string') {
    resources.push(
      typeof r.namespace === 'string' && r.namespace ? `${r.namespace}/${r.resource}` : r.resource,
    );
  }
  const result = String(r.result ?? r.status ?? '').toLowerCase();
  if (!EXPECTED.has(result))
    throw new UserError(
      `${where}.result: must be pass, fail, skip, warn or error; got ${JSON.stringify(r.result ?? r.status)}`,
    );
  const op = r.operation === undefined ? undefined : String(r.operation).toUpperCase();
  if (op !== undefined && !['CREATE', 'UPDATE', 'DELETE', 'CONNECT'].includes(op)) {
    throw new UserError(`${where}.operation: must be CREATE, UPDATE, DELETE or CONNECT`);
  }
  const generated = [
    ...(typeof r.generatedResource === 'string' ? [r.generatedResource] : []),
    ...stringList(r.generatedResources, `${where}.generatedResources`),
  ];
  return {
    policy: String(r.policy ?? ''),
    rule: String(r.rule ?? ''),
    resources,
    resourceSpecs: Array.isArray(r.resourceSpecs) ? (r.resourceSpecs as TestResultSpec['resourceSpecs']) : [],
    kind: String(r.kind ?? ''),
    result: result as Expected,
    operation: op as TestResultSpec['operation'],
    patchedResources: (r.patchedResources ?? r.patchedResource) as string | undefined,
    generatedResources: generated.length ? generated : undefined,
    cloneSourceResource: r.cloneSourceResource as string | undefined,
    failOnMissingResources: r.failOnMissingResources === true,
  };
}

function parseGlobalContextEntries(value: unknown, file: string, notices: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (value === undefined || value === null) return out;
  if (!Array.isArray(value)) throw new UserError(`${file}: globalContextEntries must be a list`);
  value.forEach((e, i) => {
    if (!isObject(e) || typeof e.name !== 'string')
      throw new UserError(`${file}: globalContextEntries[${i}].name is required`);
    if ('data' in e) out[e.name] = e.data;
    else
      notices.push(
        `${file}: globalContextEntries[${i}] (${e.name}): only the data form is supported; resources/resourceFiles were ignored`,
      );
  });
  return out;
}
