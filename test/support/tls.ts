import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

/** PEM files written by `generateTlsFiles`. All paths are absolute and live in `dir`. */
export interface TlsFiles {
  dir: string;
  /** The CA that signed the server and client certificates. */
  caCert: string;
  caKey: string;
  /** Server certificate for 127.0.0.1, ::1 and localhost (SAN IP + DNS), serverAuth. */
  serverCert: string;
  serverKey: string;
  /** Client certificate (CN redoubt-client), clientAuth. */
  clientCert: string;
  clientKey: string;
  /** A second, unrelated CA: verifying the server against it must fail. */
  otherCaCert: string;
  otherCaKey: string;
  /** A client certificate signed by the unrelated CA (rejected by a server that trusts only caCert). */
  otherClientCert: string;
  otherClientKey: string;
  /** The DNS and IP names in the server certificate. */
  serverNames: { dns: string[]; ip: string[] };
  /** Removes `dir` (unless the files were written into a caller-owned directory). */
  cleanup(): void;
}

export interface TlsFilesOptions {
  /** Write into this directory instead of a new temp dir (cleanup() then leaves the directory alone). */
  dir?: string;
  /** DNS names for the server certificate; default ['localhost']. */
  dnsNames?: string[];
  /** IP addresses for the server certificate; default ['127.0.0.1', '::1']. */
  ipAddresses?: string[];
  /** Validity window; default: one hour ago to one day from now. */
  notBefore?: Date;
  notAfter?: Date;
}

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const crypto = webcrypto;
x509.cryptoProvider.set(crypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

interface Issued {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}

async function newKeys(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
}

function serial(): string {
  // Positive 16-byte serial (leading nibble < 8 keeps the DER INTEGER positive).
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[0] &= 0x7f;
  if (b[0] === 0) b[0] = 1;
  return Buffer.from(b).toString('hex');
}

async function makeCa(cn: string, notBefore: Date, notAfter: Date): Promise<Issued> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${cn}, O=redoubt tests`,
    notBefore,
    notAfter,
    signingAlgorithm: ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys };
}

async function issue(
  ca: Issued,
  cn: string,
  usage: 'server' | 'client',
  names: { dns: string[]; ip: string[] },
  notBefore: Date,
  notAfter: Date,
): Promise<Issued> {
  const keys = await newKeys();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
    new x509.ExtendedKeyUsageExtension(
      [usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth],
      false,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
  ];
  if (names.dns.length + names.ip.length > 0) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension([
        ...names.dns.map((value) => ({ type: 'dns' as const, value })),
        ...names.ip.map((value) => ({ type: 'ip' as const, value })),
      ]),
    );
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${cn}, O=redoubt tests`,
    issuer: ca.cert.subject,
    notBefore,
    notAfter,
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions,
  });
  return { cert, keys };
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/**
 * Generates a throwaway PKI in a temp dir (ECDSA P-256): a CA, a server certificate for 127.0.0.1/::1/localhost,
 * a client certificate, and an unrelated second CA with its own client certificate for "wrong CA" tests.
 */
export async function generateTlsFiles(options: TlsFilesOptions = {}): Promise<TlsFiles> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'redoubt-tls-'));
  const notBefore = options.notBefore ?? new Date(Date.now() - 3600_000);
  const notAfter = options.notAfter ?? new Date(Date.now() + 86400_000);
  const serverNames = { dns: options.dnsNames ?? ['localhost'], ip: options.ipAddresses ?? ['127.0.0.1', '::1'] };

  const ca = await makeCa('redoubt test CA', notBefore, notAfter);
  const other = await makeCa('redoubt unrelated CA', notBefore, notAfter);
  const server = await issue(ca, 'redoubt-server', 'server', serverNames, notBefore, notAfter);
  const client = await issue(ca, 'redoubt-client', 'client', { dns: [], ip: [] }, notBefore, notAfter);
  const otherClient = await issue(other, 'redoubt-rogue-client', 'client', { dns: [], ip: [] }, notBefore, notAfter);

  const write = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text.endsWith('\n') ? text : `${text}\n`, { mode: 0o600 });
    return p;
  };
  return {
    dir,
    caCert: write('ca.crt', ca.cert.toString('pem')),
    caKey: write('ca.key', await keyPem(ca.keys.privateKey)),
    serverCert: write('server.crt', server.cert.toString('pem')),
    serverKey: write('server.key', await keyPem(server.keys.privateKey)),
    clientCert: write('client.crt', client.cert.toString('pem')),
    clientKey: write('client.key', await keyPem(client.keys.privateKey)),
    otherCaCert: write('other-ca.crt', other.cert.toString('pem')),
    otherCaKey: write('other-ca.key', await keyPem(other.keys.privateKey)),
    otherClientCert: write('other-client.crt', otherClient.cert.toString('pem')),
    otherClientKey: write('other-client.key', await keyPem(otherClient.keys.privateKey)),
    serverNames,
    cleanup() {
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
