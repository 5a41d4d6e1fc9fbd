/**
 * CEL throughput: 100 CEL policies (a third each validate.cel ClusterPolicies, ValidatingPolicies and
 * ValidatingAdmissionPolicies) over 10,000 Pods and Deployments, compiled once. Prints the per-policy compile
 * time and expression evaluations per second, end to end through the engine and for the bare programs.
 */
import type { Document } from '../src/core/document.js';
import { compileCel, evaluationCount, serviceVariables, toCel } from '../src/policy/cel/index.js';
import { evaluate } from '../src/policy/engine/evaluate.js';
import { loadPolicyDocuments } from '../src/policy/parse.js';

const origin = { file: 'bench', line: 1, column: 1, index: 0 };

/** Expressions in the style of the Kyverno policy library; `object.spec` is a Pod spec. */
const EXPRESSIONS = [
  "object.spec.containers.all(c, !c.image.endsWith(':latest'))",
  "has(object.metadata.labels) && 'team' in object.metadata.labels",
  'object.spec.containers.all(c, has(c.resources) && has(c.resources.limits) && has(c.resources.limits.memory))',
  // (expressions are written defensively, as library policies are: errors are rare in real runs)
  '!has(object.spec.hostNetwork) || object.spec.hostNetwork == false',
  'object.spec.containers.all(c, !has(c.securityContext) || !has(c.securityContext.privileged) || c.securityContext.privileged == false)',
  'object.spec.?securityContext.?runAsNonRoot.orValue(false) || object.spec.containers.all(c, c.?securityContext.?runAsNonRoot.orValue(false))',
  "object.spec.containers.all(c, c.image.matches('^[a-z0-9.-]+(/[a-z0-9._-]+)+(:[a-zA-Z0-9._-]+)?$'))",
  "object.spec.containers.all(c, quantity(c.?resources.?limits.?memory.orValue('0')).compareTo(quantity('4Gi')) <= 0)",
  'size(object.spec.containers) <= 8 && object.spec.containers.map(c, c.name).all(n, n.size() < 64)',
  '!has(object.spec.volumes) || object.spec.volumes.all(v, !has(v.hostPath))',
];

const podRule = {
  apiGroups: [''],
  apiVersions: ['v1'],
  operations: ['CREATE', 'UPDATE'],
  resources: ['pods'],
};

/**
 * `distinct`: every expression text differs (a `&& N >= 0` suffix), so no policy reuses another's compiled
 * program — the compile cost of a library whose policies share nothing.
 */
export function policyDocs(count: number, distinct = false): Document[] {
  const docs: Document[] = [];
  for (let i = 0; i < count; i++) {
    const suffix = distinct ? ` && ${i} >= 0` : '';
    const a = `${EXPRESSIONS[i % EXPRESSIONS.length] as string}${suffix}`;
    const b = `${EXPRESSIONS[(i + 3) % EXPRESSIONS.length] as string}${suffix}`;
    let content: Record<string, unknown>;
    if (i % 3 === 0) {
      content = {
        apiVersion: 'kyverno.io/v1',
        kind: 'ClusterPolicy',
        metadata: { name: `cel-${i}` },
        spec: {
          rules: [
            {
              name: 'check',
              match: { any: [{ resources: { kinds: ['Pod'] } }] },
              validate: {
                failureAction: 'Audit',
                cel: { expressions: [{ expression: a }, { expression: b }] },
              },
            },
          ],
        },
      };
    } else if (i % 3 === 1) {
      content = {
        apiVersion: 'policies.kyverno.io/v1',
        kind: 'ValidatingPolicy',
        metadata: { name: `vpol-${i}` },
        spec: {
          matchConstraints: { resourceRules: [podRule] },
          validations: [{ expression: a }, { expression: b }],
        },
      };
    } else {
      // VAPs do not autogen: match Deployments and read the template.
      const rewrite = (e: string) =>
        e
          .replaceAll('object.spec', 'object.spec.template.spec')
          .replaceAll('object.metadata', 'object.spec.template.metadata');
      content = {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name: `vap-${i}` },
        spec: {
          matchConstraints: {
            resourceRules: [
              {
                apiGroups: ['apps'],
                apiVersions: ['v1'],
                operations: ['CREATE', 'UPDATE'],
                resources: ['deployments'],
              },
            ],
          },
          validations: [{ expression: rewrite(a) }, { expression: rewrite(b) }],
        },
      };
    }
    docs.push({ id: `p${i}`, origin, format: 'kubernetes', content });
  }
  return docs;
}

function podSpec(i: number): Record<string, unknown> {
  return {
    hostNetwork: i % 17 === 0,
    containers: [
      {
        name: 'app',
        image: i % 5 === 0 ? 'nginx:latest' : `ghcr.io/acme/app-${i % 50}:1.${i % 9}`,
        resources: { limits: { memory: `${(i % 6) + 1}Gi`, cpu: '1' } },
      },
      {
        name: 'sidecar',
        image: 'ghcr.io/acme/proxy:2.1',
        securityContext: { runAsNonRoot: true, privileged: i % 23 === 0 },
      },
    ],
  };
}

export function resources(count: number): Document[] {
  const docs: Document[] = [];
  for (let i = 0; i < count; i++) {
    const labels = i % 4 === 0 ? { app: `a${i}` } : { app: `a${i}`, team: `t${i % 7}` };
    const content =
      i % 2 === 0
        ? {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: `pod-${i}`, namespace: `ns-${i % 20}`, labels },
            spec: podSpec(i),
          }
        : {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: `deploy-${i}`, namespace: `ns-${i % 20}`, labels },
            spec: {
              replicas: 2,
              selector: { matchLabels: labels },
              template: { metadata: { labels }, spec: podSpec(i) },
            },
          };
    docs.push({ id: `r${i}`, origin: { ...origin, index: i }, format: 'kubernetes', content });
  }
  return docs;
}

export async function bench(): Promise<void> {
  const policyCount = 100;
  const resourceCount = Number(process.env.CEL_BENCH_RESOURCES ?? 10_000);
  const docs = policyDocs(policyCount);

  // Warm the environment once so the first policy does not pay for building the function library.
  compileCel('true', { policy: 'warm-up', field: 'x' });
  const t0 = performance.now();
  const loaded = loadPolicyDocuments(docs);
  const compileMs = performance.now() - t0;
  if (loaded.invalid.length) throw new Error(`bench policies invalid: ${loaded.invalid[0]?.error.message}`);
  // Loading fresh copies again: what a long-running process (scan workers, a server) pays per policy.
  const fresh = policyDocs(policyCount).map((d) => ({ ...d, content: structuredClone(d.content) }));
  const t0b = performance.now();
  loadPolicyDocuments(fresh);
  const warmMs = performance.now() - t0b;
  // Expressions are compiled once per text: a library whose 200 expressions are all different pays full price.
  const distinct = policyDocs(policyCount, true);
  const t0c = performance.now();
  const loadedDistinct = loadPolicyDocuments(distinct);
  const distinctMs = performance.now() - t0c;
  if (loadedDistinct.invalid.length) throw new Error('bench policies (distinct) invalid');
  console.log(
    `compile: ${policyCount} policies (${loaded.policies.length} loaded): first load ${(compileMs / policyCount).toFixed(3)} ms per policy, warm ${(warmMs / policyCount).toFixed(3)} ms per policy, all expressions distinct ${(distinctMs / policyCount).toFixed(3)} ms per policy`,
  );

  const res = resources(resourceCount);
  const before = evaluationCount();
  const t1 = performance.now();
  const responses = evaluate(loaded.policies, res, {});
  const evalMs = performance.now() - t1;
  const evaluations = evaluationCount() - before;
  const statuses = new Map<string, number>();
  for (const r of responses) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
  console.log(
    `engine: ${policyCount} policies x ${resourceCount} resources: ${responses.length} results (${[...statuses].map(([k, v]) => `${k} ${v}`).join(', ')}) in ${(evalMs / 1000).toFixed(2)} s`,
  );
  console.log(
    `engine: ${evaluations} expression evaluations = ${Math.round(evaluations / (evalMs / 1000)).toLocaleString('en-US')} evaluations/s (one core)`,
  );

  // The bare programs, without matching, activation building or result objects.
  const programs = EXPRESSIONS.map((e, i) => compileCel(e, { policy: 'bench', field: `expressions[${i}]` }));
  const activations = res
    .filter((d) => (d.content as Record<string, unknown>).kind === 'Pod')
    .slice(0, 2000)
    .map((d) => ({ ...serviceVariables(), object: toCel(d.content) }));
  let n = 0;
  const t2 = performance.now();
  for (let round = 0; round < 20; round++)
    for (const a of activations)
      for (const p of programs) {
        p.evaluate(a);
        n++;
      }
  const bareMs = performance.now() - t2;
  console.log(
    `programs: ${n} evaluations in ${bareMs.toFixed(0)} ms = ${Math.round(n / (bareMs / 1000)).toLocaleString('en-US')} evaluations/s (one core)`,
  );
  console.log('targets: >= 100,000 evaluations/s, compile < 2 ms per policy');
}
