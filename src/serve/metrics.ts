import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { RuleResponse } from '../policy/engine/evaluate.js';
import type { LoadedPolicy } from '../policy/model/types.js';
import type { AdmissionRequest } from './review.js';

/**
 * Prometheus metrics under Kyverno's names and label names, so Kyverno's dashboards and alerts work
 * unchanged, plus Rampart's own reload counters and the process metrics.
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

type PolicyLabel = (typeof POLICY_LABELS)[number];

export class ServeMetrics {
  readonly registry = new Registry();
  readonly admissionRequests = new Counter({
    name: 'kyverno_admission_requests_total',
    help: 'Admission requests reviewed',
    labelNames: ADMISSION_LABELS,
    registers: [this.registry],
  });
  readonly admissionDuration = new Histogram({
    name: 'kyverno_admission_review_duration_seconds',
    help: 'Time to review an admission request',
    labelNames: ADMISSION_LABELS,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly policyResults = new Counter({
    name: 'kyverno_policy_results_total',
    help: 'Rule results of policies applied to admission requests',
    labelNames: POLICY_LABELS,
    registers: [this.registry],
  });
  readonly policyDuration = new Histogram({
    name: 'kyverno_policy_execution_duration_seconds',
    help: 'Time to evaluate one policy on an admission request',
    labelNames: POLICY_LABELS.filter((l) => l !== 'rule_name' && l !== 'rule_result' && l !== 'rule_type'),
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [this.registry],
  });
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

  admission(request: AdmissionRequest, allowed: boolean, seconds: number): void {
    const labels = {
      resource_kind: request.kind.kind,
      resource_namespace: request.namespace ?? '',
      resource_request_operation: request.operation.toLowerCase(),
      request_allowed: String(allowed),
    };
    this.admissionRequests.inc(labels);
    this.admissionDuration.observe(labels, seconds);
  }

  policy(
    request: AdmissionRequest,
    policy: LoadedPolicy | undefined,
    responses: readonly RuleResponse[],
    seconds?: number,
  ): void {
    const base = (p: LoadedPolicy | undefined, name: string) => ({
      policy_validation_mode: validationMode(p),
      policy_type: p?.namespace ? 'namespaced' : 'cluster',
      policy_background_mode: String(
        p?.raw?.spec && (p.raw.spec as { background?: boolean }).background !== false,
      ),
      policy_name: name,
      policy_namespace: p?.namespace ?? '-',
      resource_kind: request.kind.kind,
      resource_namespace: request.namespace ?? '-',
      resource_request_operation: request.operation.toLowerCase(),
      rule_execution_cause: 'admission_request',
    });
    if (policy && seconds !== undefined) this.policyDuration.observe(base(policy, policy.name), seconds);
    for (const r of responses) {
      const values: Record<PolicyLabel, string> = {
        ...base(policy, r.policy),
        rule_name: r.rule,
        rule_result: r.status,
        rule_type: ruleType(r),
      };
      // In Kyverno's label order, so series read the same in both.
      const labels: Partial<Record<PolicyLabel, string>> = {};
      for (const l of POLICY_LABELS) labels[l] = values[l];
      this.policyResults.inc(labels);
    }
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
