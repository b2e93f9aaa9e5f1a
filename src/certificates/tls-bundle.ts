import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

/** PEM text of a private CA and the server and client certificates it signed. */
export interface TlsBundle {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** Names in the server certificate. */
  serverNames: { dns: string[]; ip: string[] };
  notAfter: Date;
}

export interface TlsBundleOptions {
  /** DNS names and IP addresses for the server certificate (localhost, 127.0.0.1 and ::1 are always added). */
  names: string[];
  now?: Date;
  /** Days the server and client certificates are valid; default 825. The CA lives ten years. */
  days?: number;
  /** The validity of every certificate, the CA's included, instead of the one `now` and `days` give. */
  notBefore?: Date;
  notAfter?: Date;
}

type CryptoKeyPair = webcrypto.CryptoKeyPair;
const crypto = webcrypto;
x509.cryptoProvider.set(crypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

interface Issued {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}

async function newKeys(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** A positive random 16-byte serial. */
function serial(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[0] &= 0x7f;
  if (b[0] === 0) b[0] = 1;
  return Buffer.from(b).toString('hex');
}

async function keyPem(keys: CryptoKeyPair): Promise<string> {
  return `${x509.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY')}\n`;
}

function certPem(cert: x509.X509Certificate): string {
  return `${cert.toString('pem')}\n`;
}

/** Splits names into DNS names and IP addresses, with localhost and loopback first, without duplicates. */
export function serverNames(names: string[]): { dns: string[]; ip: string[] } {
  const dns = ['localhost'];
  const ip = ['127.0.0.1', '::1'];
  for (const raw of names) {
    const n = raw.replace(/^-/, '').toLowerCase();
    const list = isIP(n) ? ip : dns;
    if (!list.includes(n)) list.push(n);
  }
  return { dns, ip };
}

/**
 * A private CA (ECDSA P-256) with a server certificate for the names given and a client certificate for
 * tls-auth-clients. The server certificate may also authenticate as a client, so a replica can present it.
 */
export async function generateTlsBundle(options: TlsBundleOptions): Promise<TlsBundle> {
  const now = options.now ?? new Date();
  const notBefore = options.notBefore ?? new Date(now.getTime() - 5 * 60_000); // a little clock skew
  const notAfter = options.notAfter ?? new Date(now.getTime() + (options.days ?? 825) * DAY);
  const caNotAfter = options.notAfter ?? new Date(now.getTime() + 3650 * DAY);
  const names = serverNames(options.names);

  const caKeys = await newKeys();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=redoubt Redis CA',
    notBefore,
    notAfter: caNotAfter,
    signingAlgorithm: ALG,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const ca: Issued = { cert: caCert, keys: caKeys };

  const issue = async (cn: string, usages: x509.ExtendedKeyUsage[], san?: typeof names): Promise<Issued> => {
    const keys = await newKeys();
    const extensions: x509.Extension[] = [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension(usages, false),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
    ];
    if (san)
      extensions.push(
        new x509.SubjectAlternativeNameExtension([
          ...san.dns.map((value) => ({ type: 'dns' as const, value })),
          ...san.ip.map((value) => ({ type: 'ip' as const, value })),
        ]),
      );
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: `CN=${cn}`,
      issuer: ca.cert.subject,
      notBefore,
      notAfter,
      signingAlgorithm: ALG,
      publicKey: keys.publicKey,
      signingKey: ca.keys.privateKey,
      extensions,
    });
    return { cert, keys };
  };

  const server = await issue(
    names.dns[names.dns.length > 1 ? 1 : 0],
    [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
    names,
  );
  const client = await issue('redis-client', [x509.ExtendedKeyUsage.clientAuth]);
  return {
    caCert: certPem(ca.cert),
    caKey: await keyPem(ca.keys),
    serverCert: certPem(server.cert),
    serverKey: await keyPem(server.keys),
    clientCert: certPem(client.cert),
    clientKey: await keyPem(client.keys),
    serverNames: names,
    notAfter,
  };
}
