import { Counter, collectDefaultMetrics, type Metric, Registry } from 'prom-client';
import type { RuleResponse } from '../policy/engine/evaluate.js';
import type { LoadedPolicy } from '../policy/model/types.js';
import type { AdmissionRequest } from './review.js';

/**
 * Prometheus metrics under Kyverno's names and label names, so Kyverno's dashboards and alerts work
 * unchanged, plus Rampart's own reload counters and the process metrics.
 *
 * The per-review series (admissions, rule results, execution times) are written on every request, tens
 * of times per review: they are `LightCounter`/`LightHistogram` series, plain objects found once per
 * (kind, namespace, operation) and policy and then bumped in place. prom-client hashes the label set
 * on every `inc`/`observe`, even through a label child, which cost a sixth of a review's CPU. They
 * render through the same prom-client registry, in its text format, at scrape time.
 */

const ADMISSION_LABELS = [
  'resource_kind',
  'resource_namespace',
  'resource_request_operation',
  'request_allowed',
] as const;

const POLICY_LABELS = [
  'policy_validation_mode',
  'policy_type',
  'policy_background_mode',
  'policy_name',
  'policy_namespace',
  'resource_kind',
  'resource_namespace',
  'resource_request_operation',
  'rule_name',
  'rule_result',
  'rule_type',
  'rule_execution_cause',
] as const;

type Labels = Record<string, string>;

interface CounterSeries {
  labels: Labels;
  value: number;
}

interface HistogramSeries {
  labels: Labels;
  /** Observations per bucket, not cumulative; the last cell is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

/** What prom-client's registry renders (the shape of its own metrics' `get()`). */
interface Rendered {
  name: string;
  help: string;
  type: string;
  aggregator: 'sum';
  values: { labels: Labels; value: number; metricName?: string }[];
}

/** The series with these labels, made on first use; labels are kept in `labelNames` order. */
function seriesOf<S>(
  index: Map<string, S>,
  labelNames: readonly string[],
  labels: Labels,
  make: (ordered: Labels) => S,
): S {
  const key = labelNames.map((n) => labels[n] ?? '').join('\u0000');
  let series = index.get(key);
  if (!series) {
    const ordered: Labels = {};
    for (const n of labelNames) ordered[n] = labels[n] ?? '';
    series = make(ordered);
    index.set(key, series);
  }
  return series;
}

/** A counter for the request path: `series(labels)` once, then `value++` on the series. */
export class LightCounter {
  readonly type = 'counter';
  private readonly index = new Map<string, CounterSeries>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  series(labels: Labels): CounterSeries {
    return seriesOf(this.index, this.labelNames, labels, (ordered) => ({ labels: ordered, value: 0 }));
  }

  get(): Rendered {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: 'sum',
      values: [...this.index.values()].map((s) => ({ labels: s.labels, value: s.value })),
    };
  }

  reset(): void {
    this.index.clear();
  }
}

/** A histogram for the request path; renders `_bucket` (cumulative, `le` first as prom-client writes it), `_sum` and `_count`. */
export class LightHistogram {
  readonly type = 'histogram';
  private readonly index = new Map<string, HistogramSeries>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    readonly buckets: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  series(labels: Labels): HistogramSeries {
    return seriesOf(this.index, this.labelNames, labels, (ordered) => ({
      labels: ordered,
      counts: new Array<number>(this.buckets.length + 1).fill(0),
      sum: 0,
      count: 0,
    }));
  }

  observe(series: HistogramSeries, value: number): void {
    const buckets = this.buckets;
    let i = 0;
    while (i < buckets.length && value > buckets[i]!) i++;
    series.counts[i]!++;
    series.sum += value;
    series.count++;
  }

  get(): Rendered {
    const values: Rendered['values'] = [];
    for (const s of this.index.values()) {
      let cumulative = 0;
      for (let i = 0; i <= this.buckets.length; i++) {
        cumulative += s.counts[i]!;
        const le = i < this.buckets.length ? String(this.buckets[i]) : '+Inf';
        values.push({
          labels: { le, ...s.labels },
          value: cumulative,
          metricName: `${this.name}_bucket`,
        });
      }
      values.push({ labels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: 'sum',
      values,
    };
  }

  reset(): void {
    this.index.clear();
  }
}

export class ServeMetrics {
  readonly registry = new Registry();
  readonly admissionRequests = new LightCounter(
    'kyverno_admission_requests_total',
    'Admission requests reviewed',
    ADMISSION_LABELS,
    this.registry,
  );
  readonly admissionDuration = new LightHistogram(
    'kyverno_admission_review_duration_seconds',
    'Time to review an admission request',
    ADMISSION_LABELS,
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    this.registry,
  );
  readonly policyResults = new LightCounter(
    'kyverno_policy_results_total',
    'Rule results of policies applied to admission requests',
    POLICY_LABELS,
    this.registry,
  );
  readonly policyDuration = new LightHistogram(
    'kyverno_policy_execution_duration_seconds',
    'Time to evaluate one policy on an admission request',
    POLICY_LABELS.filter((l) => l !== 'rule_name' && l !== 'rule_result' && l !== 'rule_type'),
    [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    this.registry,
  );
  readonly reloads = new Counter({
    name: 'rampart_policy_reloads_total',
    help: 'Policy set reloads, by result (success or error)',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly badRequests = new Counter({
    name: 'rampart_admission_bad_requests_total',
    help: 'Requests rejected before evaluation (malformed, too large, wrong content type)',
    labelNames: ['code'],
    registers: [this.registry],
  });

  constructor(processMetrics = true) {
    if (processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  private readonly scopes = new Map<string, RequestScope>();

  /**
   * The series one request writes to, for its kind, namespace and operation, found once and cached:
   * counting a review is then a few map reads and additions. The cache holds no more entries than the
   * metrics hold series.
   */
  scope(request: AdmissionRequest): RequestScope {
    const kind = request.kind.kind;
    const namespace = request.namespace ?? '';
    const operation = request.operation.toLowerCase();
    const key = `${kind}\u0000${namespace}\u0000${operation}`;
    let scope = this.scopes.get(key);
    if (!scope) {
      scope = new RequestScope(this, kind, namespace, operation);
      this.scopes.set(key, scope);
    }
    return scope;
  }

  /** Counts one reviewed request (allowed or not) and its duration. */
  admission(request: AdmissionRequest, allowed: boolean, seconds: number): void {
    this.scope(request).admission(allowed, seconds);
  }

  /** One policy's rule responses (and, when given, its execution time) for one request. */
  policy(
    request: AdmissionRequest,
    policy: LoadedPolicy | undefined,
    responses: readonly RuleResponse[],
    seconds?: number,
  ): void {
    const scope = this.scope(request);
    if (policy && seconds !== undefined) scope.policyDuration(policy, seconds);
    for (const r of responses) scope.result(policy, r);
  }
}

interface PolicySeries {
  /** The policy's own label values and the request's kind, namespace and operation. */
  labels: Labels;
  duration?: HistogramSeries;
  results: Map<string, CounterSeries>;
}

/** The cached series of one (kind, namespace, operation). */
export class RequestScope {
  private readonly admissions = new Map<boolean, { count: CounterSeries; duration: HistogramSeries }>();
  private readonly policies = new WeakMap<LoadedPolicy, PolicySeries>();
  private readonly unknown = new Map<string, PolicySeries>();

  constructor(
    private readonly metrics: ServeMetrics,
    private readonly kind: string,
    private readonly namespace: string,
    private readonly operation: string,
  ) {}

  admission(allowed: boolean, seconds: number): void {
    let series = this.admissions.get(allowed);
    if (!series) {
      const labels = {
        resource_kind: this.kind,
        resource_namespace: this.namespace,
        resource_request_operation: this.operation,
        request_allowed: String(allowed),
      };
      series = {
        count: this.metrics.admissionRequests.series(labels),
        duration: this.metrics.admissionDuration.series(labels),
      };
      this.admissions.set(allowed, series);
    }
    series.count.value++;
    this.metrics.admissionDuration.observe(series.duration, seconds);
  }

  policyDuration(policy: LoadedPolicy, seconds: number): void {
    const series = this.series(policy, policy.name);
    series.duration ??= this.metrics.policyDuration.series(series.labels);
    this.metrics.policyDuration.observe(series.duration, seconds);
  }

  result(policy: LoadedPolicy | undefined, r: RuleResponse): void {
    const series = this.series(policy, r.policy);
    const type = ruleType(r);
    const key = `${r.rule}\u0000${r.status}\u0000${type}`;
    let counter = series.results.get(key);
    if (!counter) {
      counter = this.metrics.policyResults.series({
        ...series.labels,
        rule_name: r.rule,
        rule_result: r.status,
        rule_type: type,
      });
      series.results.set(key, counter);
    }
    counter.value++;
  }

  private series(policy: LoadedPolicy | undefined, name: string): PolicySeries {
    let series = policy ? this.policies.get(policy) : this.unknown.get(name);
    if (series) return series;
    series = {
      labels: {
        policy_validation_mode: validationMode(policy),
        policy_type: policy?.namespace ? 'namespaced' : 'cluster',
        policy_background_mode: String(
          policy?.raw?.spec && (policy.raw.spec as { background?: boolean }).background !== false,
        ),
        policy_name: name,
        policy_namespace: policy?.namespace ?? '-',
        resource_kind: this.kind,
        resource_namespace: this.namespace || '-',
        resource_request_operation: this.operation,
        rule_execution_cause: 'admission_request',
      },
      results: new Map(),
    };
    if (policy) this.policies.set(policy, series);
    else this.unknown.set(name, series);
    return series;
  }
}

function validationMode(policy: LoadedPolicy | undefined): string {
  const action = (policy?.raw?.spec as { validationFailureAction?: string } | undefined)
    ?.validationFailureAction;
  return typeof action === 'string' && action.toLowerCase() === 'enforce' ? 'enforce' : 'audit';
}

function ruleType(r: RuleResponse): string {
  if (r.patch) return 'mutate';
  if (r.generated) return 'generate';
  return 'validate';
}
