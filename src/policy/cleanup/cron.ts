/**
 * Validates a cleanup policy's `schedule` the way Kyverno does (robfig/cron ParseStandard): five
 * fields (minute hour day-of-month month day-of-week) with `*`, `?`, ranges, steps and lists, names
 * for months and weekdays, the `@yearly`…`@hourly` descriptors and `@every <duration>`, optionally
 * after `TZ=` or `CRON_TZ=`. Returns a problem description, or undefined when the schedule is valid.
 */

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const FIELDS: FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  { name: 'day of week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

const DESCRIPTORS = new Set([
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly',
]);
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;

function parseValue(text: string, spec: FieldSpec): number | string {
  const named = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + (spec.min === 1 ? 1 : 0);
  if (!/^\d+$/.test(text)) return `failed to parse "${text}"`;
  return Number(text);
}

function checkField(text: string, spec: FieldSpec): string | undefined {
  for (const part of text.split(',')) {
    const [range, step, extra] = part.split('/');
    if (extra !== undefined) return `too many slashes: "${part}"`;
    if (step !== undefined && (!/^\d+$/.test(step) || Number(step) === 0))
      return `bad step "${step}" in "${part}"`;
    if (range === '*' || range === '?') continue;
    const bounds = range!.split('-');
    if (bounds.length > 2) return `too many hyphens: "${range}"`;
    const values = bounds.map((b) => parseValue(b, spec));
    for (const v of values) {
      if (typeof v === 'string') return v;
      if (v < spec.min || v > spec.max) return `${v} is out of range ${spec.min}-${spec.max}`;
    }
    if (values.length === 2 && (values[0] as number) > (values[1] as number)) {
      return `beginning of range (${values[0]}) beyond end of range (${values[1]})`;
    }
  }
  return undefined;
}

export function cronProblem(schedule: unknown): string | undefined {
  if (typeof schedule !== 'string' || schedule.trim() === '') return 'a cron schedule is required';
  let text = schedule.trim();
  const tz = /^(CRON_TZ|TZ)=(\S+)\s+(.*)$/s.exec(text);
  if (tz) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz[2] });
    } catch {
      return `unknown time zone ${tz[2]}`;
    }
    text = tz[3]!.trim();
  }
  if (text.startsWith('@')) {
    if (DESCRIPTORS.has(text)) return undefined;
    const every = /^@every\s+(\S+)$/.exec(text);
    if (every) return GO_DURATION.test(every[1]!) ? undefined : `failed to parse duration ${every[1]}`;
    return `unrecognized descriptor: ${text}`;
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: "${text}"`;
  for (let i = 0; i < 5; i++) {
    const problem = checkField(fields[i]!, FIELDS[i]!);
    if (problem) return `${FIELDS[i]!.name}: ${problem}`;
  }
  return undefined;
}
