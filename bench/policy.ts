import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Document } from '../src/core/document.js';
import { evaluate } from '../src/policy/engine/evaluate.js';
import type { Policy } from '../src/policy/model/types.js';
import { parsePolicy } from '../src/policy/parse.js';

const origin = { file: 'bench', line: 1, column: 1, index: 0 };

/** A realistic mix: one third pattern rules, one third deny rules with JMESPath, one third foreach. */
export function makePolicies(count: number): Policy[] {
  const policies: Policy[] = [];
  for (let i = 0; i < count; i++) {
    let validate: Record<string, unknown>;
    switch (i % 3) {
      case 0:
        validate = {
          message: `label l${i} required`,
          pattern: {
            metadata: { labels: { [`team`]: '?*' } },
            spec: { containers: [{ image: '!*:latest', name: '*' }] },
          },
        };
        break;
      case 1:
        validate = {
          message: 'replicas {{ request.object.metadata.name }}',
          deny: {
            conditions: {
              any: [
                { key: '{{ request.object.spec.hostNetwork || `false` }}', operator: 'Equals', value: true },
                {
                  key: "{{ request.object.metadata.labels.tier || '' }}",
                  operator: 'AnyIn',
                  value: ['forbidden', `bad-${i}`],
                },
              ],
            },
          },
        };
        break;
      default:
        validate = {
          message: 'container {{ element.name }} needs requests',
          foreach: [
            {
              list: 'request.object.spec.containers',
              deny: {
                conditions: {
                  any: [
                    { key: "{{ element.resources.requests.memory || '' }}", operator: 'Equals', value: '' },
                  ],
                },
              },
            },
          ],
        };
    }
    policies.push(
      parsePolicy({
        content: {
          apiVersion: 'kyverno.io/v1',
          kind: 'ClusterPolicy',
          metadata: {
            name: `bench-${i}`,
            annotations: { 'pod-policies.kyverno.io/autogen-controllers': 'none' },
          },
          spec: { rules: [{ name: 'r', match: { any: [{ resources: { kinds: ['Pod'] } }] }, validate }] },
        },
        origin,
      }),
    );
  }
  return policies;
}

export function makeResources(count: number): Document[] {
  const docs: Document[] = [];
  for (let i = 0; i < count; i++) {
    docs.push({
      id: `r${i}`,
      origin: { ...origin, index: i },
      format: 'kubernetes',
      content: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `pod-${i}`,
          namespace: `ns-${i % 50}`,
          labels: i % 7 ? { team: 'a', tier: 'web' } : {},
        },
        spec: {
          hostNetwork: i % 11 === 0,
          containers: [
            {
              name: 'app',
              image: i % 5 ? 'registry/app:1.2.3' : 'registry/app:latest',
              resources: { requests: { memory: '64Mi' } },
            },
            { name: 'sidecar', image: 'envoy:v1', resources: i % 3 ? { requests: { memory: '32Mi' } } : {} },
          ],
        },
      },
    });
  }
  return docs;
}

function timeCommand(args: string[], runs: number): number {
  const bin = fileURLToPath(new URL('../../bin/rampart.js', import.meta.url));
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    spawnSync(process.execPath, [bin, ...args], { stdio: 'ignore' });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export async function bench(): Promise<void> {
  const policies = makePolicies(100);
  const resources = makeResources(10_000);
  // Warm up the JIT on a slice, then measure the whole run.
  evaluate(policies, resources.slice(0, 200));
  const started = performance.now();
  const results = evaluate(policies, resources);
  const seconds = (performance.now() - started) / 1000;
  const evaluations = policies.length * resources.length;
  console.log(
    `policy engine: ${policies.length} policies × ${resources.length} resources = ${evaluations.toLocaleString('en-US')} rule evaluations`,
  );
  console.log(
    `  ${seconds.toFixed(2)} s wall on one core, ${Math.round(evaluations / seconds).toLocaleString('en-US')} rule evaluations/s`,
  );
  console.log(
    `  results: ${results.length.toLocaleString('en-US')} (fail ${results.filter((r) => r.status === 'fail').length.toLocaleString('en-US')})`,
  );

  const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-'));
  try {
    writeFileSync(
      join(dir, 'policy.yaml'),
      'apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: p}\nspec:\n  rules:\n    - name: r\n      match: {any: [{resources: {kinds: [Pod]}}]}\n      validate: {message: m, pattern: {metadata: {labels: {team: "?*"}}}}\n',
    );
    writeFileSync(
      join(dir, 'pod.yaml'),
      'apiVersion: v1\nkind: Pod\nmetadata: {name: a, labels: {team: x}}\nspec: {containers: [{name: c, image: i}]}\n',
    );
    writeFileSync(
      join(dir, 'kyverno-test.yaml'),
      'apiVersion: cli.kyverno.io/v1alpha1\nkind: Test\nmetadata: {name: t}\npolicies: [policy.yaml]\nresources: [pod.yaml]\nresults:\n  - {policy: p, rule: r, resources: [a], kind: Pod, result: pass}\n',
    );
    console.log(`start-up: rampart --version median ${timeCommand(['--version'], 7).toFixed(0)} ms`);
    console.log(`start-up: rampart test (one policy) median ${timeCommand(['test', dir], 7).toFixed(0)} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
