/**
 * Kubernetes' ip and cidr libraries (netip semantics): strict parsing — no leading zeros in IPv4, no zones, no
 * IPv4-mapped IPv6 — family, the classification predicates, containment and masking.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { evalError, registerNamespace } from './util.js';

export class CelIP {
  /** 4 or 16 bytes. */
  constructor(readonly bytes: Uint8Array) {}
  get family(): 4 | 6 {
    return this.bytes.length === 4 ? 4 : 6;
  }
  toString(): string {
    return formatIP(this.bytes);
  }
}

export class CelCIDR {
  constructor(
    readonly ip: CelIP,
    readonly prefix: number,
  ) {}
  toString(): string {
    return `${this.ip}/${this.prefix}`;
  }
}

function parseIPv4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] ?? '';
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function parseIPv6(s: string): Uint8Array | undefined {
  if (s.includes('%')) return undefined;
  let head = s;
  let tail4: Uint8Array | undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    tail4 = parseIPv4(s.slice(lastColon + 1));
    if (!tail4) return undefined;
    head = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const group = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const left = group(halves[0] ?? '');
  const right = halves.length === 2 ? group(halves[1] ?? '') : [];
  if (!left || !right) return undefined;
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...left, ...Array(missing).fill(0), ...right];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  if (tail4) out.set(tail4, 12);
  return out;
}

export function parseIP(s: string): CelIP | string {
  if (s.includes(':')) {
    const b = parseIPv6(s);
    if (!b)
      return `IP Address ${JSON.stringify(s)} parse error during conversion from string: ParseAddr(${JSON.stringify(s)}): invalid IP address`;
    if (b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff)
      return 'IPv4-mapped IPv6 address is not allowed';
    return new CelIP(b);
  }
  const b = parseIPv4(s);
  if (!b)
    return `IP Address ${JSON.stringify(s)} parse error during conversion from string: ParseAddr(${JSON.stringify(s)}): invalid IP address`;
  return new CelIP(b);
}

export function parseCIDR(s: string): CelCIDR | string {
  const slash = s.indexOf('/');
  if (slash === -1)
    return `network address parse error during conversion from string: netip.ParsePrefix(${JSON.stringify(s)}): no '/'`;
  const ip = parseIP(s.slice(0, slash));
  if (typeof ip === 'string') return ip;
  const bits = s.slice(slash + 1);
  const max = ip.bytes.length * 8;
  if (!/^\d{1,3}$/.test(bits) || (bits.length > 1 && bits[0] === '0') || Number(bits) > max)
    return `network address parse error during conversion from string: netip.ParsePrefix(${JSON.stringify(s)}): bad bits after slash: ${JSON.stringify(bits)}`;
  return new CelCIDR(ip, Number(bits));
}

function formatIP(b: Uint8Array): string {
  if (b.length === 4) return [...b].join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i] ?? 0) << 8) | (b[i + 1] ?? 0));
  // RFC 5952: compress the longest run (length >= 2) of zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

function masked(c: CelCIDR): CelCIDR {
  const b = new Uint8Array(c.ip.bytes);
  for (let i = 0; i < b.length; i++) {
    const keep = Math.max(0, Math.min(8, c.prefix - i * 8));
    b[i] = (b[i] ?? 0) & ((0xff << (8 - keep)) & 0xff);
  }
  return new CelCIDR(new CelIP(b), c.prefix);
}

function containsIP(c: CelCIDR, ip: CelIP): boolean {
  if (ip.bytes.length !== c.ip.bytes.length) return false;
  const net = masked(c).ip.bytes;
  const other = masked(new CelCIDR(ip, c.prefix)).ip.bytes;
  return net.every((x, i) => x === other[i]);
}

function need<T>(v: T | string): T {
  if (typeof v === 'string') throw evalError(v);
  return v;
}

const isZero = (b: Uint8Array) => b.every((x) => x === 0);

export function registerIP(env: Environment): void {
  env.registerType('IP', CelIP);
  env.registerType('CIDR', CelCIDR);
  env.registerFunction('ip(string): IP', (s: string) => need(parseIP(s)));
  env.registerFunction('isIP(string): bool', (s: string) => typeof parseIP(s) !== 'string');
  const ipNs = registerNamespace(env, 'ip', 'IPNamespace');
  env.registerFunction(
    `${ipNs.type}.isCanonical(string): bool`,
    (_: unknown, s: string) => need(parseIP(s)).toString() === s,
  );
  env.registerFunction('IP.family(): int', (a: CelIP) => BigInt(a.family));
  env.registerFunction('IP.isUnspecified(): bool', (a: CelIP) => isZero(a.bytes));
  env.registerFunction('IP.isLoopback(): bool', (a: CelIP) =>
    a.family === 4 ? a.bytes[0] === 127 : isZero(a.bytes.slice(0, 15)) && a.bytes[15] === 1,
  );
  env.registerFunction('IP.isLinkLocalMulticast(): bool', (a: CelIP) =>
    a.family === 4
      ? a.bytes[0] === 224 && a.bytes[1] === 0 && a.bytes[2] === 0
      : a.bytes[0] === 0xff && ((a.bytes[1] ?? 0) & 0x0f) === 0x02,
  );
  env.registerFunction('IP.isLinkLocalUnicast(): bool', (a: CelIP) =>
    a.family === 4
      ? a.bytes[0] === 169 && a.bytes[1] === 254
      : a.bytes[0] === 0xfe && ((a.bytes[1] ?? 0) & 0xc0) === 0x80,
  );
  env.registerFunction('IP.isGlobalUnicast(): bool', (a: CelIP) => {
    const b = a.bytes;
    if (a.family === 4) {
      if (b.every((x) => x === 255)) return false;
      return !(b[0] === 0 || b[0] === 127 || (b[0] ?? 0) >= 224 || (b[0] === 169 && b[1] === 254));
    }
    return !(
      isZero(b) ||
      (isZero(b.slice(0, 15)) && b[15] === 1) ||
      b[0] === 0xff ||
      (b[0] === 0xfe && ((b[1] ?? 0) & 0xc0) === 0x80)
    );
  });
  env.registerFunction('string(IP): string', (a: CelIP) => a.toString());
  env.registerOperator('IP == IP', (a: CelIP, b: CelIP) => a.toString() === b.toString());

  env.registerFunction('cidr(string): CIDR', (s: string) => need(parseCIDR(s)));
  env.registerFunction('isCIDR(string): bool', (s: string) => typeof parseCIDR(s) !== 'string');
  env.registerFunction('CIDR.containsIP(IP): bool', containsIP);
  env.registerFunction('CIDR.containsIP(string): bool', (c: CelCIDR, s: string) =>
    containsIP(c, need(parseIP(s))),
  );
  const containsCIDR = (c: CelCIDR, o: CelCIDR) => o.prefix >= c.prefix && containsIP(c, o.ip);
  env.registerFunction('CIDR.containsCIDR(CIDR): bool', containsCIDR);
  env.registerFunction('CIDR.containsCIDR(string): bool', (c: CelCIDR, s: string) =>
    containsCIDR(c, need(parseCIDR(s))),
  );
  env.registerFunction('CIDR.ip(): IP', (c: CelCIDR) => c.ip);
  env.registerFunction('CIDR.masked(): CIDR', masked);
  env.registerFunction('CIDR.prefixLength(): int', (c: CelCIDR) => BigInt(c.prefix));
  env.registerFunction('string(CIDR): string', (c: CelCIDR) => c.toString());
  env.registerOperator('CIDR == CIDR', (a: CelCIDR, b: CelCIDR) => a.toString() === b.toString());
}
