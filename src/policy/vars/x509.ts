/**
 * x509_decode: a PEM certificate as the JSON Kyverno produces from Go's x509.Certificate (the fields
 * policies use: Subject, Issuer, NotBefore, NotAfter, SerialNumber, DNSNames, IsCA, PublicKey {N, E},
 * ...), and PKCS #10 certificate requests likewise. Kyverno accepts RSA keys only.
 */
import { createPublicKey, X509Certificate } from 'node:crypto';

const NAME_OIDS: Record<string, { oid: number[]; field?: string }> = {
  C: { oid: [2, 5, 4, 6], field: 'Country' },
  O: { oid: [2, 5, 4, 10], field: 'Organization' },
  OU: { oid: [2, 5, 4, 11], field: 'OrganizationalUnit' },
  L: { oid: [2, 5, 4, 7], field: 'Locality' },
  ST: { oid: [2, 5, 4, 8], field: 'Province' },
  street: { oid: [2, 5, 4, 9], field: 'StreetAddress' },
  postalCode: { oid: [2, 5, 4, 17], field: 'PostalCode' },
  serialNumber: { oid: [2, 5, 4, 5] },
  CN: { oid: [2, 5, 4, 3] },
};

function pkixName(text: string): Record<string, unknown> {
  const name: Record<string, unknown> = {
    Country: null,
    Organization: null,
    OrganizationalUnit: null,
    Locality: null,
    Province: null,
    StreetAddress: null,
    PostalCode: null,
    SerialNumber: '',
    CommonName: '',
    Names: [] as unknown[],
    ExtraNames: null,
  };
  const names = name.Names as unknown[];
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    const known = NAME_OIDS[key];
    if (!known) continue;
    names.push({ Type: known.oid, Value: value });
    if (key === 'CN') name.CommonName = value;
    else if (key === 'serialNumber') name.SerialNumber = value;
    else if (known.field) {
      const list = (name[known.field] as string[] | null) ?? [];
      list.push(value);
      name[known.field] = list;
    }
  }
  return name;
}

function rfc3339(dateText: string): string {
  return new Date(dateText).toISOString().replace(/\.000Z$/, 'Z');
}

function base64UrlToDecimal(b64url: string): string {
  const hex = Buffer.from(b64url, 'base64url').toString('hex');
  return BigInt(`0x${hex || '0'}`).toString(10);
}

function altNames(san: string | undefined, prefix: string): string[] | null {
  if (!san) return null;
  const out = san
    .split(', ')
    .filter((p) => p.startsWith(prefix))
    .map((p) => p.slice(prefix.length));
  return out.length > 0 ? out : null;
}

interface Der {
  tag: number;
  /** Content bytes. */
  body: Buffer;
  /** The whole element, header included. */
  raw: Buffer;
}

function readDer(buf: Buffer, offset = 0): Der & { end: number } {
  const tag = buf[offset];
  let len = buf[offset + 1];
  if (tag === undefined || len === undefined) throw new Error('asn1: truncated element');
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[pos + i] ?? 0);
    pos += n;
  }
  if (pos + len > buf.length) throw new Error('asn1: truncated element');
  return { tag, body: buf.subarray(pos, pos + len), raw: buf.subarray(offset, pos + len), end: pos + len };
}

function children(el: Der): Der[] {
  const out: Der[] = [];
  let offset = 0;
  while (offset < el.body.length) {
    const child = readDer(el.body, offset);
    out.push(child);
    offset = child.end;
  }
  return out;
}

function oid(el: Der): string {
  const b = el.body;
  const parts = [Math.floor(b[0]! / 40), b[0]! % 40];
  let v = 0;
  for (let i = 1; i < b.length; i++) {
    v = v * 128 + (b[i]! & 0x7f);
    if (!(b[i]! & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

const OID_TO_SHORT: Record<string, string> = Object.fromEntries(
  Object.entries(NAME_OIDS).map(([short, { oid: o }]) => [o.join('.'), short]),
);

/** A DER Name as the "KEY=value" lines Node prints for certificates, so pkixName can read both. */
function nameText(name: Der): string {
  const lines: string[] = [];
  for (const rdn of children(name)) {
    for (const atv of children(rdn)) {
      const [type, value] = children(atv);
      if (!type || !value) continue;
      const short = OID_TO_SHORT[oid(type)];
      if (short) lines.push(`${short}=${value.body.toString('utf8')}`);
    }
  }
  return lines.join('\n');
}

/** Subject alternative names from a CSR's extensionRequest attribute. */
function csrAltNames(attributes: Der | undefined): string {
  const names: string[] = [];
  for (const attr of attributes ? children(attributes) : []) {
    const [type, values] = children(attr);
    if (!type || !values || oid(type) !== '1.2.840.113549.1.9.14') continue;
    for (const exts of children(values)) {
      for (const ext of children(exts)) {
        const parts = children(ext);
        if (!parts[0] || oid(parts[0]) !== '2.5.29.17') continue;
        const general = readDer(parts[parts.length - 1]!.body);
        for (const gn of children(general)) {
          const kind = gn.tag & 0x1f;
          if (kind === 2) names.push(`DNS:${gn.body.toString('ascii')}`);
          else if (kind === 1) names.push(`email:${gn.body.toString('ascii')}`);
          else if (kind === 6) names.push(`URI:${gn.body.toString('ascii')}`);
          else if (kind === 7 && gn.body.length === 4) names.push(`IP Address:${[...gn.body].join('.')}`);
        }
      }
    }
  }
  return names.join(', ');
}

function rsaPublicKey(spki: Buffer): { N: string; E: number } {
  const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'rsa') throw new Error('certificate should use rsa algorithm');
  const jwk = key.export({ format: 'jwk' });
  return {
    N: base64UrlToDecimal(jwk.n ?? ''),
    E: Number(BigInt(`0x${Buffer.from(jwk.e ?? '', 'base64url').toString('hex') || '0'}`)),
  };
}

/** A PKCS #10 request as Go's x509.CertificateRequest encodes to JSON (the commonly used fields). */
function decodeCsr(pem: string): Record<string, unknown> {
  const b64 = pem.replace(/-----(BEGIN|END) CERTIFICATE REQUEST-----/g, '').replace(/\s+/g, '');
  const der = Buffer.from(b64, 'base64');
  const [info] = children(readDer(der));
  if (!info) throw new Error('asn1: structure error: empty certificate request');
  const [version, subject, spki, attributes] = children(info);
  if (!version || !subject || !spki) throw new Error('asn1: structure error: malformed certificate request');
  const san = csrAltNames(attributes);
  return {
    Raw: der.toString('base64'),
    Version: version.body[0] ?? 0,
    Subject: pkixName(nameText(subject)),
    PublicKeyAlgorithm: 1,
    PublicKey: rsaPublicKey(spki.raw),
    DNSNames: altNames(san, 'DNS:'),
    EmailAddresses: altNames(san, 'email:'),
    IPAddresses: altNames(san, 'IP Address:'),
    URIs: altNames(san, 'URI:'),
  };
}

export function decodeX509(pem: string): Record<string, unknown> {
  const block = /-----BEGIN ([A-Z ]+)-----/.exec(pem);
  if (!block) throw new Error('failed to decode PEM block');
  if (block[1] === 'CERTIFICATE REQUEST') return decodeCsr(pem);
  if (block[1] !== 'CERTIFICATE')
    throw new Error('PEM block neither contains a CERTIFICATE or CERTIFICATE REQUEST');
  const cert = new X509Certificate(pem);
  const key = cert.publicKey;
  if (key.asymmetricKeyType !== 'rsa') throw new Error('certificate should use rsa algorithm');
  return {
    Raw: cert.raw.toString('base64'),
    Version: 3,
    SerialNumber: Number(BigInt(`0x${cert.serialNumber}`)),
    Issuer: pkixName(cert.issuer),
    Subject: pkixName(cert.subject),
    NotBefore: rfc3339(cert.validFrom),
    NotAfter: rfc3339(cert.validTo),
    PublicKeyAlgorithm: 1,
    PublicKey: rsaPublicKey(key.export({ format: 'der', type: 'spki' })),
    IsCA: cert.ca,
    BasicConstraintsValid: cert.ca,
    DNSNames: altNames(cert.subjectAltName, 'DNS:'),
    EmailAddresses: altNames(cert.subjectAltName, 'email:'),
    IPAddresses: altNames(cert.subjectAltName, 'IP Address:'),
    URIs: altNames(cert.subjectAltName, 'URI:'),
  };
}
