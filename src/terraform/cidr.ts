/** IPv4 CIDR blocks as integer ranges, for the AFT VPC checks. */
export interface Cidr {
  text: string;
  start: number;
  end: number;
  prefix: number;
}

export type CidrParse = { ok: true; cidr: Cidr } | { ok: false; reason: string };

export function parseCidr(text: string): CidrParse {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text.trim());
  if (!m) return { ok: false, reason: `"${text}" is not an IPv4 CIDR block like 10.0.0.0/16` };
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o, i) => o > 255 || (m[i + 1]!.length > 1 && m[i + 1]!.startsWith('0')))) {
    return { ok: false, reason: `"${text}" has an invalid address` };
  }
  const prefix = Number(m[5]);
  if (prefix > 32) return { ok: false, reason: `"${text}" has a prefix length over 32` };
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  const start = Math.floor(address / size) * size;
  if (start !== address) {
    return {
      ok: false,
      reason: `"${text}" has host bits set; the network is ${formatAddress(start)}/${prefix}`,
    };
  }
  return { ok: true, cidr: { text: text.trim(), start, end: start + size - 1, prefix } };
}

export function formatAddress(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.start <= b.end && b.start <= a.end;
}
