/**
 * Gatekeeper throughput: 50 constraints of 10 CEL (K8sNativeValidation) ConstraintTemplates, with
 * parameters, over 10,000 Pods and Deployments (Deployments reviewed as their Pods through an
 * ExpansionTemplate), through the engine. Prints load time, constraint reviews per second and CEL
 * expression evaluations per second. `GATEKEEPER_BENCH_RESOURCES` bounds the resource count.
 */
import type { Document } from '../src/core/document.js';
import { compileCel, evaluationCount } from '../src/policy/cel/index.js';
import { evaluate } from '../src/policy/engine/evaluate.js';
import { loadPolicyDocuments } from '../src/policy/parse.js';
import { resources } from './cel.js';

const origin = { file: 'bench', line: 1, column: 1, index: 0 };
const spec = 'variables.anyObject.spec';

/** [kind, validation expression, parameters schema properties, parameters per constraint]. */
const TEMPLATES: [string, string, Record<string, unknown>, (i: number) => Record<string, unknown>][] = [
  [
    'BenchDisallowedTags',
    `${spec}.containers.all(c, !variables.params.tags.exists(t, c.image.endsWith(':' + t)))`,
    { tags: { type: 'array', items: { type: 'string' } } },
    (i) => ({ tags: ['latest', `dev${i}`] }),
  ],
  [
    'BenchRequiredLabels',
    'variables.params.labels.all(l, has(variables.anyObject.metadata.labels) && l in variables.anyObject.metadata.labels)',
    { labels: { type: 'array', items: { type: 'string' } } },
    (i) => ({ labels: i % 2 ? ['app'] : ['app', 'team'] }),
  ],
  [
    'BenchMemoryLimit',
    `${spec}.containers.all(c, quantity(c.?resources.?limits.?memory.orValue('0')).compareTo(quantity(variables.params.max)) <= 0)`,
    { max: { type: 'string' } },
    (i) => ({ max: `${(i % 4) + 3}Gi` }),
  ],
  ['BenchNoHostNetwork', `!has(${spec}.hostNetwork) || ${spec}.hostNetwork == false`, {}, () => ({})],
  [
    'BenchNoPrivileged',
    `${spec}.containers.all(c, !has(c.securityContext) || !has(c.securityContext.privileged) || !c.securityContext.privileged)`,
    {},
    () => ({}),
  ],
  [
    'BenchAllowedRepos',
    `${spec}.containers.all(c, variables.params.repos.exists(r, c.image.startsWith(r)))`,
    { repos: { type: 'array', items: { type: 'string' } } },
    (i) => ({ repos: ['ghcr.io/acme/', `registry-${i}.example.com/`] }),
  ],
  [
    'BenchMaxContainers',
    `size(${spec}.containers) <= variables.params.max`,
    { max: { type: 'integer' } },
    (i) => ({ max: (i % 3) + 1 }),
  ],
  ['BenchNoHostPath', `!has(${spec}.volumes) || ${spec}.volumes.all(v, !has(v.hostPath))`, {}, () => ({})],
  [
    'BenchRunAsNonRoot',
    `${spec}.?securityContext.?runAsNonRoot.orValue(false) || ${spec}.containers.all(c, c.?securityContext.?runAsNonRoot.orValue(false))`,
    {},
    () => ({}),
  ],
  [
    'BenchImagePattern',
    `${spec}.containers.all(c, c.image.matches('^[a-z0-9.-]+(/[a-z0-9._-]+)+(:[a-zA-Z0-9._-]+)?$'))`,
    {},
    () => ({}),
  ],
];

function doc(content: Record<string, unknown>, id: string): Document {
  return { id, origin, format: 'kubernetes', content };
}

export function gatekeeperDocs(constraintsPerTemplate: number): Document[] {
  const docs: Document[] = [];
  for (const [kind, expression, properties, params] of TEMPLATES) {
    docs.push(
      doc(
        {
          apiVersion: 'templates.gatekeeper.sh/v1',
          kind: 'ConstraintTemplate',
          metadata: { name: kind.toLowerCase() },
          spec: {
            crd: {
              spec: { names: { kind }, validation: { openAPIV3Schema: { type: 'object', properties } } },
            },
            targets: [
              {
                target: 'admission.k8s.gatekeeper.sh',
                code: [
                  {
                    engine: 'K8sNativeValidation',
                    source: {
                      validations: [
                        {
                          expression,
                          messageExpression: `'${kind} violated by ' + variables.anyObject.kind`,
                        },
                      ],
                    },
                  },
                ],
              },
            ],
          },
        },
        kind,
      ),
    );
    for (let i = 0; i < constraintsPerTemplate; i++)
      docs.push(
        doc(
          {
            apiVersion: 'constraints.gatekeeper.sh/v1beta1',
            kind,
            metadata: { name: `${kind.toLowerCase()}-${i}` },
            spec: {
              enforcementAction: ['deny', 'dryrun', 'warn'][i % 3],
              match: { kinds: [{ apiGroups: [''], kinds: ['Pod'] }], excludedNamespaces: ['kube-*'] },
              parameters: params(i),
            },
          },
          `${kind}-${i}`,
        ),
      );
  }
  docs.push(
    doc(
      {
        apiVersion: 'expansion.gatekeeper.sh/v1alpha1',
        kind: 'ExpansionTemplate',
        metadata: { name: 'expand-deployments' },
        spec: {
          applyTo: [{ groups: ['apps'], kinds: ['Deployment'], versions: ['v1'] }],
          templateSource: 'spec.template',
          generatedGVK: { kind: 'Pod', group: '', version: 'v1' },
        },
      },
      'expansion',
    ),
  );
  return docs;
}

export async function bench(): Promise<void> {
  const resourceCount = Number(process.env.GATEKEEPER_BENCH_RESOURCES ?? 10_000);
  compileCel('true', { policy: 'warm-up', field: 'x' });
  const t0 = performance.now();
  const loaded = loadPolicyDocuments(gatekeeperDocs(5));
  const loadMs = performance.now() - t0;
  if (loaded.invalid.length)
    throw new Error(`bench constraints invalid: ${loaded.invalid[0]?.error.message}`);
  const constraints = loaded.policies.length;
  console.log(
    `load: ${TEMPLATES.length} templates + ${constraints} constraints in ${loadMs.toFixed(1)} ms (${(loadMs / constraints).toFixed(3)} ms per constraint)`,
  );
  const res = resources(resourceCount);
  const before = evaluationCount();
  const t1 = performance.now();
  const results = evaluate(loaded.policies, res, {});
  const ms = performance.now() - t1;
  const evaluations = evaluationCount() - before;
  const statuses = new Map<string, number>();
  for (const r of results) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
  const reviews = constraints * resourceCount;
  console.log(
    `engine: ${constraints} constraints x ${resourceCount} resources (half Deployments, expanded to Pods): ${results.length} results (${[...statuses].map(([k, v]) => `${k} ${v}`).join(', ')}) in ${(ms / 1000).toFixed(2)} s`,
  );
  console.log(
    `engine: ${Math.round(reviews / (ms / 1000)).toLocaleString('en-US')} constraint reviews/s, ${Math.round(evaluations / (ms / 1000)).toLocaleString('en-US')} CEL evaluations/s (${evaluations} evaluations, one core)`,
  );
}
