/**
 * --web.tls-cert-file and --web.tls-key-file: checked before start-up (both or neither, each parses, the key is
 * the certificate's, the key file not readable by others) and read once.
 */
import { X509Certificate } from 'node:crypto';
import { statSync } from 'node:fs';
import { UsageError } from '../../flags/flags.ts';
import { readRegularFile } from '../../fs/read-file.ts';
import { checkTlsPair, TlsFileError } from '../../redis/tls-files.ts';
import type { ServerCertificate } from './self-signed.ts';

export function checkGivenTlsFiles(certFile: string | undefined, keyFile: string | undefined): void {
  try {
    checkTlsPair({ flag: 'web.tls-cert-file', path: certFile }, { flag: 'web.tls-key-file', path: keyFile });
  } catch (err) {
    if (err instanceof TlsFileError) throw new UsageError(err.message);
    throw err;
  }
  if (keyFile && (statSync(keyFile).mode & 0o077) !== 0)
    throw new UsageError(`--web.tls-key-file ${keyFile}: readable by others; run chmod 600 ${keyFile}`);
}

export function readGivenTlsFiles(certFile: string, keyFile: string): ServerCertificate {
  const cert = readRegularFile(certFile)?.toString('utf8') ?? '';
  const key = readRegularFile(keyFile)?.toString('utf8') ?? '';
  const c = new X509Certificate(cert);
  return { cert, key, fingerprint: c.fingerprint256, notAfter: new Date(c.validTo) };
}
