import { stat } from 'node:fs/promises';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UserError } from '../../core/errors.js';
import { probeFindings } from '../../gpu/findings.js';
import { probeNode } from '../../gpu/probe.js';
import { parseOutputFormat, renderResults } from '../../report/index.js';
import { parseFlags } from '../flags.js';

const USAGE = `Usage: rampart gpu <probe|validate> [options]

  rampart gpu probe [--root DIR] [--nvidia-smi PATH] [-o table|json|sarif|junit] [--verbose]
      Checks one GPU node: /dev/nvidia* and /dev/nvidia-caps nodes, nvidia-smi -L and --query-gpu
      (GPUs, MIG mode and instances), the NVIDIA container toolkit's accept-* settings, CDI specs,
      the containerd / CRI-O default runtime and the running device plugin's DEVICE_LIST_STRATEGY /
      PASS_DEVICE_SPECS. --root reads every host file under DIR instead of / (a fixture, or the node's
      filesystem mounted into a debug pod). Exit 0: no control failed, 1: a control failed, 2: usage.

  rampart gpu validate [--kubeconfig F] [--context C] [--namespace NS] [--node-selector K=V,...]
                       [--mig-profile P] [--image IMG] [-o table|json|junit|html] [--report FILE]
      Runs rogue and authorized pods on each GPU node pool and checks what they can see.
      Exit 0: isolated, 1: a leak (or a check that could not run), 2: usage.

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
    default:
      throw new UserError(`gpu: unknown sub-command "${sub}"\nRun "rampart gpu --help" for usage.`);
  }
}
