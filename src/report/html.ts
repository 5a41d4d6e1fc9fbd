import { escapeMarkup as esc } from '../core/markup.js';
import type { Result, ResultStatus } from '../core/result.js';
import { SEVERITIES, type Severity } from '../core/severity.js';

/**
 * `rampart scan -o html`: one self-contained page (inline CSS, SVG and script; nothing fetched) with
 * totals by pack, severity and namespace as bar charts, then every finding with the source lines
 * around its line, the fix and the docs link, filterable by severity and pack.
 */
export interface HtmlOptions {
  summary?: Record<ResultStatus, number>;
  /** The text of a scanned file, for the lines around each finding (undefined: no excerpt). */
  source?: (file: string) => string | undefined;
  title?: string;
  /** Lines shown before and after a finding's line. */
  context?: number;
  toolVersion?: string;
}

const SEVERITY_FILL: Record<Severity, string> = {
  critical: '#7f1d1d',
  high: '#dc2626',
  medium: '#d97706',
  low: '#0891b2',
  info: '#6b7280',
};

function add(m: Map<string, number>, key: string): void {
  m.set(key, (m.get(key) ?? 0) + 1);
}

function ranked(m: Map<string, number>): [string, number][] {
  return [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

function isFinding(r: Result): boolean {
  return r.status === 'fail' || r.status === 'warn' || r.status === 'error';
}

/** A horizontal bar chart as inline SVG; each bar carries its label and count as data attributes. */
function barChart(
  id: string,
  title: string,
  rows: [string, number][],
  fill: (label: string) => string,
): string {
  const max = Math.max(1, ...rows.map(([, n]) => n));
  const height = rows.length * 24 + 8;
  const bars = rows
    .map(([label, n], i) => {
      const w = Math.max(2, Math.round((n / max) * 260));
      const y = 4 + i * 24;
      return `<g class="bar" data-label="${esc(label)}" data-count="${n}"><text x="0" y="${y + 15}">${esc(label || '(cluster)')}</text><rect x="150" y="${y + 2}" width="${w}" height="16" fill="${fill(label)}"/><text x="${156 + w}" y="${y + 15}">${n}</text></g>`;
    })
    .join('');
  return `<figure class="chart" id="${id}"><figcaption>${esc(title)}</figcaption><svg width="460" height="${height}" role="img" aria-label="${esc(title)}">${bars}</svg></figure>`;
}

function excerpt(lines: readonly string[] | undefined, line: number, context: number): string {
  if (lines === undefined || line < 1) return '';
  const from = Math.max(1, line - context);
  const to = Math.min(lines.length, line + context);
  const rows: string[] = [];
  for (let n = from; n <= to; n++) {
    rows.push(
      `<span class="src${n === line ? ' hit' : ''}"><span class="ln">${n}</span>${esc(lines[n - 1] ?? '')}</span>`,
    );
  }
  return `<pre class="excerpt">${rows.join('')}</pre>`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#111;background:#fafafa}
h1{font-size:20px;margin:0 0 4px}.totals{margin:0 0 16px;color:#444}
.charts{display:flex;flex-wrap:wrap;gap:16px}.chart{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px 12px;margin:0}
.chart figcaption{font-weight:600;margin-bottom:4px}.chart text{font-size:12px}
.filters{margin:16px 0;display:flex;gap:16px;flex-wrap:wrap}.filters label{margin-right:8px}
.finding{background:#fff;border:1px solid #ddd;border-left:6px solid var(--sev);border-radius:6px;padding:8px 12px;margin:8px 0}
.finding h2{font-size:14px;margin:0}.where{font-family:ui-monospace,monospace;color:#333}.sev{color:var(--sev);font-weight:700;text-transform:uppercase}
.excerpt{background:#f4f4f5;padding:6px;overflow:auto;font-size:12px}.src{display:block}.hit{background:#fde68a}
.ln{display:inline-block;width:4em;color:#888;user-select:none}.fix{margin:4px 0}.hidden{display:none}`;

/** Shows only findings whose severity and pack are ticked (or named in the URL's #hash); counts what is visible. */
const SCRIPT = `(function(){
function apply(){
  var sev={},pack={};
  document.querySelectorAll('input[data-filter]').forEach(function(i){(i.dataset.filter==='severity'?sev:pack)[i.value]=i.checked;});
  var shown=0;
  document.querySelectorAll('.finding').forEach(function(f){
    var ok=sev[f.dataset.severity]!==false&&pack[f.dataset.pack]!==false;
    f.classList.toggle('hidden',!ok); if(ok) shown++;
  });
  document.getElementById('shown').textContent=String(shown);
}
// A link can preselect: report.html#severity=critical,high&pack=gpu-isolation
var wanted={};(location.hash||'').slice(1).split('&').forEach(function(kv){var p=kv.split('=');if(p[1])wanted[p[0]]=p[1].split(',');});
document.querySelectorAll('input[data-filter]').forEach(function(i){
  if(wanted[i.dataset.filter]) i.checked=wanted[i.dataset.filter].indexOf(i.value)>=0;
  i.addEventListener('change',apply);});
apply(); document.body.dataset.ready='true';
})();`;

export function renderScanHtml(results: Iterable<Result>, options: HtmlOptions = {}): string {
  return [...renderScanHtmlChunks(results, options)].join('');
}

/**
 * renderScanHtml's page in pieces, a finding at a time: the results are read twice (totals for the
 * charts, then the findings), never held, so a scan with very many findings is written in bounded memory.
 */
export function* renderScanHtmlChunks(
  results: Iterable<Result>,
  options: HtmlOptions = {},
): Generator<string> {
  const context = options.context ?? 3;
  let total = 0;
  const severities = new Map<string, number>();
  const packCounts = new Map<string, number>();
  const namespaceCounts = new Map<string, number>();
  for (const r of results) {
    if (!isFinding(r)) continue;
    total++;
    add(severities, r.severity);
    add(packCounts, r.category || '(none)');
    add(namespaceCounts, r.resource.kind === 'Namespace' ? r.resource.name : (r.resource.namespace ?? ''));
  }
  const bySeverity = SEVERITIES.slice()
    .reverse()
    .map((s) => [s, severities.get(s) ?? 0] as [string, number])
    .filter(([, n]) => n > 0);
  const packs = ranked(packCounts);
  const namespaces = ranked(namespaceCounts);
  // Findings come by file: the lines of the file at hand are kept, not every file's text.
  let linesOf: { file: string; lines: string[] | undefined } | undefined;
  const sourceLines = (file: string) => {
    if (linesOf?.file !== file) linesOf = { file, lines: options.source?.(file)?.split(/\r?\n/) };
    return linesOf.lines;
  };
  const filter = (kind: string, values: string[]) =>
    `<fieldset><legend>${kind}</legend>${values
      .map(
        (v) =>
          `<label><input type="checkbox" data-filter="${kind}" value="${esc(v)}" checked> ${esc(v)}</label>`,
      )
      .join('')}</fieldset>`;
  const c = options.summary;
  const totals = c
    ? `${c.fail} failed, ${c.warn} warnings, ${c.error} errors, ${c.pass} passed, ${c.skip} skipped`
    : '';
  yield `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(options.title ?? 'rampart scan')}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<style>${STYLE}</style></head>
<body>
<h1>${esc(options.title ?? 'rampart scan')}</h1>
<p class="totals"><span id="findings-total" data-count="${total}">${total} findings</span>${totals ? ` · ${totals}` : ''}${options.toolVersion ? ` · rampart ${esc(options.toolVersion)}` : ''}</p>
<div class="charts">
${barChart('by-pack', 'Findings by pack', packs, () => '#4f46e5')}
${barChart('by-severity', 'Findings by severity', bySeverity, (s) => SEVERITY_FILL[s as Severity] ?? '#6b7280')}
${barChart('by-namespace', 'Findings by namespace', namespaces, () => '#0d9488')}
</div>
<div class="filters">${filter(
    'severity',
    bySeverity.map(([s]) => s),
  )}${filter(
    'pack',
    packs.map(([p]) => p),
  )}<p>Showing <span id="shown">${total}</span> of ${total}</p></div>
<main>
`;
  let first = true;
  for (const r of results) {
    if (!isFinding(r)) continue;
    const res = [r.resource.kind, r.resource.namespace, r.resource.name].filter(Boolean).join('/');
    const where = r.origin ? `${r.origin.file}:${r.origin.line}:${r.origin.column}` : '';
    const docs = r.docs ? ` <a class="docs" href="${esc(r.docs)}">docs</a>` : '';
    yield `${first ? '' : '\n'}<article class="finding" data-severity="${r.severity}" data-pack="${esc(r.category || '(none)')}" style="--sev:${SEVERITY_FILL[r.severity]}">
<h2><span class="sev">${r.severity}</span> ${esc(`${r.policy}/${r.rule}`)} <span class="res">${esc(res)}</span></h2>
<div class="where">${esc(where)}${r.origin?.path ? ` <code>${esc(r.origin.path)}</code>` : ''}</div>
<p class="message">${esc(r.message)}</p>
${r.origin ? excerpt(sourceLines(r.origin.file), r.origin.line, context) : ''}
${r.fix ? `<p class="fix"><strong>Fix:</strong> ${esc(r.fix)}${docs}</p>` : docs ? `<p class="fix">${docs}</p>` : ''}
</article>`;
    first = false;
  }
  yield `
</main>
<script>${SCRIPT}</script>
</body></html>
`;
}
