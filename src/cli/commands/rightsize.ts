import { writeFileSync } from 'node:fs';
import { UserError } from '../../core/errors.js';
import { demoTime, withDemoPrometheus } from '../../rightsize/demo/index.js';
import { PrometheusClient, rightsize } from '../../rightsize/index.js';
import {
  FLAG_SPEC,
  type FlagValues,
  OUTPUT_FORMATS,
  type OutputFormat,
  prometheusOptions,
  rightsizeOptions,
} from '../../rightsize/options.js';
import { VPA_UPDATE_MODES, vpaObjects, writeGitOps } from '../../rightsize/output/gitops.js';
import { renderReport } from '../../rightsize/output/index.js';
import { startProgress } from '../../rightsize/progress.js';
import { parseTime } from '../../rightsize/units.js';
import { parseFlags } from '../flags.js';
import { checkOutputFile } from '../output-path.js';

const HELP = `Usage: rampart rightsize --prometheus URL [options]
       rampart rightsize --demo [options]

Recommend CPU/memory requests and limits from the Prometheus a cluster already has.

Connection:
  -p, --prometheus URL            Prometheus (or Thanos/Mimir) base URL, including any path prefix
                                  (--prometheus-url is accepted too, as krr spells it)
      --demo                      try it without a cluster: start a local Prometheus (Debian package
                                  "prometheus") on 127.0.0.1 over a generated small cluster, report,
                                  stop it and remove its data (also on Ctrl-C)
      --bearer-token TOKEN        --bearer-token-file FILE    --basic-auth USER:PASS
      --header "Name: value"      extra header, repeatable (e.g. X-Scope-OrgID for Mimir tenants)
      --ca-file FILE              --insecure-skip-tls-verify
      --timeout 2m  --retries 3  --concurrency 4  --max-series-per-query 1000
Strategy:
  -s, --strategy simple|target-utilization|vpa          (default simple: krr's algorithm)
      --window 14d  --step 75s  --at TIME (RFC 3339 or Unix seconds; default now)
      --cpu-percentile 95  --memory-buffer 15  --min-cpu 10m  --min-memory 100Mi
      --points-required 100  --use-oomkill-data  --oom-memory-buffer 25  --allow-hpa
      --profile development|production|high-availability  --target-cpu-utilization F
      --target-memory-utilization F  --quantile Q          (target-utilization)
      --startup-period 5m         warn when a request is below the startup peak (0 = off)
Selection:
  -n, --namespace GLOB  --exclude-namespace GLOB  -l, --selector SEL  --workload-kind KIND
      --series KEY=NAME  --label KEY=NAME  --extra-selector 'job="kubelet"'
Output:
  -o, --output table|json|csv|yaml|html   (default: table on a terminal, json otherwise)
      --output-file FILE  --cpu-price 0.031611 (per core-hour)  --memory-price 0.004237 (per GiB-hour)
      --patch-dir DIR             write Kustomize patches + kustomization.yaml
      --helm-values               write Helm values files instead of patches
      --vpa                       VerticalPodAutoscaler objects (into --patch-dir, or stdout)
      --vpa-update-mode Off       --fail-on warning|critical   --no-progress

See docs/rightsize.md for the exact formulas and the JSON schema.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags<FlagValues>(argv, FLAG_SPEC, 'rightsize');
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (positionals.length) throw new UserError(`rightsize: unexpected argument "${positionals[0]}"`);
  const output = (values.output ?? (process.stdout.isTTY ? 'table' : 'json')) as OutputFormat;
  if (!OUTPUT_FORMATS.includes(output)) {
    throw new UserError(`--output must be one of ${OUTPUT_FORMATS.join(', ')}; got "${values.output}"`);
  }
  const updateMode = values['vpa-update-mode'] ?? 'Off';
  if (!(VPA_UPDATE_MODES as readonly string[]).includes(updateMode)) {
    throw new UserError(
      `--vpa-update-mode must be one of ${VPA_UPDATE_MODES.join(', ')} (Auto is deprecated); got "${updateMode}"`,
    );
  }
  if (values['helm-values'] && !values['patch-dir'])
    throw new UserError('--helm-values needs --patch-dir DIR');
  const failOn = values['fail-on'];
  if (failOn !== undefined && failOn !== 'warning' && failOn !== 'critical') {
    throw new UserError(`--fail-on must be warning or critical; got "${failOn}"`);
  }
  checkOutputFile(values['output-file'], '--output-file', 'rightsize');
  if (!values.demo) return runReport(values, output, updateMode, failOn);
  if (values.prometheus !== undefined || values['prometheus-url'] !== undefined)
    throw new UserError(
      'rightsize: --demo starts its own Prometheus; give either --demo or --prometheus URL',
    );
  // Validate every other flag before starting anything.
  rightsizeOptions(values);
  const at = demoTime(values.at === undefined ? undefined : parseTime(values.at));
  return withDemoPrometheus(at, (prometheus) => {
    process.stderr.write(
      `rightsize: --demo: Prometheus on ${prometheus.url} over a generated cluster in ${prometheus.dir}; stopped and removed when the report is done\n`,
    );
    return runReport({ ...values, prometheus: prometheus.url, at: String(at) }, output, updateMode, failOn);
  });
}

async function runReport(
  values: FlagValues,
  output: OutputFormat,
  updateMode: string,
  failOn: string | undefined,
): Promise<number> {
  const client = new PrometheusClient(prometheusOptions(values));
  const options = rightsizeOptions(values);
  const progress = values['no-progress'] ? undefined : startProgress(process.stderr);
  let report: Awaited<ReturnType<typeof rightsize>>;
  try {
    report = await rightsize(client, { ...options, onProgress: progress?.update });
  } finally {
    progress?.stop();
  }
  // No data is not a clean bill of health (score 0, exit 0): say which queries came back empty and why.
  if (report.noData) {
    throw new UserError(
      `rightsize: no data from ${report.prometheus}: ${report.noData.map((q) => `the ${q}`).join('; ')} returned nothing.\n` +
        'Likely causes: a job or cluster label that differs from the defaults (--extra-selector, --label), ' +
        'metrics renamed by recording rules (--series KEY=NAME), or a window with no samples (--window, --at).',
    );
  }
  const text = await renderReport(report, output, { client, options });
  if (values['output-file']) writeFileSync(values['output-file'], text);
  if (values['patch-dir']) {
    const written = writeGitOps(report, values['patch-dir'], {
      helm: values['helm-values'] ?? false,
      vpa: values.vpa ?? false,
      vpaUpdateMode: updateMode,
    });
    for (const s of written.skipped) process.stderr.write(`rightsize: skipped ${s}\n`);
    process.stderr.write(`rightsize: wrote ${written.files.length} files to ${values['patch-dir']}\n`);
  } else if (values.vpa) {
    process.stdout.write([...vpaObjects(report, updateMode).files.values()].map((t) => `---\n${t}`).join(''));
  }
  if (!values['output-file'] && !(values.vpa && !values['patch-dir'])) process.stdout.write(text);
  if (failOn) {
    const hit = report.recommendations.some(
      (r) => r.severity.overall === 'CRITICAL' || (failOn === 'warning' && r.severity.overall === 'WARNING'),
    );
    return hit ? 1 : 0;
  }
  return 0;
}
