import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import forge from 'node-forge';

/**
 * A private CA and a serving certificate for the webhook, written under the names Kubernetes TLS
 * secrets and cert-manager use (`ca.crt`, `tls.crt`, `tls.key`). Keys come from node's crypto; node-forge
 * builds and signs the X.509 certificates (node has no certificate builder).
 */

export interface GeneratedCertificates {
  caCert: string;
  cert: string;
  key: string;
  /** base64 of ca.crt: the `caBundle` of a webhook configuration. */
  caBundle: string;
}

/** The DNS names kube-apiserver may use for a Service: name, name.ns, name.ns.svc, name.ns.svc.cluster.local. */
export function serviceDnsNames(namespace: string, name: string): string[] {
  return [name, `${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`];
}

function rsaKeys(): forge.pki.rsa.KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    privateKey: forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey,
    publicKey: forge.pki.publicKeyFromPem(publicKey) as forge.pki.rsa.PublicKey,
  };
}

function serial(): string {
  // Positive, 16 bytes: RFC 5280 allows up to 20 octets.
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

function validity(cert: forge.pki.Certificate, days: number): void {
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 5 * 60_000); // tolerate clock skew
  cert.validity.notAfter = new Date(now + days * 86_400_000);
}

export interface GenerateOptions {
  dnsNames: readonly string[];
  ipAddresses?: readonly string[];
  days?: number;
}

export function generateCertificates(options: GenerateOptions): GeneratedCertificates {
  const days = options.days ?? 365;
  const caKeys = rsaKeys();
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = serial();
  validity(ca, days * 2);
  const caName = [{ name: 'commonName', value: 'rampart-webhook-ca' }];
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const keys = rsaKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  validity(cert, days);
  cert.setSubject([{ name: 'commonName', value: options.dnsNames[0] ?? 'rampart-webhook' }]);
  cert.setIssuer(caName);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        ...options.dnsNames.map((value) => ({ type: 2, value })),
        ...(options.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
      ],
    },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKeys.privateKey, forge.md.sha256.create());

  const caCert = forge.pki.certificateToPem(ca);
  return {
    caCert,
    cert: forge.pki.certificateToPem(cert),
    key: forge.pki.privateKeyToPem(keys.privateKey),
    caBundle: Buffer.from(caCert).toString('base64'),
  };
}

export const CERT_FILES = { ca: 'ca.crt', cert: 'tls.crt', key: 'tls.key' } as const;

/** Writes ca.crt, tls.crt and tls.key (the key readable by the owner only). */
export async function writeCertificates(dir: string, generated: GeneratedCertificates): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, CERT_FILES.ca), generated.caCert);
  await writeFile(join(dir, CERT_FILES.cert), generated.cert);
  await writeFile(join(dir, CERT_FILES.key), generated.key, { mode: 0o600 });
}

/**
 * The certificates under DIR, generated (for the Service's DNS names and 127.0.0.1) when ca.crt or tls.crt
 * is missing, else reused as they are. `generated` says which.
 */
export async function ensureCertificates(
  dir: string,
  service: { namespace: string; name: string },
): Promise<{ caBundle: string; generated: boolean }> {
  const present = await Promise.all(
    [CERT_FILES.ca, CERT_FILES.cert, CERT_FILES.key].map((f) =>
      access(join(dir, f)).then(
        () => true,
        () => false,
      ),
    ),
  );
  if (present.every(Boolean))
    return { caBundle: (await readFile(join(dir, CERT_FILES.ca))).toString('base64'), generated: false };
  const generated = generateCertificates({
    dnsNames: serviceDnsNames(service.namespace, service.name),
    ipAddresses: ['127.0.0.1'],
  });
  await writeCertificates(dir, generated);
  return { caBundle: generated.caBundle, generated: true };
}
