import type { Document } from '../src/core/document.js';
import { evaluateResources } from '../src/policy/engine/evaluate.js';
import type { Policy } from '../src/policy/model/types.js';
import { parsePolicy } from '../src/policy/parse.js';

const origin = { file: 'bench', line: 1, column: 1, index: 0 };
const match = { any: [{ resources: { kinds: ['Pod'] } }] };

/**
 * 50 mutate policies, a realistic mix: strategic merge with +() defaults and variables, strategic merge
 * with a conditional list anchor, an RFC 6902 patch, and foreach over containers with a JSON patch.
 */
export function makeMutatePolicies(count: number): Policy[] {
  const policies: Policy[] = [];
  for (let i = 0; i < count; i++) {
    let mutate: Record<string, unknown>;
    switch (i % 4) {
      case 0:
        mutate = {
          patchStrategicMerge: {
            metadata: { labels: { [`+(default-${i})`]: '{{ request.object.metadata.namespace }}' } },
            spec: { securityContext: { '+(runAsNonRoot)': true } },
          },
        };
        break;
      case 1:
        mutate = {
          patchStrategicMerge: {
            spec: { containers: [{ '(image)': '*:latest', imagePullPolicy: 'Always' }] },
          },
        };
        break;
      case 2:
        mutate = { patchesJson6902: `- op: add\n  path: /metadata/annotations/p${i}\n  value: "on"` };
        break;
      default:
        mutate = {
          foreach: [
            {
              list: 'request.object.spec.containers',
              patchesJson6902: `- op: add\n  path: /spec/containers/{{elementIndex}}/env\n  value: [{name: P${i}, value: "1"}]`,
            },
          ],
        };
    }
    policies.push(
      parsePolicy({
        content: {
          apiVersion: 'kyverno.io/v1',
          kind: 'ClusterPolicy',
          metadata: { name: `mutate-${i}` },
          spec: { rules: [{ name: `r${i}`, match, mutate }] },
        },
        origin,
      }),
    );
  }
  return policies;
}

export function makePods(count: number): Document[] {
  const docs: Document[] = [];
  for (let i = 0; i < count; i++) {
    docs.push({
      id: `pod-${i}`,
      origin: { file: 'pods.yaml', line: i * 20 + 1, column: 1, index: i },
      format: 'kubernetes',
      content: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `pod-${i}`,
          namespace: `ns-${i % 10}`,
          labels: { app: `app-${i % 50}` },
          annotations: {},
        },
        spec: {
          containers: [
            { name: 'app', image: i % 2 ? 'nginx:latest' : 'nginx:1.27', ports: [{ containerPort: 8080 }] },
            { name: 'sidecar', image: 'envoy:1.30' },
          ],
        },
      },
    });
  }
  return docs;
}

export async function bench(): Promise<void> {
  const policies = makeMutatePolicies(50);
  const pods = makePods(10_000);
  // Warm-up on a slice so JIT and caches settle.
  evaluateResources(policies, pods.slice(0, 200));
  const started = performance.now();
  const response = evaluateResources(policies, pods);
  const seconds = (performance.now() - started) / 1000;
  let applications = 0;
  let patched = 0;
  for (const r of response.resources) {
    applications += r.ruleResponses.length;
    if (r.patchedResource) patched++;
  }
  console.log(`mutate: 50 policies x ${pods.length} Pods in ${seconds.toFixed(2)} s (${patched} patched)`);
  console.log(`mutate: ${(pods.length / seconds).toFixed(0)} resources/s`);
  console.log(
    `mutate: ${(applications / seconds).toFixed(0)} rule applications/s (target >= 75000 on one core)`,
  );
}
