/**
 * The packs' parameters and their defaults: rampart.yaml's `parameters` section may set exactly these.
 * Kyverno policies read them as `rampart.<name>` variables, TypeScript rules from their context.
 */
export const DEFAULT_PARAMETERS: Record<string, unknown> = {
  requiredLabels: ['team'],
  requiredAnnotations: ['owner', 'cost-center'],
  productionNamespaces: ['prod', 'production', 'prd'],
  criticalLabels: ['critical'],
  sidecarContainers: [
    'istio-proxy',
    'linkerd-proxy',
    'fluent-bit',
    'fluentd',
    'vector',
    'datadog-agent',
    'envoy',
  ],
  maxLimitRequestRatio: 4,
  maxCpuRequest: '16',
  maxMemoryRequest: '64Gi',
  flagCpuLimits: true,
};
