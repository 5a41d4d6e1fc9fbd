import { EXIT_USAGE, isUserError } from '../core/errors.js';
import { version } from '../core/version.js';
import { commandLabel, errorLine } from './error-line.js';

/**
 * Each command lives in its own module under ./commands and is imported only when invoked,
 * so `rampart --version` and small invocations start fast.
 */
const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  scan: {
    summary: 'scan a repository with the built-in guardrail packs',
    load: () => import('./commands/scan.js'),
  },
  apply: { summary: 'apply Kyverno-format policies to resources', load: () => import('./commands/apply.js') },
  test: {
    summary: 'run Kyverno CLI test files (kyverno-test.yaml)',
    load: () => import('./commands/test.js'),
  },
  cleanup: {
    summary: 'list what Kyverno cleanup policies would delete (--dry-run)',
    load: () => import('./commands/cleanup.js'),
  },
  serve: {
    summary: 'run the HTTPS admission webhook (validate, mutate, metrics)',
    load: () => import('./commands/serve.js'),
  },
  report: {
    summary: "write PolicyReports for a cluster's existing resources (background scan)",
    load: () => import('./commands/report.js'),
  },
  rightsize: {
    summary: 'recommend CPU/memory requests from Prometheus',
    load: () => import('./commands/rightsize.js'),
  },
  apk: {
    summary: 'build, index, sign, verify and serve Alpine repositories',
    load: () => import('./commands/apk.js'),
  },
  iam: { summary: 'compose, lint and simulate IAM policies', load: () => import('./commands/iam.js') },
  aft: { summary: 'AWS Control Tower AFT account requests', load: () => import('./commands/aft.js') },
  aws: {
    summary: 'which AWS credentials and region the SDKs resolve, and why',
    load: () => import('./commands/aws.js'),
  },
  disk: {
    summary: 'Advanced Format (512e/4Kn) and alignment audit',
    load: () => import('./commands/disk.js'),
  },
  gpu: {
    summary: 'GPU node probe and live GPU isolation validation',
    load: () => import('./commands/gpu.js'),
  },
  cp: {
    summary: 'copy files to, from and between pods (resume, verify, safe extraction)',
    load: () => import('./commands/cp.js'),
  },
};

export interface CommandModule {
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: rampart <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nOptions:\n  -h, --help     this help; "rampart help <command>" or "rampart <command> --help" for a command's options\n  -V, --version  print the version`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === '-v' || name === 'version') {
    process.stdout.write(`rampart ${version()}\n`);
    return 0;
  }
  // "rampart help scan" is "rampart scan --help".
  if (name === 'help' && rest.length > 0) {
    const topic = COMMANDS[rest[0]!];
    if (!topic) {
      process.stderr.write(`rampart: help: unknown command "${rest[0]}"\n\n${usage()}\n`);
      return EXIT_USAGE;
    }
    return (await topic.load()).run([...rest.slice(1), '--help']);
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`rampart: unknown command "${name}"\n\n${usage()}\n`);
    return EXIT_USAGE;
  }
  const mod = await command.load();
  return mod.run(rest);
}

/**
 * A reader that stops early (`rampart scan . -o json | head`) closes the pipe: the rest of the output
 * has nowhere to go, which is not an error of the command. End quietly, as other command-line tools
 * do, instead of with Node's unhandled EPIPE stack trace.
 */
function endQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}

export async function runCli(argv: string[]): Promise<void> {
  endQuietlyOnClosedPipe();
  let code: number;
  try {
    code = await main(argv);
  } catch (error) {
    if (isUserError(error)) {
      const label = commandLabel(argv);
      process.stderr.write(label ? errorLine(label, error.message) : `rampart: ${error.message}\n`);
      code = error.exitCode;
    } else {
      // A bug of ours, not the user's: keep the stack so it can be reported.
      process.stderr.write(`rampart: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
      code = 3;
    }
  }
  process.exitCode = code;
}
