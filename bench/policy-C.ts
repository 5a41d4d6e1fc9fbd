import { evaluatePodSecurity, type PodSecuritySpec } from '../src/policy/podsecurity/index.js';

/** Pods of varied shape: compliant, privileged, host-namespaced, with init containers and volumes. */
function makePods(count: number): Record<string, unknown>[] {
  const pods: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const secure = {
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
      capabilities: { drop: ['ALL'] },
    };
    const containers = [
      {
        name: 'app',
        image: `registry.example/app-${i % 50}:1.${i % 7}`,
        securityContext: i % 3 === 0 ? secure : { privileged: i % 2 === 0 },
      },
      {
        name: 'sidecar',
        image: 'registry.example/proxy:2',
        ports: [{ containerPort: 15001, hostPort: i % 5 === 0 ? 15001 : 0 }],
      },
    ];
    pods.push({
      apiVersion: 'v1',
      kind: i % 4 === 0 ? 'Pod' : 'Deployment',
      metadata: { name: `p${i}`, namespace: 'bench' },
      ...(i % 4 === 0
        ? {
            spec: {
              hostNetwork: i % 8 === 0,
              containers,
              initContainers: [{ name: 'init', image: 'busybox' }],
              volumes: [{ name: 'v', emptyDir: {} }],
            },
          }
        : {
            spec: {
              template: {
                metadata: {},
                spec: { containers, volumes: [{ name: 'h', hostPath: { path: '/var/log' } }] },
              },
            },
          }),
    });
  }
  return pods;
}

/** Pod Security evaluations per second on one core, over a bounded number of pods. */
export async function bench(): Promise<void> {
  const pods = makePods(2_000);
  const specs: PodSecuritySpec[] = [
    { level: 'baseline', version: 'latest' },
    { level: 'restricted', version: 'latest' },
    {
      level: 'restricted',
      version: 'v1.25',
      exclude: [{ controlName: 'Capabilities', images: ['registry.example/*'] }],
    },
  ];
  for (const spec of specs) for (const pod of pods) evaluatePodSecurity(pod, spec); // warm-up
  for (const spec of specs) {
    let failed = 0;
    const rounds = 5;
    const started = performance.now();
    for (let r = 0; r < rounds; r++) {
      for (const pod of pods) if (!evaluatePodSecurity(pod, spec).allowed) failed++;
    }
    const seconds = (performance.now() - started) / 1000;
    const n = pods.length * rounds;
    const label = `${spec.level}:${spec.version}${spec.exclude ? ' +exclude' : ''}`;
    console.log(
      `podSecurity ${label}: ${Math.round(n / seconds).toLocaleString('en-US')} evaluations/s (${n} pods, ${failed} failed)`,
    );
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) await bench();
