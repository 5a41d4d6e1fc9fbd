import { appendFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UserError } from '../../core/errors.js';
import { parseSeverity, type Severity, severityRank } from '../../core/severity.js';
import { ALIGNMENT_TYPES, checkStart, SYSFS_SECTOR } from '../../disk/align.js';
import { auditDisks } from '../../disk/audit.js';
import { executePlan } from '../../disk/execute.js';
import { reportFindings } from '../../disk/findings.js';
import { buildPlan, renderPlan } from '../../disk/plan.js';
import { renderAudit } from '../../disk/render.js';
import { resolveDisk } from '../../disk/sysfs.js';
import { systemRunner } from '../../disk/tools.js';
import { parseStart } from '../../disk/units.js';
import { parseOutputFormat } from '../../report/index.js';
import { renderJsonDocument } from '../../report/json.js';
import { oneOf, parseFlags } from '../flags.js';

const USAGE = `Usage: rampart disk <audit|plan|check-alignment> [options]

  rampart disk audit [DEVICE...] [--sysfs-root DIR] [--proc-root DIR] [--no-tools]
                     [-o table|json|sarif] [--fail-on SEVERITY] [--verbose]
      Sector format (512n/512e/4Kn), partition alignment in bytes and filesystem block/sector sizes
      of every block device (or those named). Exit 0: no findings, 1: findings at or above --fail-on
      (default low), 2: usage error.

  rampart disk plan DEVICE --to 4kn [-o table|json] [--execute --yes-i-will-lose-all-data-on DEVICE]
                    [--log FILE] [--sysfs-root DIR] [--proc-root DIR]
      Ordered steps to convert DEVICE to 4Kn. DESTRUCTIVE. --execute runs them only when the
      confirmation names the same device and DEVICE is not mounted, not the root disk and not in
      use by LVM/MD/ZFS; every step is logged to stderr (and appended to --log FILE).

  rampart disk check-alignment DEVICE START [--type physical|minimal|optimal] [--sysfs-root DIR]
      Exit 0 when START is aligned, 1 when not. START needs a unit: 2048s (logical sectors),
      2048s512 (512-byte units, as sysfs), 1048576B, 1MiB. --type minimal (default) checks
      max(minimum_io_size, physical); optimal checks max(1 MiB, optimal_io_size).

See docs/disk.md.`;

type Write = (text: string) => void;
const toStdout: Write = (text) => void process.stdout.write(text);

/** `rampart disk SUB --help`: that sub-command's own section of the usage. */
function subcommandUsage(sub: string): string {
  const section = USAGE.split('\n\n').find((p) => p.trimStart().startsWith(`rampart disk ${sub} `));
  return section ? `Usage:\n${section}\n\nSee docs/disk.md.` : USAGE;
}

function wantsHelp(argv: string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/** A sysfs root without a block/ directory is a mistake (a typo in --sysfs-root), not an empty machine. */
async function checkSysfsRoot(sysfsRoot: string): Promise<void> {
  const info = await stat(join(sysfsRoot, 'block')).catch(() => undefined);
  if (!info?.isDirectory())
    throw new UserError(`disk: ${sysfsRoot} is not a sysfs tree (no ${join(sysfsRoot, 'block')} directory)`);
}

async function diskArg(sysfsRoot: string, arg: string | undefined, command: string): Promise<string> {
  if (!arg) throw new UserError(`disk ${command}: DEVICE is required\nRun "rampart disk --help" for usage.`);
  const resolved = await resolveDisk(sysfsRoot, arg);
  if (!resolved) throw new UserError(`disk ${command}: no block device "${arg}" under ${sysfsRoot}/block`);
  return resolved.disk;
}

async function audit(argv: string[], out: Write): Promise<number> {
  const { values, positionals } = parseFlags<{
    'sysfs-root'?: string;
    'proc-root'?: string;
    'no-tools'?: boolean;
    output?: string;
    'fail-on'?: string;
    verbose?: boolean;
  }>(
    argv,
    {
      'sysfs-root': { type: 'string' },
      'proc-root': { type: 'string' },
      'no-tools': { type: 'boolean' },
      output: { type: 'string', short: 'o' },
      'fail-on': { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
    },
    'disk audit',
  );
  const format = parseOutputFormat(values.output, ['table', 'json', 'sarif']);
  const failOn: Severity = values['fail-on'] ? parseSeverity(values['fail-on'], 'fail-on') : 'low';
  const sysfsRoot = values['sysfs-root'] ?? '/sys';
  await checkSysfsRoot(sysfsRoot);
  const devices = await Promise.all(positionals.map((p) => diskArg(sysfsRoot, p, 'audit')));
  // Tools open /dev nodes of this machine; they say nothing about a fixture or dumped tree.
  const useTools = !values['no-tools'] && sysfsRoot === '/sys';
  const report = await auditDisks({
    sysfsRoot,
    procRoot: values['proc-root'] ?? (sysfsRoot === '/sys' ? '/proc' : null),
    devices: [...new Set(devices)],
    runner: useTools ? systemRunner() : null,
  });
  const results = reportFindings(report);
  out(
    renderAudit(report, results, format, {
      color: out === toStdout && process.stdout.isTTY && !process.env.NO_COLOR,
      verbose: values.verbose,
    }),
  );
  const threshold = severityRank(failOn);
  return results.some((r) => r.status === 'fail' && severityRank(r.severity) >= threshold)
    ? EXIT_FINDINGS
    : EXIT_OK;
}

async function plan(argv: string[], out: Write): Promise<number> {
  const { values, positionals } = parseFlags<{
    to?: string;
    execute?: boolean;
    'yes-i-will-lose-all-data-on'?: string;
    log?: string;
    output?: string;
    'sysfs-root'?: string;
    'proc-root'?: string;
  }>(
    argv,
    {
      to: { type: 'string' },
      execute: { type: 'boolean' },
      'yes-i-will-lose-all-data-on': { type: 'string' },
      log: { type: 'string' },
      output: { type: 'string', short: 'o' },
      'sysfs-root': { type: 'string' },
      'proc-root': { type: 'string' },
    },
    'disk plan',
  );
  if (positionals.length > 1) throw new UserError('disk plan: exactly one DEVICE');
  if (values.to?.toLowerCase() !== '4kn')
    throw new UserError('disk plan: --to 4kn is required (the only target)');
  const output = oneOf(values.output, 'output', ['table', 'json'] as const, 'table');
  const sysfsRoot = values['sysfs-root'] ?? '/sys';
  await checkSysfsRoot(sysfsRoot);
  const procRoot = values['proc-root'] ?? '/proc';
  const disk = await diskArg(sysfsRoot, positionals[0], 'plan');
  const report = await auditDisks({
    sysfsRoot,
    procRoot,
    devices: [disk],
    runner: sysfsRoot === '/sys' ? systemRunner() : null,
  });
  const dev = report.devices[0];
  if (!dev) throw new UserError(`disk plan: ${disk} has no media`);
  const thePlan = buildPlan(dev, { sysfsRoot });
  out(output === 'json' ? renderJsonDocument(thePlan) : renderPlan(thePlan));
  if (!values.execute) {
    if (values['yes-i-will-lose-all-data-on'])
      throw new UserError('--yes-i-will-lose-all-data-on only means something with --execute');
    return EXIT_OK;
  }
  const logFile = values.log;
  const log = (line: string) => {
    process.stderr.write(`${line}\n`);
    if (logFile) appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);
  };
  return executePlan(thePlan, dev, {
    confirm: values['yes-i-will-lose-all-data-on'],
    sysfsRoot,
    procRoot,
    runner: systemRunner({ timeoutMs: 24 * 3600 * 1000 }),
    log,
  });
}

async function alignmentCheck(argv: string[], out: Write): Promise<number> {
  const { values, positionals } = parseFlags<{ type?: string; 'sysfs-root'?: string }>(
    argv,
    { type: { type: 'string' }, 'sysfs-root': { type: 'string' } },
    'disk check-alignment',
  );
  if (positionals.length !== 2)
    throw new UserError('disk check-alignment: DEVICE and PARTITION-START are required');
  const type = oneOf(values.type, 'type', ALIGNMENT_TYPES, 'minimal');
  const sysfsRoot = values['sysfs-root'] ?? '/sys';
  await checkSysfsRoot(sysfsRoot);
  const disk = await diskArg(sysfsRoot, positionals[0], 'check-alignment');
  const report = await auditDisks({ sysfsRoot, procRoot: null, devices: [disk], runner: null });
  const dev = report.devices[0]!;
  const startBytes = parseStart(positionals[1]!, dev.logicalBlockSizeBytes);
  const limits = {
    physicalBlockSizeBytes: dev.physicalBlockSizeBytes,
    minimumIoSizeBytes: dev.minimumIoSizeBytes,
    optimalIoSizeBytes: dev.optimalIoSizeBytes,
    alignmentOffsetBytes: dev.alignmentOffsetBytes,
  };
  const check = checkStart(startBytes, limits, type);
  const grain = check.grainBytes;
  const base =
    dev.alignmentOffsetBytes && dev.alignmentOffsetBytes > 0
      ? ` after the disk's alignment_offset ${dev.alignmentOffsetBytes} B`
      : '';
  const where = `start ${startBytes} B (${startBytes / SYSFS_SECTOR} × 512 B)`;
  out(
    check.aligned
      ? `${dev.name}: ${type} aligned: ${where} is a multiple of ${grain} B${base}\n`
      : `${dev.name}: ${type} NOT aligned: ${where} is ${check.offsetBytes} B past a multiple of ${grain} B${base}\n`,
  );
  return check.aligned ? EXIT_OK : EXIT_FINDINGS;
}

/** `out` receives what goes to stdout (tests pass their own; the node test runner owns process.stdout). */
export async function run(argv: string[], out: Write = toStdout): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    out(`${USAGE}\n`);
    return sub === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (wantsHelp(rest)) {
    out(`${subcommandUsage(sub)}\n`);
    return EXIT_OK;
  }
  switch (sub) {
    case 'audit':
      return audit(rest, out);
    case 'plan':
      return plan(rest, out);
    case 'check-alignment':
      return alignmentCheck(rest, out);
    default:
      throw new UserError(`disk: unknown sub-command "${sub}"\nRun "rampart disk --help" for usage.`);
  }
}
