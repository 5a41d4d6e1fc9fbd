/**
 * Go's time.Parse with reference layouts ("2006-01-02T15:04:05Z07:00") and RFC 3339 formatting,
 * as Kyverno's time_* JMESPath functions use them. Times keep nanoseconds and the parsed UTC offset,
 * because Go formats a time in the zone it was parsed in.
 */

export interface GoTime {
  /** Unix seconds. */
  sec: number;
  /** Nanoseconds within the second, 0..999999999. */
  nsec: number;
  /** Seconds east of UTC. */
  offset: number;
}

export class TimeParseError extends Error {}

export const RFC3339 = '2006-01-02T15:04:05Z07:00';

const LONG_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

type Chunk = { kind: 'lit'; text: string } | { kind: 'std'; text: string };

const STD_PREFIXES = [
  'January',
  'Jan',
  'Monday',
  'Mon',
  'MST',
  '2006',
  '002',
  '01',
  '02',
  '03',
  '04',
  '05',
  '06',
  '15',
  '__2',
  '_2',
  'PM',
  'pm',
  '-07:00:00',
  '-070000',
  '-07:00',
  '-0700',
  '-07',
  'Z07:00:00',
  'Z070000',
  'Z07:00',
  'Z0700',
  'Z07',
  '1',
  '2',
  '3',
  '4',
  '5',
];

function splitLayout(layout: string): Chunk[] {
  const chunks: Chunk[] = [];
  let lit = '';
  let i = 0;
  outer: while (i < layout.length) {
    const c = layout[i]!;
    if ((c === '.' || c === ',') && (layout[i + 1] === '0' || layout[i + 1] === '9')) {
      const digit = layout[i + 1]!;
      let j = i + 1;
      while (layout[j] === digit) j++;
      if (!/[0-9]/.test(layout[j] ?? '')) {
        if (lit) chunks.push({ kind: 'lit', text: lit });
        lit = '';
        chunks.push({ kind: 'std', text: layout.slice(i, j) });
        i = j;
        continue;
      }
    }
    for (const p of STD_PREFIXES) {
      if (layout.startsWith(p, i)) {
        // "_2006" is a literal underscore followed by the long year.
        if (p === '_2' && layout.startsWith('_2006', i)) break;
        if (lit) chunks.push({ kind: 'lit', text: lit });
        lit = '';
        chunks.push({ kind: 'std', text: p });
        i += p.length;
        continue outer;
      }
    }
    lit += c;
    i++;
  }
  if (lit) chunks.push({ kind: 'lit', text: lit });
  return chunks;
}

const layoutCache = new Map<string, Chunk[]>();

function chunksOf(layout: string): Chunk[] {
  let chunks = layoutCache.get(layout);
  if (!chunks) {
    chunks = splitLayout(layout);
    if (layoutCache.size < 256) layoutCache.set(layout, chunks);
  }
  return chunks;
}

function daysIn(month: number, year: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** time.Parse(layout, value). */
export function parseGoTime(layout: string, value: string): GoTime {
  const original = value;
  const fail = (rest: string, elem: string, extra = ''): never => {
    throw new TimeParseError(
      `parsing time ${JSON.stringify(original)} as ${JSON.stringify(layout)}: cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(elem)}${extra}`,
    );
  };
  const rangeError = (what: string): never => {
    throw new TimeParseError(`parsing time ${JSON.stringify(original)}: ${what} out of range`);
  };
  let year = 1;
  let month = -1;
  let day = -1;
  let yday = -1;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let nsec = 0;
  let pmSet = false;
  let amSet = false;
  let offset: number | undefined;
  const chunks = chunksOf(layout);
  const num = (fixed: number, min1 = 1): number => {
    const m = (fixed ? new RegExp(`^\\d{${fixed}}`) : new RegExp(`^\\d{${min1},2}`)).exec(value);
    if (!m) return Number.NaN;
    value = value.slice(m[0].length);
    return Number(m[0]);
  };
  for (let ci = 0; ci < chunks.length; ci++) {
    const chunk = chunks[ci]!;
    if (chunk.kind === 'lit') {
      if (!value.startsWith(chunk.text)) fail(value, chunk.text);
      value = value.slice(chunk.text.length);
      continue;
    }
    const std = chunk.text;
    const before = value;
    let ok = true;
    switch (std) {
      case '2006': {
        const m = /^\d{4}/.exec(value);
        if (!m) ok = false;
        else {
          year = Number(m[0]);
          value = value.slice(4);
        }
        break;
      }
      case '06': {
        const v = num(2);
        if (Number.isNaN(v)) ok = false;
        else year = v >= 69 ? 1900 + v : 2000 + v;
        break;
      }
      case 'January':
      case 'Jan': {
        const names = std === 'January' ? LONG_MONTHS : LONG_MONTHS.map((n) => n.slice(0, 3));
        const idx = names.findIndex((n) => value.slice(0, n.length).toLowerCase() === n.toLowerCase());
        if (idx < 0) ok = false;
        else {
          month = idx + 1;
          value = value.slice(names[idx]!.length);
        }
        break;
      }
      case 'Monday':
      case 'Mon': {
        const names = std === 'Monday' ? LONG_DAYS : LONG_DAYS.map((n) => n.slice(0, 3));
        const idx = names.findIndex((n) => value.slice(0, n.length).toLowerCase() === n.toLowerCase());
        if (idx < 0) ok = false;
        else value = value.slice(names[idx]!.length);
        break;
      }
      case '01':
      case '1': {
        month = num(std === '01' ? 2 : 0);
        if (Number.isNaN(month)) ok = false;
        else if (month < 1 || month > 12) rangeError('month');
        break;
      }
      case '02':
      case '2':
      case '_2': {
        if (std === '_2' && value[0] === ' ') value = value.slice(1);
        day = num(std === '02' ? 2 : 0);
        if (Number.isNaN(day)) ok = false;
        break;
      }
      case '002':
      case '__2': {
        if (std === '__2') value = value.replace(/^ {1,2}/, '');
        const m = (std === '002' ? /^\d{3}/ : /^\d{1,3}/).exec(value);
        if (!m) ok = false;
        else {
          yday = Number(m[0]);
          value = value.slice(m[0].length);
        }
        break;
      }
      case '15':
        hour = num(0);
        if (Number.isNaN(hour)) ok = false;
        else if (hour > 23) rangeError('hour');
        break;
      case '03':
      case '3':
        hour = num(std === '03' ? 2 : 0);
        if (Number.isNaN(hour)) ok = false;
        else if (hour > 12) rangeError('hour');
        break;
      case '04':
      case '4':
        min = num(std === '04' ? 2 : 0);
        if (Number.isNaN(min)) ok = false;
        else if (min > 59) rangeError('minute');
        break;
      case '05':
      case '5': {
        sec = num(std === '05' ? 2 : 0);
        if (Number.isNaN(sec)) ok = false;
        else if (sec > 59) rangeError('second');
        // Go accepts fractional seconds after the seconds field even when the layout has none.
        const next = chunks[ci + 1];
        const nextIsFrac = next?.kind === 'std' && /^[.,][09]/.test(next.text);
        const m = /^[.,](\d+)/.exec(value);
        if (ok && m && !nextIsFrac) {
          nsec = Number(m[1]!.slice(0, 9).padEnd(9, '0'));
          value = value.slice(m[0].length);
        }
        break;
      }
      case 'PM':
      case 'pm': {
        const p = value.slice(0, 2);
        const [pm, am] = std === 'PM' ? ['PM', 'AM'] : ['pm', 'am'];
        if (p === pm) pmSet = true;
        else if (p === am) amSet = true;
        else ok = false;
        if (ok) value = value.slice(2);
        break;
      }
      case 'MST': {
        const m = /^(UTC|GMT(?:[+-]\d{1,2})?|[A-Z]{3,5}|[A-Z][a-z][A-Z]{1,3})/.exec(value);
        if (!m) ok = false;
        else {
          const gmt = /^GMT([+-]\d{1,2})$/.exec(m[0]);
          offset = gmt ? Number(gmt[1]) * 3600 : 0;
          value = value.slice(m[0].length);
        }
        break;
      }
      default: {
        if (/^[-Z]07/.test(std)) {
          if (std[0] === 'Z' && value[0] === 'Z') {
            offset = 0;
            value = value.slice(1);
            break;
          }
          const body = std.slice(1);
          const pattern = body.replace('07', '(\\d{2})').replace(/00/g, '(\\d{2})');
          const m = new RegExp(`^([+-])${pattern}`).exec(value);
          if (!m) {
            ok = false;
            break;
          }
          const parts = m.slice(2).map(Number);
          const seconds = (parts[0] ?? 0) * 3600 + (parts[1] ?? 0) * 60 + (parts[2] ?? 0);
          offset = m[1] === '-' ? -seconds : seconds;
          value = value.slice(m[0].length);
          break;
        }
        if (/^[.,][09]+$/.test(std)) {
          const digits = std.length - 1;
          if (std[1] === '0') {
            const m = new RegExp(`^[.,](\\d{${digits}})`).exec(value);
            if (!m) ok = false;
            else {
              nsec = Number(m[1]!.slice(0, 9).padEnd(9, '0'));
              value = value.slice(m[0].length);
            }
          } else {
            const m = /^[.,](\d+)/.exec(value);
            if (m) {
              nsec = Number(m[1]!.slice(0, 9).padEnd(9, '0'));
              value = value.slice(m[0].length);
            }
          }
          break;
        }
        ok = false;
      }
    }
    if (!ok) fail(before, std);
  }
  if (value !== '') {
    throw new TimeParseError(
      `parsing time ${JSON.stringify(original)}: extra text: ${JSON.stringify(value)}`,
    );
  }
  if (pmSet && hour < 12) hour += 12;
  else if (amSet && hour === 12) hour = 0;
  if (yday >= 0) {
    const leap = daysIn(2, year) === 29;
    if (yday < 1 || yday > (leap ? 366 : 365)) rangeError('day-of-year');
    const d = new Date(Date.UTC(year, 0, yday));
    if (month >= 0 && month !== d.getUTCMonth() + 1) rangeError('day-of-year');
    month = d.getUTCMonth() + 1;
    day = d.getUTCDate();
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  if (day < 1 || day > daysIn(month, year)) rangeError('day');
  // setUTCFullYear avoids Date.UTC's mapping of years 0..99 to 1900..1999.
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, min, sec, 0);
  const off = offset ?? 0;
  return { sec: Math.floor(d.getTime() / 1000) - off, nsec, offset: off };
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

export interface CivilFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

export function civil(t: GoTime): CivilFields {
  const d = new Date((t.sec + t.offset) * 1000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
  };
}

/** t.Format(time.RFC3339): whole seconds, "Z" for a zero offset. */
export function formatRFC3339(t: GoTime): string {
  const c = civil(t);
  let zone = 'Z';
  if (t.offset !== 0) {
    const abs = Math.abs(t.offset);
    zone = `${t.offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 3600))}:${pad(Math.floor((abs % 3600) / 60))}`;
  }
  const year = c.year < 0 ? `-${pad(-c.year, 4)}` : pad(c.year, 4);
  return `${year}-${pad(c.month)}-${pad(c.day)}T${pad(c.hour)}:${pad(c.minute)}:${pad(c.second)}${zone}`;
}

export function toNanos(t: GoTime): bigint {
  return BigInt(t.sec) * 1_000_000_000n + BigInt(t.nsec);
}

export function fromNanos(ns: bigint, offset: number): GoTime {
  let sec = ns / 1_000_000_000n;
  let nsec = ns % 1_000_000_000n;
  if (nsec < 0n) {
    nsec += 1_000_000_000n;
    sec -= 1n;
  }
  return { sec: Number(sec), nsec: Number(nsec), offset };
}

export function nowLocal(): GoTime {
  const ms = Date.now();
  return {
    sec: Math.floor(ms / 1000),
    nsec: (ms % 1000) * 1_000_000,
    offset: -new Date(ms).getTimezoneOffset() * 60,
  };
}

/** Seconds from Go's zero time (January 1, year 1, UTC) to the Unix epoch. */
const ZERO_TO_UNIX = 62_135_596_800n;

/** t.Truncate(d): rounds down on absolute time since Go's zero time, keeping t's zone. */
export function truncateTime(t: GoTime, d: bigint): GoTime {
  if (d <= 0n) return t;
  const abs = (BigInt(t.sec) + ZERO_TO_UNIX) * 1_000_000_000n + BigInt(t.nsec);
  const r = abs % d;
  return fromNanos(toNanos(t) - r, t.offset);
}
