/** One CSV field: empty for null/undefined, quoted when it holds a quote, comma or line break. */
function field(value: unknown): string {
  if (value === null || value === undefined) return '';
  const s = String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV: a header line, then one line per row, CRLF line ends. */
export function renderCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const lines = [header.map(field).join(','), ...rows.map((r) => r.map(field).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
