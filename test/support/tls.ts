import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTlsBundle } from '../../src/certificates/tls-bundle.ts';

/** PEM files written by `generateTlsFiles`. All paths are absolute and live in `dir`. */
export interface TlsFiles {
  dir: string;
  /** The CA that signed the server and client certificates. */
  caCert: string;
  caKey: string;
  /** Server certificate for 127.0.0.1, ::1 and localhost (SAN IP + DNS), serverAuth (and clientAuth). */
  serverCert: string;
  serverKey: string;
  /** Client certificate (CN redis-client), clientAuth. */
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
  /** More DNS names for the server certificate (localhost is always in it). */
  dnsNames?: string[];
  /** More IP addresses for the server certificate (127.0.0.1 and ::1 are always in it). */
  ipAddresses?: string[];
  /** Validity window of every certificate; default: one hour ago to one day from now. */
  notBefore?: Date;
  notAfter?: Date;
}

/**
 * Writes a throwaway PKI from src/certificates/tls-bundle.ts (ECDSA P-256) into a temp dir: a CA, a server certificate for
 * 127.0.0.1/::1/localhost, a client certificate, and an unrelated second CA with its own client certificate for
 * "wrong CA" tests.
 */
export async function generateTlsFiles(options: TlsFilesOptions = {}): Promise<TlsFiles> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'redoubt-tls-'));
  const validity = {
    notBefore: options.notBefore ?? new Date(Date.now() - 3600_000),
    notAfter: options.notAfter ?? new Date(Date.now() + 86400_000),
  };
  const names = [...(options.dnsNames ?? []), ...(options.ipAddresses ?? [])];
  const [pki, other] = await Promise.all([
    generateTlsBundle({ names, ...validity }),
    generateTlsBundle({ names: [], ...validity }),
  ]);

  const write = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text.endsWith('\n') ? text : `${text}\n`, { mode: 0o600 });
    return p;
  };
  return {
    dir,
    caCert: write('ca.crt', pki.caCert),
    caKey: write('ca.key', pki.caKey),
    serverCert: write('server.crt', pki.serverCert),
    serverKey: write('server.key', pki.serverKey),
    clientCert: write('client.crt', pki.clientCert),
    clientKey: write('client.key', pki.clientKey),
    otherCaCert: write('other-ca.crt', other.caCert),
    otherCaKey: write('other-ca.key', other.caKey),
    otherClientCert: write('other-client.crt', other.clientCert),
    otherClientKey: write('other-client.key', other.clientKey),
    serverNames: pki.serverNames,
    cleanup() {
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
