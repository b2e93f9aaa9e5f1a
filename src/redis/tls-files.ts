import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from './password-file.ts';

/**
 * Startup checks for the TLS files given on the command line (CA, certificate, private key), so that a wrong path
 * or a wrong file fails at once with the flag's name, not as a raw ENOENT or, for a CA file, not at all (node:tls
 * accepts a CA file with no certificate in it and then fails every handshake).
 */

export type TlsFileKind = 'certificate' | 'ca' | 'key';

export type TlsFileProblem =
  | 'missing'
  | 'directory'
  | 'not_file'
  | 'unreadable'
  | 'too_large'
  | 'empty'
  | 'not_pem'
  | 'bad_pem'
  | 'encrypted'
  | 'mismatch'
  | 'unpaired';

/** A TLS file flag that cannot be used. The message names the flag, the path and the problem, never the file's contents. */
export class TlsFileError extends ConfigError {
  constructor(
    readonly flag: string,
    readonly path: string,
    readonly problem: TlsFileProblem,
    message: string,
  ) {
    super(message);
    this.name = 'TlsFileError';
  }
}

/** Far more than any CA bundle (the Mozilla bundle is ~220 KB): a bigger file is the wrong file. */
const MAX_BYTES = 8 * 1024 * 1024;

const CERT_HEADER = '-----BEGIN CERTIFICATE-----';
const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const PRIVATE_KEY_HEADER = /-----BEGIN (?:(?:RSA|EC|DSA|ENCRYPTED|OPENSSH) )?PRIVATE KEY-----/;
const ENCRYPTED_KEY = /-----BEGIN ENCRYPTED PRIVATE KEY-----|^Proc-Type:\s*4,ENCRYPTED/m;

const flagName = (flag: string) => (flag.startsWith('-') ? flag : `--${flag}`);

/** What a file that is not what was expected holds instead, as "; it holds …", from its PEM headers only. */
function holds(text: string): string {
  if (PRIVATE_KEY_HEADER.test(text)) return '; it holds a private key';
  if (text.includes(CERT_HEADER)) return '; it holds a certificate';
  if (/-----BEGIN (?:RSA )?PUBLIC KEY-----/.test(text)) return '; it holds a public key';
  if (text.includes('-----BEGIN CERTIFICATE REQUEST-----'))
    return '; it holds a certificate request, not a certificate';
  return '';
}

function readTlsFile(flag: string, path: string): Buffer {
  const f = flagName(flag);
  const fail = (problem: TlsFileProblem, what: string) => new TlsFileError(f, path, problem, `${f} ${path}: ${what}`);
  const where = isAbsolute(path) ? '' : ` (looked for ${resolve(path)})`;
  let data: Buffer;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw fail('directory', 'it is a directory, not a file');
    if (!st.isFile()) throw fail('not_file', 'not a regular file');
    if (st.size > MAX_BYTES) throw fail('too_large', `too large for a PEM file (${st.size} bytes)`);
    data = readFileSync(path);
  } catch (err) {
    if (err instanceof TlsFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw fail('missing', `no such file${where}`);
    if (code === 'EISDIR') throw fail('directory', 'it is a directory, not a file');
    if (code === 'EACCES' || code === 'EPERM')
      throw fail('unreadable', `cannot read it (${code}: permission denied for uid ${process.getuid?.() ?? '?'})`);
    throw fail('unreadable', `cannot read it (${code ?? 'error'})`);
  }
  if (data.toString('latin1').trim() === '') throw fail('empty', 'the file is empty');
  return data;
}

function checkCertificates(flag: string, path: string, data: Buffer): X509Certificate {
  const text = data.toString('latin1');
  const blocks = text.match(CERT_BLOCK) ?? [];
  if (blocks.length === 0) {
    let der = '';
    if (!text.includes('-----BEGIN')) {
      try {
        new X509Certificate(data);
        der = `; it is a DER certificate: convert it with openssl x509 -inform der -in ${path} -out cert.pem`;
      } catch {}
    }
    throw new TlsFileError(
      flag,
      path,
      'not_pem',
      `${flag} ${path}: not a PEM certificate (expected ${CERT_HEADER})${der || holds(text)}`,
    );
  }
  let first: X509Certificate | undefined;
  for (const [i, block] of blocks.entries()) {
    try {
      const cert = new X509Certificate(block);
      first ??= cert;
    } catch {
      const which = blocks.length === 1 ? 'its certificate' : `certificate ${i + 1} of ${blocks.length}`;
      throw new TlsFileError(
        flag,
        path,
        'bad_pem',
        `${flag} ${path}: ${which} does not parse (corrupt or truncated PEM)`,
      );
    }
  }
  return first as X509Certificate;
}

function checkKey(flag: string, path: string, data: Buffer): KeyObject {
  // Only PEM headers and fixed words go into a message: never the file's text, nor OpenSSL's error text.
  const text = data.toString('latin1');
  const encrypted = () =>
    new TlsFileError(
      flag,
      path,
      'encrypted',
      `${flag} ${path}: the private key is encrypted (passphrase-protected), and encrypted keys are not supported; decrypt it with openssl pkey -in ${path} -out key.pem`,
    );
  if (ENCRYPTED_KEY.test(text)) throw encrypted();
  if (text.includes('-----BEGIN OPENSSH PRIVATE KEY-----'))
    throw new TlsFileError(
      flag,
      path,
      'not_pem',
      `${flag} ${path}: not a PEM private key; it is an OpenSSH key, not a TLS key (expected -----BEGIN PRIVATE KEY-----)`,
    );
  try {
    return createPrivateKey(data);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MISSING_PASSPHRASE' || code === 'ERR_OSSL_CRYPTO_INTERRUPTED_OR_CANCELLED') throw encrypted();
    if (PRIVATE_KEY_HEADER.test(text))
      throw new TlsFileError(
        flag,
        path,
        'bad_pem',
        `${flag} ${path}: its private key does not parse (corrupt or truncated PEM)`,
      );
    throw new TlsFileError(
      flag,
      path,
      'not_pem',
      `${flag} ${path}: not a PEM private key (expected -----BEGIN PRIVATE KEY-----)${holds(text)}`,
    );
  }
}

/**
 * Reads a TLS file given with `flag` and checks that it holds what it should: for `certificate`, PEM certificates
 * (a chain: the first is the leaf); for `ca`, a PEM bundle of CA certificates, every one of which must parse; for
 * `key`, an unencrypted PEM private key. Throws a TlsFileError (a ConfigError: exit 2) naming the flag.
 */
export function checkTlsFile(flag: string, path: string, kind: 'certificate' | 'ca'): X509Certificate;
export function checkTlsFile(flag: string, path: string, kind: 'key'): KeyObject;
export function checkTlsFile(flag: string, path: string, kind: TlsFileKind): X509Certificate | KeyObject;
export function checkTlsFile(flag: string, path: string, kind: TlsFileKind): X509Certificate | KeyObject {
  const f = flagName(flag);
  const data = readTlsFile(f, path);
  return kind === 'key' ? checkKey(f, path, data) : checkCertificates(f, path, data);
}

export interface TlsFileFlag {
  flag: string;
  path?: string;
}

/**
 * Checks a certificate and its key: both given or neither, each file valid, and the key the certificate's (else
 * node:tls only fails later, at every handshake).
 */
export function checkTlsPair(cert: TlsFileFlag, key: TlsFileFlag): void {
  const cf = flagName(cert.flag);
  const kf = flagName(key.flag);
  if (!cert.path && !key.path) return;
  if (!cert.path || !key.path) {
    const [given, missing] = cert.path ? [cf, kf] : [kf, cf];
    throw new TlsFileError(
      given,
      (cert.path || key.path) as string,
      'unpaired',
      `${cf} and ${kf} must be given together: ${given} is set but ${missing} is not`,
    );
  }
  const x509 = checkTlsFile(cf, cert.path, 'certificate');
  const pk = checkTlsFile(kf, key.path, 'key');
  let match = false;
  try {
    match = x509.checkPrivateKey(pk);
  } catch {}
  if (!match)
    throw new TlsFileError(
      kf,
      key.path,
      'mismatch',
      `${kf} ${key.path}: not the private key of the certificate in ${cf} ${cert.path}`,
    );
}

/** The client side: --tls-ca-cert-file, --tls-client-cert-file and --tls-client-key-file, as exporter, audit and harden name them. */
export function checkClientTlsFiles(tls: { caFile?: string; certFile?: string; keyFile?: string }): void {
  if (tls.caFile) checkTlsFile('tls-ca-cert-file', tls.caFile, 'ca');
  checkTlsPair(
    { flag: 'tls-client-cert-file', path: tls.certFile },
    { flag: 'tls-client-key-file', path: tls.keyFile },
  );
}
