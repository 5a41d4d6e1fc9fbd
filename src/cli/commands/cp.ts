import { SingleBar } from 'cli-progress';
import { EXIT_OK } from '../../core/errors.js';
import { copyPaths } from '../../podcp/index.js';
import { errorLine } from '../error-line.js';
import { intFlag, parseFlags } from '../flags.js';

const USAGE = `Usage: rampart cp SRC DEST [options]

  Copies files and directories to, from and between pods (kubectl cp syntax): a pod path is
  [namespace/]pod:path, anything else is local (write ./a:b for a local name with a colon).

    rampart cp ./dist web-0:/srv/app          local -> pod
    rampart cp prod/db-0:/var/log/*.log ./logs pod -> local, remote glob
    rampart cp a-0:/data b-0:/data            pod -> pod, streamed without a local copy

Options:
  -c, --container NAME   container in the pod (default: the pod's default container)
  -n, --namespace NS     namespace for pod paths without one
      --kubeconfig FILE  --context NAME   as kubectl
      --retries N        resume attempts after a broken stream (default 3)
      --no-verify        skip the final sha256 comparison
      --no-compress      do not use gzip even when the container has it
      --no-progress      no progress bar (it is off anyway when stderr is not a terminal)
  -q, --quiet            print nothing on success
      --debug-image IMAGE  reach the container through an ephemeral debug container running IMAGE
                           (for images without sh or tar; IMAGE needs sh, tar, find, stat, head)
      --debug-target-pid P the target's process in the shared PID namespace (default 1)
      --debug-ptrace       give the debug container CAP_SYS_PTRACE (needed when the target runs as
                           another user)

Exit codes: 0 ok, 1 other failure, 2 usage, 4 not found, 5 permission denied,
6 verification failed, 7 transfer failed after retries, 8 missing tools in the container
(no sh / find / stat / head), 9 unsafe archive refused. See docs/cp.md.`;

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_OK;
  }
  const { values, positionals } = parseFlags<{
    container?: string;
    namespace?: string;
    kubeconfig?: string;
    context?: string;
    retries?: string;
    'no-verify'?: boolean;
    'no-compress'?: boolean;
    'no-progress'?: boolean;
    quiet?: boolean;
    'debug-image'?: string;
    'debug-target-pid'?: string;
    'debug-ptrace'?: boolean;
  }>(
    argv,
    {
      container: { type: 'string', short: 'c' },
      namespace: { type: 'string', short: 'n' },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      retries: { type: 'string' },
      'no-verify': { type: 'boolean' },
      'no-compress': { type: 'boolean' },
      'no-progress': { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      'debug-image': { type: 'string' },
      'debug-target-pid': { type: 'string' },
      'debug-ptrace': { type: 'boolean' },
    },
    'cp',
  );
  if (positionals.length !== 2) {
    process.stderr.write(`${errorLine('cp', 'expected SRC and DEST')}\n${USAGE}\n`);
    return 2;
  }
  const [source, destination] = positionals as [string, string];
  const debugImage = values['debug-image'];
  if (!debugImage && (values['debug-target-pid'] || values['debug-ptrace'])) {
    process.stderr.write(errorLine('cp', '--debug-target-pid and --debug-ptrace need --debug-image'));
    return 2;
  }
  const targetPid = values['debug-target-pid'];
  if (targetPid !== undefined && !/^(\d+|self)$/.test(targetPid)) {
    process.stderr.write(errorLine('cp', `--debug-target-pid must be a process id, got "${targetPid}"`));
    return 2;
  }
  const showBar = !values['no-progress'] && !values.quiet && Boolean(process.stderr.isTTY);
  const bar = showBar
    ? new SingleBar(
        {
          format: '{bar} {percentage}% | {done} / {size} | {speed} | ETA {eta_formatted}',
          stream: process.stderr,
          hideCursor: true,
          etaBuffer: 50,
        },
        undefined,
      )
    : undefined;
  let moved = 0;
  const started = Date.now();
  const tokens = () => ({
    done: bytes(moved),
    speed: `${bytes(moved / Math.max(0.001, (Date.now() - started) / 1000))}/s`,
  });
  try {
    const report = await copyPaths({
      source,
      destination,
      container: values.container,
      namespace: values.namespace,
      kubeconfig: values.kubeconfig,
      context: values.context,
      retries: intFlag(values.retries, 'retries', 3),
      verify: !values['no-verify'],
      compress: !values['no-compress'],
      debug: debugImage ? { image: debugImage, targetPid, ptrace: values['debug-ptrace'] } : undefined,
      onStart: (total) => bar?.start(total, 0, { ...tokens(), size: bytes(total) }),
      onBytes: (n) => {
        moved += n;
        bar?.update(moved, tokens());
      },
      log: (message) => {
        if (!values.quiet) process.stderr.write(`${bar ? '\n' : ''}rampart cp: ${message}\n`);
      },
    });
    bar?.stop();
    if (!values.quiet) {
      const seconds = (Date.now() - started) / 1000;
      process.stderr.write(
        `copied ${report.files} file(s), ${bytes(report.bytes)} in ${seconds.toFixed(1)} s` +
          `${report.resumed ? `, resumed ${report.resumed} time(s)` : ''}${report.verified ? ', sha256 verified' : ''}\n`,
      );
    }
    return EXIT_OK;
  } finally {
    bar?.stop();
  }
}

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
