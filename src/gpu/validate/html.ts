import { escapeMarkup } from '../../core/markup.js';
import { countByStatus, type Result } from '../../core/result.js';
import type { Observation } from './observe.js';
import type { ValidateReport } from './run.js';
import { describeObservation } from './verdict.js';

const esc = (text: string) => escapeMarkup(text);

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1b1f24}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.pass{color:#1a7f37}.fail{color:#cf222e;font-weight:600}.warn{color:#9a6700}.error{color:#8250df}.skip{color:#6e7781}
.summary span{margin-right:1.2rem}pre{background:#f6f8fa;padding:.5rem;overflow:auto;margin:.3rem 0 0;font-size:12px}
.verdict{font-size:1.2rem;padding:.6rem 1rem;border-radius:6px;display:inline-block}
.ok{background:#dafbe1}.bad{background:#ffebe9}`;

function row(r: Result): string {
  const obs = (r.properties?.observation ?? null) as Observation | null;
  const details = obs
    ? `<details><summary>what the pod saw</summary><pre>${esc(describeObservation(obs))}\n\n${esc(obs.smiText || '(no nvidia-smi output)')}\n\n${esc(
        Object.entries(obs.env)
          .map(([k, v]) => `${k}=${v}`)
          .join('\n'),
      )}</pre></details>`
    : '';
  return `<tr><td>${esc(r.rule)}</td><td>${esc(r.title ?? '')}</td><td>${esc(r.resource.name)}</td><td class="${r.status}">${r.status.toUpperCase()}</td><td>${esc(r.severity)}</td><td>${esc(r.message)}${r.fix ? `<br><small>fix: ${esc(r.fix)}</small>` : ''}${details}</td></tr>`;
}

/** A self-contained HTML report: inline style, no scripts, no external resources. */
export function renderValidateHtml(report: ValidateReport, generatedAt = new Date()): string {
  const counts = countByStatus(report.results);
  const leak = counts.fail > 0;
  const sections = report.pools.map((p) => {
    const results = report.results.filter((r) => r.properties?.pool === p.pool);
    const notes = p.notes.length ? `<ul>${p.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '';
    return `<h2>${esc(p.pool)} — node ${esc(p.node)}</h2>${notes}<table><thead><tr><th>check</th><th>what it tries</th><th>pod</th><th>status</th><th>severity</th><th>result</th></tr></thead><tbody>${results.map(row).join('')}</tbody></table>`;
  });
  const left = report.leftBehind.length
    ? `<p class="fail">Pods that could not be deleted: ${report.leftBehind.map(esc).join(', ')}</p>`
    : '<p>All test pods were deleted.</p>';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>GPU isolation report ${esc(report.runId)}</title><style>${STYLE}</style></head>
<body><h1>GPU isolation validation</h1>
<p>Run <code>${esc(report.runId)}</code> in namespace <code>${esc(report.namespace)}</code>, ${esc(generatedAt.toISOString())}.</p>
<p class="verdict ${leak ? 'bad' : 'ok'}">${leak ? `${counts.fail} isolation failure(s)` : 'No isolation leak found'}</p>
<p class="summary"><span class="pass">${counts.pass} passed</span><span class="fail">${counts.fail} failed</span><span class="warn">${counts.warn} warnings</span><span class="error">${counts.error} errors</span><span class="skip">${counts.skip} skipped</span></p>
${report.pools.length ? sections.join('\n') : '<p class="warn">No schedulable node with an nvidia.com/gpu or nvidia.com/mig-* resource matched.</p>'}
${left}
</body></html>
`;
}
