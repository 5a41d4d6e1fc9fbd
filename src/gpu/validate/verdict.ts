import type { Result, ResultStatus } from '../../core/result.js';
import type { Severity } from '../../core/severity.js';
import { gpuDeviceNodes, type Observation, visibleDevices } from './observe.js';
import { type PodPlan, VARIANT_TITLES } from './pods.js';

const DOCS = 'https://github.com/rampart-dev/rampart/blob/main/docs/gpu.md';

/** What happened to one pod. */
export type PodOutcome =
  | { kind: 'rejected'; message: string }
  | { kind: 'not-running'; message: string }
  | { kind: 'exec-failed'; message: string }
  | { kind: 'observed'; observation: Observation };

export interface CrossAttempt {
  /** Output of crossAccessScript run in pod A against pod B's MIG UUID. */
  stdout: string;
  target: string;
}

const ROGUE_FIX: Record<string, string> = {
  'rogue-plain':
    'Set accept-nvidia-visible-devices-envvar-when-unprivileged = false in the toolkit and keep runc as the default runtime (gpu-operator cdi.enabled=true); see rampart gpu probe.',
  'rogue-env-all':
    'Set accept-nvidia-visible-devices-envvar-when-unprivileged = false in the toolkit; block NVIDIA_VISIBLE_DEVICES in pods without a GPU limit (gpu-isolation pack, gpu-env-without-limit).',
  'rogue-runtimeclass':
    'Set accept-nvidia-visible-devices-envvar-when-unprivileged = false; restrict runtimeClassName: nvidia to pods with a GPU limit (gpu-isolation pack, gpu-runtimeclass-without-limit).',
  'rogue-volume-mount':
    'Set accept-nvidia-visible-devices-as-volume-mounts = false unless the device plugin uses volume-mounts, and forbid hostPath volumes (Pod Security baseline).',
  'rogue-privileged':
    'Enforce Pod Security baseline (or stricter) on namespaces that can reach GPU nodes: privileged containers see every /dev/nvidia* node.',
};

function result(
  plan: PodPlan,
  rule: string,
  status: ResultStatus,
  severity: Severity,
  message: string,
  extra: { fix?: string; properties?: Record<string, unknown>; title?: string } = {},
): Result {
  const r: Result = {
    policy: 'gpu-validate',
    rule,
    resource: { kind: 'Pod', namespace: plan.namespace, name: plan.name, apiVersion: 'v1' },
    status,
    message,
    severity,
    category: 'gpu-isolation',
    origin: null,
    title: extra.title ?? VARIANT_TITLES[plan.variant],
    docs: `${DOCS}#validate`,
    properties: { node: plan.node, pool: plan.pool, variant: plan.variant, ...extra.properties },
  };
  if (extra.fix && status !== 'pass') r.fix = extra.fix;
  return r;
}

/** A short account of what a pod could see, for messages. */
export function describeObservation(o: Observation): string {
  const nodes = gpuDeviceNodes(o);
  const devices = visibleDevices(o);
  const parts = [
    nodes.length ? `device nodes ${nodes.join(' ')}` : 'no /dev/nvidiaN node',
    o.smiExit === 127
      ? 'no nvidia-smi'
      : `nvidia-smi -L exit ${o.smiExit ?? '?'} listing ${devices.length ? devices.join(', ') : 'nothing'}`,
  ];
  if (o.env.NVIDIA_VISIBLE_DEVICES !== undefined)
    parts.push(`NVIDIA_VISIBLE_DEVICES=${o.env.NVIDIA_VISIBLE_DEVICES}`);
  return parts.join('; ');
}

function notObserved(plan: PodPlan, outcome: Exclude<PodOutcome, { kind: 'observed' }>): Result {
  return result(plan, plan.variant, 'error', 'medium', `could not check: ${outcome.message}`, {
    fix: 'Check the image can be pulled, the namespace allows the pod and a GPU node has capacity; then run again.',
    properties: { outcome: outcome.kind },
  });
}

/** A pod without a GPU request must see no GPU, or be refused before it runs. */
export function judgeRogue(plan: PodPlan, outcome: PodOutcome): Result {
  const fix = ROGUE_FIX[plan.variant];
  if (outcome.kind === 'rejected')
    return result(
      plan,
      plan.variant,
      'pass',
      'info',
      `refused by the API server or admission: ${outcome.message}`,
      {
        properties: { outcome: 'rejected' },
      },
    );
  if (
    outcome.kind === 'not-running' &&
    plan.variant === 'rogue-runtimeclass' &&
    /runtimeclass|runtime handler/i.test(outcome.message)
  )
    return result(plan, plan.variant, 'skip', 'info', `no usable "nvidia" RuntimeClass: ${outcome.message}`, {
      properties: { outcome: outcome.kind },
    });
  if (outcome.kind !== 'observed') return notObserved(plan, outcome);
  const o = outcome.observation;
  const leaked = gpuDeviceNodes(o).length > 0 || visibleDevices(o).length > 0;
  const properties = { outcome: 'observed', observation: o };
  if (leaked)
    return result(
      plan,
      plan.variant,
      'fail',
      'critical',
      `LEAK: a pod without a GPU request sees ${describeObservation(o)}`,
      {
        fix,
        properties,
      },
    );
  if (plan.variant === 'rogue-privileged')
    return result(
      plan,
      plan.variant,
      'warn',
      'high',
      `admission let a privileged pod run on a GPU node (it saw no GPU: ${describeObservation(o)})`,
      {
        fix,
        properties,
      },
    );
  return result(plan, plan.variant, 'pass', 'info', `isolated: ${describeObservation(o)}`, { properties });
}

const DISTINCT_TITLE = 'MIG pods on one profile get distinct MIG instances';
const CROSS_TITLE = "A MIG pod cannot reach another pod's MIG instance";
const UUID = /^(GPU|MIG)-[0-9A-Za-z/-]+$/;

/** A pod with one GPU (or MIG) request must see exactly one device, named by UUID. */
export function judgeAuthorized(plan: PodPlan, outcome: PodOutcome): Result {
  if (outcome.kind !== 'observed') return notObserved(plan, outcome);
  const o = outcome.observation;
  const devices = visibleDevices(o);
  const nodes = gpuDeviceNodes(o);
  const env = o.env.NVIDIA_VISIBLE_DEVICES;
  const properties = { outcome: 'observed', observation: o, devices };
  const migWanted = plan.variant !== 'authorized';
  if (o.smiExit === 127 || o.smiExit === null) {
    if (nodes.length === 1)
      return result(
        plan,
        plan.variant,
        'warn',
        'medium',
        `one device node (${nodes[0]}) but no nvidia-smi to confirm the device by UUID`,
        {
          fix: 'Use an image with nvidia-smi available after injection (the toolkit injects it with the utility capability: NVIDIA_DRIVER_CAPABILITIES=compute,utility).',
          properties,
        },
      );
    return result(
      plan,
      plan.variant,
      'fail',
      nodes.length > 1 ? 'critical' : 'high',
      `expected exactly one GPU, found ${describeObservation(o)}`,
      { properties },
    );
  }
  if (devices.length > 1)
    return result(
      plan,
      plan.variant,
      'fail',
      'critical',
      `LEAK: a pod that asked for one device sees ${devices.length}: ${devices.join(', ')}`,
      {
        fix: 'Run rampart gpu probe on the node: the env var or a default NVIDIA runtime is handing out more than the allocation.',
        properties,
      },
    );
  if (devices.length === 0)
    return result(
      plan,
      plan.variant,
      'fail',
      'high',
      `the GPU request was granted but the pod sees no device (${describeObservation(o)})`,
      {
        fix: 'The device plugin and the toolkit disagree on how devices are passed (see rampart gpu probe: device-plugin-strategy).',
        properties,
      },
    );
  const [device] = devices as [string];
  if (migWanted && !device.startsWith('MIG-'))
    return result(
      plan,
      plan.variant,
      'fail',
      'high',
      `asked for a MIG instance (${plan.resource}) but sees a whole GPU ${device}`,
      { properties },
    );
  if (env === 'all')
    return result(
      plan,
      plan.variant,
      'warn',
      'medium',
      `sees exactly one device ${device}, but NVIDIA_VISIBLE_DEVICES=all (devices came by CDI; any runtimeClassName: nvidia pod would get them all)`,
      {
        fix: 'Harmless only while the env var is ignored: set accept-nvidia-visible-devices-envvar-when-unprivileged = false.',
        properties,
      },
    );
  if (env !== undefined && UUID.test(env) && env !== device)
    return result(
      plan,
      plan.variant,
      'warn',
      'medium',
      `sees ${device} but NVIDIA_VISIBLE_DEVICES=${env} names another device`,
      { properties },
    );
  return result(
    plan,
    plan.variant,
    'pass',
    'info',
    `sees exactly one device ${device}${env !== undefined ? ` (NVIDIA_VISIBLE_DEVICES=${env})` : ''}`,
    { properties },
  );
}

/** Two pods on one MIG profile: distinct MIG UUIDs, and A cannot reach B's instance. */
export function judgeMigPair(
  a: PodPlan,
  b: PodPlan,
  oa: Observation,
  ob: Observation,
  cross: CrossAttempt | null,
): Result[] {
  const ua = visibleDevices(oa).filter((u) => u.startsWith('MIG-'));
  const ub = visibleDevices(ob).filter((u) => u.startsWith('MIG-'));
  const out: Result[] = [];
  const shared = ua.filter((u) => ub.includes(u));
  out.push(
    shared.length
      ? result(
          a,
          'mig-distinct',
          'fail',
          'critical',
          `LEAK: ${a.name} and ${b.name} share MIG instance(s) ${shared.join(', ')}`,
          {
            fix: 'Check the device plugin MIG strategy and that the MIG manager did not reconfigure instances under running pods.',
            properties: { a: ua, b: ub },
            title: DISTINCT_TITLE,
          },
        )
      : result(
          a,
          'mig-distinct',
          ua.length && ub.length ? 'pass' : 'skip',
          'info',
          ua.length && ub.length
            ? `distinct MIG instances: ${ua.join(', ')} / ${ub.join(', ')}`
            : 'a pod of the pair saw no MIG instance (see its own result)',
          {
            properties: { a: ua, b: ub },
            title: DISTINCT_TITLE,
          },
        ),
  );
  if (cross) {
    const [listing, query = ''] = cross.stdout.split('### query');
    const rc = /### rc (\d+)/.exec(query);
    const code = rc ? Number(rc[1]) : null;
    const seenInList = listing!.includes(cross.target);
    // nvidia-smi answering for the other pod's instance at all means it was reachable.
    const reached = code === 0;
    out.push(
      seenInList || reached
        ? result(
            a,
            'mig-cross-access',
            'fail',
            'critical',
            `LEAK: ${a.name} can reach ${b.name}'s MIG instance ${cross.target}${seenInList ? ' (listed by nvidia-smi -L)' : ` (nvidia-smi -q -i exit ${code})`}`,
            {
              fix: 'A pod must only see its own /dev/nvidia-caps entries: check PASS_DEVICE_SPECS, the toolkit mode and privileged access.',
              properties: { target: cross.target, exitCode: code },
              title: CROSS_TITLE,
            },
          )
        : result(
            a,
            'mig-cross-access',
            'pass',
            'info',
            `${a.name} cannot reach ${cross.target} (nvidia-smi -q -i exit ${code ?? '?'})`,
            {
              properties: { target: cross.target, exitCode: code },
              title: CROSS_TITLE,
            },
          ),
    );
  }
  return out;
}
