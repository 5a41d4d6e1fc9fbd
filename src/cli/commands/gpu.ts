import { randomBytes } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UserError } from '../../core/errors.js';
import { probeFindings } from '../../gpu/findings.js';
import { probeNode } from '../../gpu/probe.js';
import { parseOutputFormat, renderResults } from '../../report/index.js';
import { intFlag, oneOf, parseFlags } from '../flags.js';

const USAGE = `Usage: rampart gpu <probe|validate> [options]

  rampart gpu probe [--root DIR] [--nvidia-smi PATH] [-o table|json|sarif|junit] [--verbose]
      Checks one GPU node: /dev/nvidia* and /dev/nvidia-caps nodes, nvidia-smi -L and --query-gpu
      (GPUs, MIG mode and instances), the NVIDIA container toolkit's accept-* settings, CDI specs,
      the containerd / CRI-O default runtime and the running device plugin's DEVICE_LIST_STRATEGY /
      PASS_DEVICE_SPECS. --root reads every host file under DIR instead of / (a fixture, or the node's
      filesystem mounted into a debug pod). Exit 0: no control failed, 1: a control failed, 2: usage.

  rampart gpu validate [--kubeconfig F] [--context C] [-n NS] [-l/--node-selector K=V,...] [--mig-profile P]
                       [--image IMG] [--start-timeout SEC] [--pod-deadline SEC]
                       [-o table|json|junit|html] [--html FILE] [-v]
      Runs rogue and authorized pods on each GPU node pool and checks what they can see.
      Always deletes its pods (also on Ctrl-C). Exit 0: isolated, 1: a leak or a check that could not
      run, 2: usage / no GPU node matched, 130: interrupted.

See docs/gpu.md.`;

type Write = (text: string) => void;
const toStdout: Write = (text) => void process.stdout.write(text);

async function probe(argv: string[], out: Write): Promise<number> {
  const { values, positionals } = parseFlags<{
    root?: string;
    'nvidia-smi'?: string;
    output?: string;
    verbose?: boolean;
  }>(
    argv,
    {
      root: { type: 'string' },
      'nvidia-smi': { type: 'string' },
      output: { type: 'string', short: 'o' },
      verbose: { type: 'boolean', short: 'v' },
    },
    'gpu probe',
  );
  if (positionals.length) throw new UserError(`gpu probe: unexpected argument "${positionals[0]}"`);
  const format = parseOutputFormat(values.output, ['table', 'json', 'sarif', 'junit']);
  // A --root that does not exist is a typo, not an empty node.
  if (values.root && !(await stat(values.root).catch(() => undefined))?.isDirectory())
    throw new UserError(`gpu probe: --root ${values.root} is not a directory`);
  const facts = await probeNode({ root: values.root, nvidiaSmi: values['nvidia-smi'] });
  const results = probeFindings(facts);
  out(
    renderResults(results, format, {
      color: out === toStdout && process.stdout.isTTY && !process.env.NO_COLOR,
      verbose: values.verbose,
    }),
  );
  return results.some((r) => r.status === 'fail') ? EXIT_FINDINGS : EXIT_OK;
}

async function validate(argv: string[], out: Write): Promise<number> {
  const { values, positionals } = parseFlags<{
    kubeconfig?: string;
    context?: string;
    namespace?: string;
    'node-selector'?: string;
    'mig-profile'?: string;
    image?: string;
    output?: string;
    html?: string;
    'start-timeout'?: string;
    'pod-deadline'?: string;
    verbose?: boolean;
  }>(
    argv,
    {
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      namespace: { type: 'string', short: 'n' },
      'node-selector': { type: 'string', short: 'l' },
      'mig-profile': { type: 'string' },
      image: { type: 'string' },
      output: { type: 'string', short: 'o' },
      html: { type: 'string' },
      'start-timeout': { type: 'string' },
      'pod-deadline': { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
    },
    'gpu validate',
  );
  if (positionals.length) throw new UserError(`gpu validate: unexpected argument "${positionals[0]}"`);
  const output = oneOf(values.output, 'output', ['table', 'json', 'junit', 'html'] as const, 'table');
  if (
    values['mig-profile'] !== undefined &&
    !/^\d+g\.\d+gb(\+[a-z0-9]+)*(\.[a-z0-9]+)*$/.test(values['mig-profile'])
  )
    throw new UserError(
      `gpu validate: --mig-profile must look like 1g.5gb or 1g.10gb+me; got "${values['mig-profile']}"`,
    );
  const startTimeoutS = intFlag(values['start-timeout'], 'start-timeout', 180);
  const deadline = intFlag(values['pod-deadline'], 'pod-deadline', 300);
  if (deadline < 30) throw new UserError('gpu validate: --pod-deadline must be at least 30 seconds');

  const { KubeClient } = await import('../../kube/index.js');
  const { kubeCluster } = await import('../../gpu/validate/kube.js');
  const { validateCluster } = await import('../../gpu/validate/run.js');
  const { renderValidateHtml } = await import('../../gpu/validate/html.js');
  const { DEFAULT_IMAGE } = await import('../../gpu/validate/pods.js');
  const client = KubeClient.fromOptions({
    kubeconfig: values.kubeconfig,
    context: values.context,
    namespace: values.namespace,
  });
  const cluster = kubeCluster(client);

  const controller = new AbortController();
  // First Ctrl-C: stop starting pods and clean up; a second one leaves at once (the pods' deadline ends them).
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(
      'rampart: interrupted, deleting the test pods (Ctrl-C again to leave them to their deadline)\n',
    );
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  let report: Awaited<ReturnType<typeof validateCluster>>;
  try {
    report = await validateCluster(cluster, {
      image: values.image ?? DEFAULT_IMAGE,
      nodeSelector: values['node-selector'],
      migProfile: values['mig-profile'],
      runId: randomBytes(3).toString('hex'),
      deadlineSeconds: deadline,
      startTimeoutMs: startTimeoutS * 1000,
      execTimeoutMs: 60_000,
      signal: controller.signal,
      log: (line) => void process.stderr.write(`${line}\n`),
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (report.pools.length === 0 && !controller.signal.aborted)
    throw new UserError(
      `gpu validate: no schedulable node with an allocatable nvidia.com/gpu or nvidia.com/mig-* resource${values['node-selector'] ? ` matches ${values['node-selector']}` : ''}`,
    );
  if (values.html) await writeFile(values.html, renderValidateHtml(report));
  if (output === 'html') out(renderValidateHtml(report));
  else {
    out(
      renderResults(report.results, output, {
        color: out === toStdout && process.stdout.isTTY && !process.env.NO_COLOR,
        verbose: values.verbose,
      }),
    );
    if (output === 'table') {
      for (const p of report.pools) for (const n of p.notes) out(`${p.pool}: ${n}\n`);
      if (report.leftBehind.length) out(`could not delete: ${report.leftBehind.join(', ')}\n`);
    }
  }
  if (controller.signal.aborted) return 130;
  return report.results.some((r) => r.status === 'fail' || r.status === 'error') || report.leftBehind.length
    ? EXIT_FINDINGS
    : EXIT_OK;
}

/** `out` receives what goes to stdout (tests pass their own; the node test runner owns process.stdout). */
export async function run(argv: string[], out: Write = toStdout): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    out(`${USAGE}\n`);
    return sub === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out(`${USAGE}\n`);
    return EXIT_OK;
  }
  switch (sub) {
    case 'probe':
      return probe(rest, out);
    case 'validate':
      return validate(rest, out);
    default:
      throw new UserError(`gpu: unknown sub-command "${sub}"\nRun "rampart gpu --help" for usage.`);
  }
}
