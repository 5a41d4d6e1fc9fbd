import { UserError } from '../../core/errors.js';
import { clusterFamilies } from './cluster.js';
import { writeOpenMetrics } from './openmetrics.js';
import { prometheusAvailable, type RunningPrometheus, startPrometheus } from './prometheus.js';

export type { RunningPrometheus } from './prometheus.js';

/** The step the demo's data is aligned to (the default `--step`, 75 s). */
const STEP = 75;

/** The demo's evaluation time: `at` when given, else now, rounded down to a multiple of the step. */
export function demoTime(at?: number): number {
  const t = at ?? Math.floor(Date.now() / 1000);
  return t - (t % STEP);
}

/**
 * `rampart rightsize --demo`: a Prometheus on 127.0.0.1 (a free port) over a generated small cluster (every
 * owner chain, a restart, an HPA, an OOM kill, init containers; 15 days of cAdvisor and kube-state-metrics
 * samples ending at `at`), backfilled with promtool into a fresh TSDB in a temporary directory. stop() ends
 * Prometheus and removes the directory. Without the Debian package `prometheus` it is a usage error (exit 2).
 */
export async function startDemoPrometheus(at: number): Promise<RunningPrometheus> {
  if (!prometheusAvailable()) {
    throw new UserError(
      'rightsize: --demo needs a local Prometheus: install the Debian package "prometheus" ' +
        '(sudo apt-get install prometheus; it provides the prometheus and promtool commands), ' +
        'or point --prometheus URL at a real one',
    );
  }
  return startPrometheus((file) => writeOpenMetrics(file, clusterFamilies(at)));
}

/** The exit status a shell gives a process ended by `signal`. */
function signalExitCode(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 130 : 143;
}

/**
 * Starts the demo Prometheus, runs `use` against it and always stops it and removes its data: when `use`
 * settles, and on Ctrl-C (SIGINT) or SIGTERM, after which the process exits 130 or 143. A signal that
 * arrives while Prometheus is starting is acted on as soon as the start settles.
 */
export async function withDemoPrometheus<T>(
  at: number,
  use: (prometheus: RunningPrometheus) => Promise<T>,
): Promise<T> {
  let running: RunningPrometheus | undefined;
  let signalled: NodeJS.Signals | undefined;
  const leave = async (signal: NodeJS.Signals): Promise<never> => {
    await running?.stop();
    process.exit(signalExitCode(signal));
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = signal;
    if (running) void leave(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    try {
      running = await startDemoPrometheus(at);
    } catch (error) {
      // Ctrl-C reaches promtool and Prometheus too; their failure is the interruption, not an error.
      if (signalled) await leave(signalled);
      throw error;
    }
    if (signalled) await leave(signalled);
    try {
      return await use(running);
    } catch (error) {
      // A query cut short by the signal's stop is not worth a message.
      if (signalled) await leave(signalled);
      throw error;
    }
  } finally {
    await running?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
