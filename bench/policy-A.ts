import { performance } from 'node:perf_hooks';
import { evaluateConditions } from '../src/policy/conditions/index.js';
import { matchesRule } from '../src/policy/match/index.js';
import { matchPattern } from '../src/policy/pattern/index.js';

const ITERATIONS = 200_000;

function pod(i: number): Record<string, any> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `web-${i}`,
      namespace: i % 2 ? 'prod' : 'dev',
      labels: { app: 'web', tier: 'frontend' },
    },
    spec: {
      hostNetwork: false,
      containers: [
        {
          name: 'app',
          image: i % 3 ? 'registry.example.com/web:1.2.3' : 'nginx:latest',
          resources: { limits: { memory: '512Mi', cpu: '500m' } },
          securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false },
        },
        { name: 'sidecar', image: 'envoy:1.30', resources: { limits: { memory: '128Mi', cpu: '100m' } } },
      ],
    },
  };
}

const pattern = {
  metadata: { labels: { app: '?*' } },
  spec: {
    '=(hostNetwork)': false,
    containers: [
      {
        name: '*',
        image: '!*:latest',
        resources: { limits: { memory: '<=1Gi', cpu: '<=2' } },
        '=(securityContext)': { '=(allowPrivilegeEscalation)': false },
      },
    ],
  },
};
const rule = {
  name: 'r',
  match: { any: [{ resources: { kinds: ['Pod', 'apps/v1/Deployment'], namespaces: ['prod', 'dev'] } }] },
  exclude: { any: [{ resources: { namespaces: ['kube-*'] } }] },
};
const conditions = {
  all: [
    { key: 'CREATE', operator: 'AnyIn', value: ['CREATE', 'UPDATE'] },
    { key: '512Mi', operator: 'LessThanOrEquals', value: '1Gi' },
  ],
};

function measure(label: string, fn: (i: number) => unknown): void {
  const resources = Array.from({ length: 100 }, (_, i) => pod(i));
  for (let i = 0; i < 5000; i++) fn(i); // warm-up
  const start = performance.now();
  let sink = 0;
  for (let i = 0; i < ITERATIONS; i++) if (fn(i % resources.length)) sink++;
  const ms = performance.now() - start;
  console.log(
    `${label}: ${Math.round((ITERATIONS / ms) * 1000).toLocaleString('en-US')} ops/s (${sink >= 0 ? 'ok' : ''})`,
  );
}

/** Throughput of the match, pattern and condition primitives on a realistic Pod. */
export async function bench(): Promise<void> {
  const resources = Array.from({ length: 100 }, (_, i) => pod(i));
  measure('policy-A matchPattern', (i) => matchPattern(resources[i], pattern).status === 'pass');
  measure(
    'policy-A matchesRule',
    (i) => matchesRule(rule, { resource: resources[i]!, operation: 'CREATE' }).matched,
  );
  measure('policy-A evaluateConditions', () => evaluateConditions(conditions, (v) => v).passed);
}

if (import.meta.url === `file://${process.argv[1]}`) await bench();
