/**
 * The console's own certificate when it is asked for one (--web.self-signed): ECDSA P-256, self-signed, for
 * localhost, the loopback addresses, this host's name and the listen address; kept in `<data dir>/tls/` (key 0600)
 * and reused while it is valid for another 30 days, names the same hosts and its key is still private, so
 * browsers' exceptions and pinned fingerprints survive restarts.
 */
import 'reflect-metadata';
import { createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { serverNames } from '../../certificates/tls-bundle.ts';
import { makeDirectory, writeFileAtomic } from '../../fs/atomic-write.ts';
import { readRegularFile } from '../../fs/read-file.ts';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;
const VALID_DAYS = 397;

export interface ServerCertificate {
  cert: string;
  key: string;
  /** SHA-256 fingerprint, colon-separated hex, for the start-up line. */
  fingerprint: string;
  notAfter: Date;
}

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export function selfSignedPaths(dataDir: string): { dir: string; cert: string; key: string } {
  const dir = join(dataDir, 'tls');
  return { dir, cert: join(dir, 'console.crt'), key: join(dir, 'console.key') };
}

function describe(certPem: string, key: string): ServerCertificate {
  const c = new X509Certificate(certPem);
  return { cert: certPem, key, fingerprint: c.fingerprint256, notAfter: new Date(c.validTo) };
}

/** The stored certificate if it is still good for the names wanted, else undefined. */
function reusable(dataDir: string, names: { dns: string[]; ip: string[] }, now: Date): ServerCertificate | undefined {
  const p = selfSignedPaths(dataDir);
  const cert = readRegularFile(p.cert)?.toString('utf8');
  const key = readRegularFile(p.key)?.toString('utf8');
  if (!cert || !key) return undefined;
  // A key others could read (a chmod, a copy restored from a backup) may be known elsewhere: make a new one.
  if ((statSync(p.key).mode & 0o077) !== 0) return undefined;
  try {
    const c = new X509Certificate(cert);
    if (new Date(c.validTo).getTime() - now.getTime() < 30 * DAY) return undefined;
    if (!names.dns.every((n) => c.checkHost(n) !== undefined)) return undefined;
    if (!names.ip.every((n) => c.checkIP(n) !== undefined)) return undefined;
    if (!new X509Certificate(cert).checkPrivateKey(createPrivateKey(key))) return undefined;
    return describe(cert, key);
  } catch {
    return undefined;
  }
}

export async function selfSignedCertificate(
  dataDir: string,
  hostNames: string[],
  now = new Date(),
): Promise<ServerCertificate & { created: boolean }> {
  const names = serverNames(hostNames.filter((n) => n && n !== '0.0.0.0' && n !== '::'));
  const kept = reusable(dataDir, names, now);
  if (kept) return { ...kept, created: false };
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const serial = Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)));
  serial[0] = (serial[0] & 0x7f) | 0x01;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: 'CN=redoubt console',
    notBefore: new Date(now.getTime() - 5 * 60_000),
    notAfter: new Date(now.getTime() + VALID_DAYS * DAY),
    signingAlgorithm: ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension([
        ...names.dns.map((value) => ({ type: 'dns' as const, value })),
        ...names.ip.map((value) => ({ type: 'ip' as const, value })),
      ]),
    ],
  });
  const certPem = `${cert.toString('pem')}\n`;
  const keyPem = `${x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY')}\n`;
  const p = selfSignedPaths(dataDir);
  makeDirectory(p.dir, 0o700, dataDir);
  writeFileAtomic(p.key, keyPem, { mode: 0o600, overwrite: true });
  writeFileAtomic(p.cert, certPem, { mode: 0o644, overwrite: true });
  return { ...describe(certPem, keyPem), created: true };
}
