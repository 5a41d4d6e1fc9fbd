import { formatCpu, formatMemory } from '../../core/units/resources.js';
import type { LabelNames, SeriesNames } from '../config.js';
import type { Recommendation, Report } from '../model.js';
import type { PrometheusClient } from '../prometheus.js';
import { globToRegex, matchers, quote } from '../promql.js';
import { formatDuration } from '../units.js';

export interface ChartSource {
  client: PrometheusClient;
  options: {
    at: number;
    windowSeconds: number;
    series: SeriesNames;
    labels: LabelNames;
    namespaces: string[];
    excludeNamespaces: string[];
    extraSelector?: string;
  };
}

type Points = Array<[number, number]>;
export type ChartData = Map<string, { cpu: Points; memory: Points }>;

const POINTS = 240;

/** Usage over the window at ~240 points per container: per-step max over the workload's pods. */
export async function fetchCharts(report: Report, src: ChartSource): Promise<ChartData> {
  const o = src.options;
  const L = o.labels;
  const step = Math.max(60, Math.ceil(o.windowSeconds / POINTS / 60) * 60);
  const ns = [...new Set(report.recommendations.map((r) => r.namespace))];
  const sel = matchers(
    `${L.container}!=""`,
    `${L.container}!="POD"`,
    ns.length ? `${L.namespace}=~${quote(ns.map(globToRegex).join('|'))}` : undefined,
    o.extraSelector,
  );
  const by = `${L.namespace}, ${L.pod}, ${L.container}`;
  const s = formatDuration(step);
  const start = o.at - o.windowSeconds;
  const [cpu, mem] = await Promise.all([
    src.client.range(`max by (${by}) (rate(${o.series.cpu}{${sel}}[${s}]))`, start, o.at, step),
    src.client.range(`max by (${by}) (max_over_time(${o.series.memory}{${sel}}[${s}]))`, start, o.at, step),
  ]);
  const out: ChartData = new Map();
  const add = (series: typeof cpu, field: 'cpu' | 'memory') => {
    for (const x of series) {
      const nsName = x.metric[L.namespace] ?? '';
      const pod = x.metric[L.pod] ?? '';
      const ctr = x.metric[L.container] ?? '';
      const row = matchRow(report, nsName, pod, ctr);
      if (!row) continue;
      const entry = out.get(row) ?? { cpu: [], memory: [] };
      const merged = new Map(entry[field]);
      for (const [t, v] of x.values) if (Number.isFinite(v)) merged.set(t, Math.max(merged.get(t) ?? 0, v));
      entry[field] = [...merged].sort((a, b) => a[0] - b[0]);
      out.set(row, entry);
    }
  };
  add(cpu, 'cpu');
  add(mem, 'memory');
  return out;
}

function matchRow(report: Report, ns: string, pod: string, ctr: string): string | undefined {
  let best: Recommendation | undefined;
  for (const r of report.recommendations) {
    if (r.namespace !== ns || r.container !== ctr) continue;
    const name = r.workload.name;
    if (pod === name || pod.startsWith(`${name}-`)) {
      if (!best || name.length > best.workload.name.length) best = r;
    }
  }
  return best ? rowKey(best) : undefined;
}

function rowKey(r: Recommendation): string {
  return `${r.namespace}/${r.workload.kind}/${r.workload.name}/${r.container}`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function svgChart(
  title: string,
  points: Points,
  lines: Array<{ label: string; value: number | null; color: string; dash?: boolean }>,
  start: number,
  end: number,
  fmt: (v: number) => string,
): string {
  const W = 560;
  const H = 180;
  const P = { l: 64, r: 10, t: 20, b: 22 };
  const values = [...points.map((p) => p[1]), ...lines.map((l) => l.value ?? 0)];
  const max = Math.max(1e-9, ...values) * 1.1;
  const x = (t: number) => P.l + ((t - start) / Math.max(1, end - start)) * (W - P.l - P.r);
  const y = (v: number) => H - P.b - (v / max) * (H - P.t - P.b);
  const path = points.map(([t, v], i) => `${i ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`).join('');
  const ticks = [0, 0.5, 1].map(
    (f) =>
      `<text x="${P.l - 4}" y="${y(max * f).toFixed(1)}" text-anchor="end" font-size="10">${esc(fmt(max * f))}</text>`,
  );
  const day = (t: number) => new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' ');
  ticks.push(
    `<text x="${P.l}" y="${H - 6}" font-size="10">${esc(day(start))}</text>`,
    `<text x="${W - P.r}" y="${H - 6}" text-anchor="end" font-size="10">${esc(day(end))}</text>`,
  );
  const refs = lines
    .filter((l) => l.value !== null)
    .map(
      (l) =>
        `<line x1="${P.l}" x2="${W - P.r}" y1="${y(l.value!).toFixed(1)}" y2="${y(l.value!).toFixed(1)}" stroke="${l.color}"${l.dash ? ' stroke-dasharray="6 4"' : ''} stroke-width="1.5"><title>${esc(l.label)}: ${esc(fmt(l.value!))}</title></line>`,
    );
  const legend = lines
    .filter((l) => l.value !== null)
    .map((l) => `<span style="color:${l.color}">${l.dash ? '┄' : '━'} ${esc(l.label)}</span>`)
    .join(' ');
  return `<figure class="chart"><figcaption>${esc(title)}</figcaption><svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">
<rect x="${P.l}" y="${P.t}" width="${W - P.l - P.r}" height="${H - P.t - P.b}" fill="#fafafa" stroke="#ddd"/>
${ticks.join('')}
<path class="usage" d="${path}" fill="none" stroke="#1f77b4" stroke-width="1.2"/>
${refs.join('\n')}
</svg><div class="legend"><span style="color:#1f77b4">━ usage</span> ${legend}</div></figure>`;
}

/** One self-contained page: summary, a table sortable by savings, and a chart pair per container. */
export function renderHtml(report: Report, charts: ChartData, windowSeconds: number): string {
  const end = report.at;
  const start = end - windowSeconds;
  const cards = report.recommendations.map((r) => {
    const c = charts.get(rowKey(r)) ?? { cpu: [], memory: [] };
    const cpu = svgChart(
      'CPU (cores)',
      c.cpu,
      [
        { label: 'current request', value: r.current.requests.cpu, color: '#7f7f7f', dash: true },
        { label: 'current limit', value: r.current.limits.cpu, color: '#d62728', dash: true },
        { label: 'recommended request', value: r.recommended.requests.cpu, color: '#2ca02c' },
        { label: 'recommended limit', value: r.recommended.limits.cpu, color: '#ff7f0e' },
      ],
      start,
      end,
      (v) => formatCpu(Math.ceil(v * 1000) / 1000),
    );
    const mem = svgChart(
      'Memory (working set)',
      c.memory,
      [
        { label: 'current request', value: r.current.requests.memory, color: '#7f7f7f', dash: true },
        { label: 'current limit', value: r.current.limits.memory, color: '#d62728', dash: true },
        { label: 'recommended request', value: r.recommended.requests.memory, color: '#2ca02c' },
        { label: 'recommended limit', value: r.recommended.limits.memory, color: '#ff7f0e' },
      ],
      start,
      end,
      (v) => formatMemory(Math.ceil(v / 2 ** 20) * 2 ** 20),
    );
    const reasons = Object.entries(r.reason).map(([k, v]) => `<li>${esc(k)}: ${esc(v)}</li>`);
    const warnings = r.warnings.map((w) => `<li class="warn">${esc(w)}</li>`);
    return `<section class="card" data-savings="${r.savings.total}" data-severity="${r.severity.overall}">
<h2>${esc(r.namespace)} / ${esc(r.workload.kind)}/${esc(r.workload.name)} — ${esc(r.container)}${r.role === 'app' ? '' : ` (${r.role})`}</h2>
<p>CPU request ${esc(formatCpu(r.current.requests.cpu))} → <b>${esc(formatCpu(r.recommended.requests.cpu))}</b>,
limit ${esc(formatCpu(r.current.limits.cpu))} → <b>${esc(formatCpu(r.recommended.limits.cpu))}</b>;
memory request ${esc(formatMemory(r.current.requests.memory))} → <b>${esc(formatMemory(r.recommended.requests.memory))}</b>,
limit ${esc(formatMemory(r.current.limits.memory))} → <b>${esc(formatMemory(r.recommended.limits.memory))}</b>.
QoS ${r.qos.current} → ${r.qos.recommended}. Savings <b>$${r.savings.total.toFixed(2)}</b>/month. Severity <span class="sev ${r.severity.overall}">${r.severity.overall}</span>.</p>
${reasons.length || warnings.length ? `<ul>${reasons.join('')}${warnings.join('')}</ul>` : ''}
<div class="charts">${cpu}${mem}</div>
</section>`;
  });
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Rampart right-sizing report</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222}
.card{border:1px solid #ddd;border-radius:6px;padding:8px 16px;margin:12px 0}
.charts{display:flex;flex-wrap:wrap;gap:12px}.chart{margin:0}.legend{font-size:11px}
.sev.CRITICAL{color:#b00}.sev.WARNING{color:#b60}.warn{color:#b60}
button{margin-right:8px}
</style></head><body>
<h1>Right-sizing report</h1>
<p id="summary">Strategy <b>${esc(report.strategy.name)}</b> at ${esc(new Date(report.at * 1000).toISOString())} from ${esc(report.prometheus)}.
Score <b>${report.score.value} (${report.score.letter})</b>. ${report.recommendations.length} containers.
Monthly savings <b>$${report.totals.monthlySavings.toFixed(2)}</b>.</p>
<p><button id="sort-savings">Sort by savings</button><button id="sort-name">Sort by name</button></p>
<main id="cards">
${cards.join('\n')}
</main>
<script>
(function () {
  var main = document.getElementById('cards');
  function sort(key) {
    var cards = Array.prototype.slice.call(main.children);
    cards.sort(function (a, b) {
      return key === 'savings'
        ? Number(b.dataset.savings) - Number(a.dataset.savings)
        : a.querySelector('h2').textContent.localeCompare(b.querySelector('h2').textContent);
    });
    cards.forEach(function (c) { main.appendChild(c); });
    document.body.dataset.sorted = key;
  }
  document.getElementById('sort-savings').onclick = function () { sort('savings'); };
  document.getElementById('sort-name').onclick = function () { sort('name'); };
  sort('savings');
})();
</script>
</body></html>
`;
}
