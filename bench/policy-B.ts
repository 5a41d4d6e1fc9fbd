import { performance } from 'node:perf_hooks';
import { buildImagesVariable, EvalContext, substituteVariables } from '../src/policy/vars/index.js';

const ITERATIONS = 100_000;

function pod(i: number): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${i}`, namespace: 'prod', labels: { app: `app-${i % 7}`, team: 'core' } },
    spec: { containers: [{ name: 'main', image: `registry.example.com/app:${i % 13}` }] },
  };
}

/**
 * Variable substitution as validate rules use it: building the context (with the images variable)
 * and substituting a pattern, a deny condition and a message per resource.
 */
export async function bench(): Promise<void> {
  const pattern = {
    metadata: { labels: { team: '{{ request.object.metadata.labels.team }}' } },
    spec: { containers: [{ image: '!*:latest' }] },
  };
  const conditions = {
    any: [{ key: '{{ images.containers.main.tag }}', operator: 'Equals', value: 'latest' }],
  };
  const message = 'Pod {{ request.object.metadata.name }} in {{ request.namespace }} needs a pinned image';
  const start = performance.now();
  let checksum = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const object = pod(i);
    const ctx = new EvalContext({
      request: { object, operation: 'CREATE', namespace: 'prod' },
      images: buildImagesVariable(object),
    });
    ctx.checkpoint();
    ctx.set('element', object.spec);
    const p = substituteVariables(pattern, ctx, '/validate/pattern');
    const c = substituteVariables(conditions, ctx, '/validate/deny/conditions');
    const m = substituteVariables(message, ctx, '/validate/message');
    ctx.restore();
    checksum += (m as string).length + JSON.stringify(p).length + JSON.stringify(c).length;
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `policy vars: ${ITERATIONS} resources × 3 substitutions in ${seconds.toFixed(2)} s = ${Math.round((ITERATIONS * 3) / seconds)} substitutions/s (checksum ${checksum})`,
  );
}
