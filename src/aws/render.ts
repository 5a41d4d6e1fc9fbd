import { renderTable } from '../report/table.js';
import type { DoctorReport } from './doctor.js';

const MARK: Record<string, string> = {
  chosen: '✔ chosen',
  skipped: '- skipped',
  failed: '✘ failed',
  'not reached': '· not reached',
};

/** The human view: the chain, region and identity first, then the findings as the shared table. */
export function renderDoctorTable(
  report: DoctorReport,
  options: { color?: boolean; verbose?: boolean } = {},
): string {
  const lines: string[] = [];
  lines.push(
    `Shared files: ${report.configFile}, ${report.credentialsFile}`,
    '',
    'Credential chain (AWS SDK for JavaScript v3 default provider order):',
  );
  report.chain.links.forEach((link, i) => {
    const r = report.results.find((x) => x.rule === `credentials/${link.provider}`);
    lines.push(`  ${i + 1}. ${link.provider.padEnd(22)} ${MARK[link.outcome].padEnd(14)} ${link.source}`);
    lines.push(`     ${r?.message.replace(/^[a-z ]+: /, '') ?? link.reason}`);
    if (options.verbose) for (const t of link.trace) lines.push(`       sdk: ${t}`);
  });
  const creds = report.results.find((r) => r.rule === 'credentials');
  if (creds) lines.push('', `Credentials: ${creds.message}`);
  lines.push('', 'Region:');
  for (const s of report.region.sources) {
    const chosen = s.source === report.region.chosen.source ? '  ← chosen' : '';
    lines.push(
      `  ${s.source.padEnd(26)} ${(s.value ?? '-').padEnd(16)} ${s.note ? `(${s.note}) ` : ''}${chosen}`,
    );
  }
  lines.push(
    `  JavaScript v3 SDK resolves: ${report.region.jsSdk.value ?? `nothing (${report.region.jsSdk.error})`}`,
  );
  const identity = report.results.find((r) => r.rule === 'caller-identity');
  if (identity)
    lines.push(
      '',
      `Caller identity (sts:GetCallerIdentity${report.identity?.endpoint ? ` at ${report.identity.endpoint}` : ''}):`,
      `  ${identity.message}`,
      ...(identity.fix ? [`  fix: ${identity.fix}`] : []),
    );
  lines.push('', '');
  const findings = report.results.filter((r) => !r.rule.startsWith('credentials/'));
  return `${lines.join('\n')}${renderTable(findings, { color: options.color, verbose: false })}`;
}
