import { readFileSync } from 'node:fs';
import { UserError } from '../core/errors.js';
import { MIB, parseCpu, parseMemory } from '../core/units/resources.js';
import { DEFAULT_PRICES, type Prices } from './analysis.js';
import { applyOverrides, DEFAULT_LABELS, DEFAULT_SERIES } from './config.js';
import type { RightsizeOptions } from './index.js';
import type { PrometheusOptions } from './prometheus.js';
import { parseSelector } from './selector.js';
import { simpleStrategy } from './strategies/simple.js';
import { PROFILES, type Profile, targetUtilizationStrategy } from './strategies/target-utilization.js';
import type { Strategy } from './strategies/types.js';
import { VPA_DEFAULTS, vpaStrategy } from './strategies/vpa.js';
import { parseDuration, parseTime } from './units.js';

export const OUTPUT_FORMATS = ['table', 'json', 'csv', 'yaml', 'html'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
export const STRATEGIES = ['simple', 'target-utilization', 'vpa'] as const;

/** node:util parseArgs options for `rampart rightsize`. */
export const FLAG_SPEC = {
  help: { type: 'boolean', short: 'h' },
  prometheus: { type: 'string', short: 'p' },
  demo: { type: 'boolean' },
  // krr's spelling, accepted so commands copied from krr work.
  'prometheus-url': { type: 'string' },
  'bearer-token': { type: 'string' },
  'bearer-token-file': { type: 'string' },
  'basic-auth': { type: 'string' },
  header: { type: 'string', multiple: true },
  'ca-file': { type: 'string' },
  'insecure-skip-tls-verify': { type: 'boolean' },
  timeout: { type: 'string' },
  retries: { type: 'string' },
  concurrency: { type: 'string' },
  strategy: { type: 'string', short: 's' },
  window: { type: 'string' },
  step: { type: 'string' },
  at: { type: 'string' },
  'cpu-percentile': { type: 'string' },
  'memory-buffer': { type: 'string' },
  'min-cpu': { type: 'string' },
  'min-memory': { type: 'string' },
  'points-required': { type: 'string' },
  'use-oomkill-data': { type: 'boolean' },
  'oom-memory-buffer': { type: 'string' },
  'allow-hpa': { type: 'boolean' },
  profile: { type: 'string' },
  'target-cpu-utilization': { type: 'string' },
  'target-memory-utilization': { type: 'string' },
  quantile: { type: 'string' },
  namespace: { type: 'string', short: 'n', multiple: true },
  'exclude-namespace': { type: 'string', multiple: true },
  selector: { type: 'string', short: 'l' },
  'workload-kind': { type: 'string', multiple: true },
  series: { type: 'string', multiple: true },
  label: { type: 'string', multiple: true },
  'extra-selector': { type: 'string' },
  'max-series-per-query': { type: 'string' },
  'startup-period': { type: 'string' },
  'cpu-price': { type: 'string' },
  'memory-price': { type: 'string' },
  output: { type: 'string', short: 'o' },
  'output-file': { type: 'string' },
  'patch-dir': { type: 'string' },
  'helm-values': { type: 'boolean' },
  vpa: { type: 'boolean' },
  'vpa-update-mode': { type: 'string' },
  'fail-on': { type: 'string' },
  'no-progress': { type: 'boolean' },
} as const;

export type FlagValues = {
  [K in keyof typeof FLAG_SPEC]?: (typeof FLAG_SPEC)[K] extends { multiple: true }
    ? string[]
    : (typeof FLAG_SPEC)[K] extends { type: 'boolean' }
      ? boolean
      : string;
};

function num(
  value: string | undefined,
  flag: string,
  fallback: number,
  check: (n: number) => boolean,
  hint: string,
) {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n)) {
    throw new UserError(`--${flag} must be ${hint}, got "${value}"`);
  }
  return n;
}

const fraction = (v: string | undefined, flag: string, fallback: number) =>
  num(v, flag, fallback, (n) => n > 0 && n <= 1, 'a number in (0, 1]');

function readFile(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(`--${flag}: cannot read ${path}: ${(error as Error).message}`);
  }
}

export function prometheusOptions(v: FlagValues): PrometheusOptions {
  if (v.prometheus !== undefined && v['prometheus-url'] !== undefined && v.prometheus !== v['prometheus-url'])
    throw new UserError('rightsize: --prometheus and --prometheus-url name the same setting; give one');
  const url = v.prometheus ?? v['prometheus-url'] ?? process.env.RAMPART_PROMETHEUS_URL;
  if (!url) throw new UserError('rightsize: --prometheus URL is required (or set RAMPART_PROMETHEUS_URL)');
  const headers: Record<string, string> = {};
  for (const h of v.header ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) throw new UserError(`--header must look like "Name: value", got "${h}"`);
    headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  const auth = (['bearer-token', 'bearer-token-file', 'basic-auth'] as const).filter(
    (f) => v[f] !== undefined,
  );
  if (auth.length > 1)
    throw new UserError(
      `rightsize: --${auth[0]} and --${auth[1]} contradict each other: give one way to authenticate`,
    );
  let basicAuth: PrometheusOptions['basicAuth'];
  if (v['basic-auth'] !== undefined) {
    const i = v['basic-auth'].indexOf(':');
    if (i < 0) throw new UserError('--basic-auth must look like USER:PASSWORD');
    basicAuth = { username: v['basic-auth'].slice(0, i), password: v['basic-auth'].slice(i + 1) };
  }
  const token =
    v['bearer-token'] ??
    (v['bearer-token-file'] ? readFile(v['bearer-token-file'], 'bearer-token-file').trim() : undefined);
  return {
    url,
    bearerToken: token,
    basicAuth,
    headers,
    ca: v['ca-file'] ? readFile(v['ca-file'], 'ca-file') : undefined,
    insecureSkipTlsVerify: v['insecure-skip-tls-verify'] ?? false,
    timeoutMs: v.timeout ? parseDuration(v.timeout, 'timeout') * 1000 : 120_000,
    retries: num(v.retries, 'retries', 3, (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer'),
    concurrency: num(
      v.concurrency,
      'concurrency',
      4,
      (n) => Number.isInteger(n) && n >= 1,
      'a positive integer',
    ),
  };
}

export function buildStrategy(v: FlagValues, stepSeconds: number): Strategy {
  const name = v.strategy ?? 'simple';
  if (!(STRATEGIES as readonly string[]).includes(name)) {
    throw new UserError(`--strategy must be one of ${STRATEGIES.join(', ')}; got "${name}"`);
  }
  // Flags of one strategy given with another would be silently ignored: say so instead.
  const only: Record<string, readonly (keyof FlagValues)[]> = {
    simple: ['cpu-percentile', 'memory-buffer', 'use-oomkill-data', 'oom-memory-buffer'],
    'target-utilization': ['profile', 'target-cpu-utilization', 'target-memory-utilization', 'quantile'],
  };
  for (const [strategy, flags] of Object.entries(only)) {
    const given = strategy === name ? [] : flags.filter((f) => v[f] !== undefined);
    if (given.length)
      throw new UserError(`rightsize: --${given[0]} applies only to --strategy ${strategy}, not ${name}`);
  }
  const pointsRequired = num(
    v['points-required'],
    'points-required',
    100,
    (n) => Number.isInteger(n) && n >= 1,
    'a positive integer',
  );
  const allowHpa = v['allow-hpa'] ?? false;
  if (name === 'simple') {
    return simpleStrategy({
      cpuPercentile: num(
        v['cpu-percentile'],
        'cpu-percentile',
        95,
        (n) => n > 0 && n <= 100,
        'a number in (0, 100]',
      ),
      memoryBufferPercentage: num(
        v['memory-buffer'],
        'memory-buffer',
        15,
        (n) => n >= 0,
        'a non-negative percentage',
      ),
      pointsRequired,
      allowHpa,
      useOomKillData: v['use-oomkill-data'] ?? false,
      oomMemoryBufferPercentage: num(
        v['oom-memory-buffer'],
        'oom-memory-buffer',
        25,
        (n) => n >= 0,
        'a non-negative percentage',
      ),
      minCpu: v['min-cpu'] ? parseCpu(v['min-cpu'], 'min-cpu') : 0.01,
      minMemory: v['min-memory'] ? parseMemory(v['min-memory'], 'min-memory') : 100 * MIB,
    });
  }
  if (name === 'target-utilization') {
    const profileName = v.profile ?? 'production';
    if (!(profileName in PROFILES)) {
      throw new UserError(
        `--profile must be one of ${Object.keys(PROFILES).join(', ')}; got "${profileName}"`,
      );
    }
    const profile = PROFILES[profileName as Profile];
    return targetUtilizationStrategy({
      targetCpuUtilization: fraction(v['target-cpu-utilization'], 'target-cpu-utilization', profile),
      targetMemoryUtilization: fraction(v['target-memory-utilization'], 'target-memory-utilization', profile),
      quantile: v.quantile === undefined ? undefined : fraction(v.quantile, 'quantile', 1),
      pointsRequired,
      allowHpa,
      minCpu: v['min-cpu'] ? parseCpu(v['min-cpu'], 'min-cpu') : 0.01,
      minMemory: v['min-memory'] ? parseMemory(v['min-memory'], 'min-memory') : 20 * MIB,
    });
  }
  return vpaStrategy({
    ...VPA_DEFAULTS,
    podMinCpu: v['min-cpu'] ? parseCpu(v['min-cpu'], 'min-cpu') : VPA_DEFAULTS.podMinCpu,
    podMinMemory: v['min-memory'] ? parseMemory(v['min-memory'], 'min-memory') : VPA_DEFAULTS.podMinMemory,
    pointsRequired,
    allowHpa,
    stepSeconds,
  });
}

const MATCHER = /^\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"(?:[^"\\]|\\.)*"\s*$/;

/** --extra-selector is pasted into every cAdvisor selector, so only well-formed label matchers pass. */
function extraSelector(text: string | undefined): string | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const parts = text.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/);
  if (!parts.every((p) => MATCHER.test(p))) {
    throw new UserError(
      `--extra-selector must be label matchers such as job="kubelet",cluster=~"prod-.*"; got ${text}`,
    );
  }
  return parts.map((p) => p.trim()).join(',');
}

export function rightsizeOptions(v: FlagValues): RightsizeOptions {
  const windowSeconds = parseDuration(v.window ?? '14d', 'window');
  const stepSeconds = parseDuration(v.step ?? '75s', 'step');
  if (stepSeconds >= windowSeconds) throw new UserError('--step must be shorter than --window');
  const kinds = (v['workload-kind'] ?? [])
    .flatMap((k) => k.split(','))
    .map((k) => k.trim())
    .filter(Boolean);
  const prices: Prices = {
    cpu: num(
      v['cpu-price'],
      'cpu-price',
      DEFAULT_PRICES.cpu,
      (n) => n >= 0,
      'a non-negative price per core-hour',
    ),
    memory: num(
      v['memory-price'],
      'memory-price',
      DEFAULT_PRICES.memory,
      (n) => n >= 0,
      'a non-negative price per GiB-hour',
    ),
  };
  const startup =
    v['startup-period'] === undefined || v['startup-period'] === '0' ? undefined : v['startup-period'];
  return {
    at: v.at ? parseTime(v.at) : Math.floor(Date.now() / 1000),
    windowSeconds,
    stepSeconds,
    series: applyOverrides(DEFAULT_SERIES, v.series ?? [], 'series'),
    labels: applyOverrides(DEFAULT_LABELS, v.label ?? [], 'label'),
    extraSelector: extraSelector(v['extra-selector']),
    namespaces: v.namespace ?? [],
    excludeNamespaces: v['exclude-namespace'] ?? [],
    selector: v.selector ? parseSelector(v.selector) : [],
    workloadKinds: kinds,
    maxSeriesPerQuery: num(
      v['max-series-per-query'],
      'max-series-per-query',
      1000,
      (n) => Number.isInteger(n) && n >= 1,
      'a positive integer',
    ),
    startupSeconds:
      v['startup-period'] === '0' ? 0 : startup ? parseDuration(startup, 'startup-period') : 300,
    strategy: buildStrategy(v, stepSeconds),
    prices,
  };
}
