import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError } from '../../src/redis/password-file.ts';
import {
  checkClientTlsFiles,
  checkTlsFile,
  checkTlsPair,
  TlsFileError,
  type TlsFileKind,
  type TlsFileProblem,
} from '../../src/redis/tls-files.ts';
import { callAsUnprivileged } from '../support/as-nobody.ts';

const dir = mkdtempSync(join(tmpdir(), 'redoubt-tls-files-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const at = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

/** The base64 lines of every private key written here: none may ever appear in a message. */
const keyLines: string[] = [];
function rememberKey(name: string): string {
  for (const line of readFileSync(at(name), 'utf8').split('\n'))
    if (line.length >= 16 && !line.startsWith('-----') && !line.includes(':')) keyLines.push(line.slice(0, 16));
  return at(name);
}

/** A self-signed RSA certificate and its unencrypted key, written to the temp dir. */
function selfSigned(keyFile: string, certFile: string, cn: string): void {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-subj', `/CN=${cn}`);
}

let cert: string;
let key: string;
let otherKey: string;
let encrypted: string;
let encryptedTraditional: string;
let bundle: string;

before(() => {
  selfSigned('k.pem', 'c.pem', 'test');
  selfSigned('k2.pem', 'c2.pem', 'two');
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ec.pem');
  openssl('genpkey', '-algorithm', 'RSA', '-aes-128-cbc', '-pass', 'pass:x', '-out', 'enc.pem');
  openssl('genrsa', '-traditional', '-aes128', '-passout', 'pass:x', '-out', 'enc-trad.pem', '2048');
  openssl('x509', '-in', 'c.pem', '-outform', 'der', '-out', 'c.der');
  openssl('pkey', '-in', 'k.pem', '-pubout', '-out', 'pub.pem');
  cert = at('c.pem');
  key = rememberKey('k.pem');
  rememberKey('k2.pem');
  otherKey = rememberKey('ec.pem');
  encrypted = rememberKey('enc.pem');
  encryptedTraditional = rememberKey('enc-trad.pem');
  bundle = at('bundle.pem');
  writeFileSync(bundle, `# a comment\n${readFileSync(cert, 'utf8')}\n${readFileSync(at('c2.pem'), 'utf8')}`);
});

let n = 0;
function file(content: string | Buffer): string {
  const p = at(`f${n++}.pem`);
  writeFileSync(p, content);
  return p;
}

function assertClean(message: string): void {
  for (const line of keyLines) assert.ok(!message.includes(line), `the message holds key material: ${message}`);
  assert.ok(!message.includes('PRIVATE KEY-----\n'), message);
}

function fails(flag: string, path: string, kind: TlsFileKind, problem: TlsFileProblem): TlsFileError {
  try {
    checkTlsFile(flag, path, kind);
  } catch (e) {
    assert.ok(e instanceof TlsFileError, `expected TlsFileError, got ${e}`);
    assert.ok(e instanceof ConfigError, 'a ConfigError: the CLI exits 2');
    assert.equal(e.problem, problem, e.message);
    assert.equal(e.flag, `--${flag}`);
    assert.ok(e.message.startsWith(`--${flag} ${path}: `), e.message);
    assert.doesNotMatch(e.message, /\n/);
    assertClean(e.message);
    return e;
  }
  assert.fail(`expected checkTlsFile(${flag}, ${path}, ${kind}) to throw`);
}

describe('checkTlsFile: certificates and CA bundles', () => {
  test('a real certificate and a bundle of two pass; the first certificate is returned', () => {
    assert.match(checkTlsFile('tls-ca-cert-file', cert, 'ca').subject, /CN=test/);
    assert.match(checkTlsFile('tls-client-cert-file', cert, 'certificate').subject, /CN=test/);
    const first = checkTlsFile('tls-ca-cert-file', bundle, 'ca');
    assert.ok(first instanceof X509Certificate);
    assert.match(first.subject, /CN=test/);
    // A key and its certificate in one file, as some setups keep them, is still a certificate file.
    const both = file(readFileSync(key, 'utf8') + readFileSync(cert, 'utf8'));
    assert.match(checkTlsFile('tls-server-cert-file', both, 'certificate').subject, /CN=test/);
  });

  test('the flag is named with or without its dashes', () => {
    const e = fails('tls-ca-cert-file', '/nonexist', 'ca', 'missing');
    const d = (() => {
      try {
        checkTlsFile('--tls-ca-cert-file', '/nonexist', 'ca');
      } catch (err) {
        return err as Error;
      }
    })();
    assert.equal(d?.message, e.message);
  });

  test('missing file', () => {
    const e = fails('tls-ca-cert-file', '/nonexist', 'ca', 'missing');
    assert.equal(e.message, '--tls-ca-cert-file /nonexist: no such file');
    fails('tls-client-cert-file', join(dir, 'nodir', 'c.pem'), 'certificate', 'missing');
    // A path below a file (ENOTDIR) is missing too.
    fails('tls-server-cert-file', join(cert, 'x'), 'certificate', 'missing');
  });

  test('a relative missing path says where it was looked for', () => {
    const e = fails('tls-ca-cert-file', 'no-such-ca.pem', 'ca', 'missing');
    assert.match(e.message, /no such file \(looked for \/.*no-such-ca\.pem\)$/);
  });

  test('a directory', () => {
    const d = at('adir');
    mkdirSync(d);
    const e = fails('tls-server-ca-cert-file', d, 'ca', 'directory');
    assert.match(e.message, /it is a directory/);
  });

  test('not a regular file', () => {
    fails('tls-ca-cert-file', '/dev/null', 'ca', 'not_file');
  });

  test('an empty file', () => {
    assert.match(fails('tls-ca-cert-file', file(''), 'ca', 'empty').message, /empty/);
    fails('tls-client-cert-file', file('\n  \n'), 'certificate', 'empty');
  });

  test('garbage is not a PEM certificate', () => {
    const p = file('garbage\n');
    const e = fails('tls-ca-cert-file', p, 'ca', 'not_pem');
    assert.equal(e.message, `--tls-ca-cert-file ${p}: not a PEM certificate (expected -----BEGIN CERTIFICATE-----)`);
    fails('tls-server-cert-file', p, 'certificate', 'not_pem');
  });

  test('a private key where a certificate is expected: says so, without the key', () => {
    const e = fails('tls-ca-cert-file', key, 'ca', 'not_pem');
    assert.match(e.message, /not a PEM certificate \(expected -----BEGIN CERTIFICATE-----\); it holds a private key$/);
    fails('tls-client-cert-file', key, 'certificate', 'not_pem');
    fails('tls-server-cert-file', encrypted, 'certificate', 'not_pem');
  });

  test('a public key or a DER certificate', () => {
    assert.match(fails('tls-ca-cert-file', at('pub.pem'), 'ca', 'not_pem').message, /it holds a public key/);
    const der = fails('tls-server-cert-file', at('c.der'), 'certificate', 'not_pem');
    assert.match(der.message, /DER certificate: convert it with openssl x509 -inform der/);
  });

  test('a corrupt certificate block, alone or in a bundle', () => {
    const broken = '-----BEGIN CERTIFICATE-----\nMIIBrokenBase64==\n-----END CERTIFICATE-----\n';
    assert.match(fails('tls-ca-cert-file', file(broken), 'ca', 'bad_pem').message, /its certificate does not parse/);
    const truncated = readFileSync(cert, 'utf8').split('\n');
    truncated.splice(3, 4);
    fails('tls-client-cert-file', file(truncated.join('\n')), 'certificate', 'bad_pem');
    const inBundle = fails('tls-ca-cert-file', file(readFileSync(bundle, 'utf8') + broken), 'ca', 'bad_pem');
    assert.match(inBundle.message, /certificate 3 of 3 does not parse/);
  });

  test('an unreadable file: EACCES (as an unprivileged user, even when the suite runs as root)', async () => {
    const sub = at('locked');
    mkdirSync(sub, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const p = join(sub, 'k.pem');
    writeFileSync(p, readFileSync(key));
    chmodSync(p, 0o000);
    const r = await callAsUnprivileged(new URL('../../src/redis/tls-files.ts', import.meta.url), 'checkTlsFile', [
      'tls-client-key-file',
      p,
      'key',
    ]);
    assert.ok(r.threw, 'an unreadable key file must be refused');
    assert.equal(r.name, 'TlsFileError', r.message);
    assert.equal(r.fields.problem, 'unreadable');
    assert.match(r.message, new RegExp(`^--tls-client-key-file ${p}: cannot read it \\(EACCES`));
    assertClean(r.message);
  });
});

describe('checkTlsFile: private keys', () => {
  test('RSA and EC keys pass', () => {
    assert.equal(checkTlsFile('tls-client-key-file', key, 'key').type, 'private');
    assert.equal(checkTlsFile('tls-server-key-file', otherKey, 'key').asymmetricKeyType, 'ec');
  });

  test('missing key file', () => {
    const e = fails('tls-client-key-file', '/nope-key.pem', 'key', 'missing');
    assert.equal(e.message, '--tls-client-key-file /nope-key.pem: no such file');
  });

  test('garbage, a certificate or a public key is not a PEM private key', () => {
    const p = file('garbage\n');
    assert.equal(
      fails('tls-client-key-file', p, 'key', 'not_pem').message,
      `--tls-client-key-file ${p}: not a PEM private key (expected -----BEGIN PRIVATE KEY-----)`,
    );
    assert.match(fails('tls-server-key-file', cert, 'key', 'not_pem').message, /it holds a certificate$/);
    assert.match(fails('tls-client-key-file', at('pub.pem'), 'key', 'not_pem').message, /it holds a public key$/);
    fails('tls-client-key-file', file(''), 'key', 'empty');
  });

  test('an encrypted key: not supported, said clearly, without the key', () => {
    for (const p of [encrypted, encryptedTraditional]) {
      const e = fails('tls-client-key-file', p, 'key', 'encrypted');
      assert.match(e.message, /encrypted \(passphrase-protected\), and encrypted keys are not supported/);
    }
  });

  test('a corrupt key block: does not parse, and its text is never shown', () => {
    const lines = readFileSync(key, 'utf8').split('\n');
    const broken = [lines[0], lines[1], lines[2], lines.at(-2)].join('\n');
    const e = fails('tls-server-key-file', file(broken), 'key', 'bad_pem');
    assert.match(e.message, /its private key does not parse/);
    assert.ok(!e.message.includes(lines[1].slice(0, 16)));
  });

  test('an OpenSSH key is not a TLS key', () => {
    const p = file(
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----\n',
    );
    assert.match(fails('tls-client-key-file', p, 'key', 'not_pem').message, /OpenSSH key/);
  });
});

describe('checkTlsPair and checkClientTlsFiles', () => {
  const CERT = { flag: 'tls-client-cert-file' };
  const KEY = { flag: 'tls-client-key-file' };

  function pairError(cert: string | undefined, keyPath: string | undefined, problem: TlsFileProblem): TlsFileError {
    try {
      checkTlsPair({ ...CERT, path: cert }, { ...KEY, path: keyPath });
    } catch (e) {
      assert.ok(e instanceof TlsFileError, `expected TlsFileError, got ${e}`);
      assert.equal(e.problem, problem, e.message);
      assertClean(e.message);
      return e;
    }
    assert.fail('expected checkTlsPair to throw');
  }

  test('neither, or a matching pair, passes', () => {
    checkTlsPair({ ...CERT }, { ...KEY });
    checkTlsPair({ ...CERT, path: cert }, { ...KEY, path: key });
    checkClientTlsFiles({});
    checkClientTlsFiles({ caFile: bundle, certFile: cert, keyFile: key });
  });

  test('a certificate without its key, or a key without its certificate, names both flags', () => {
    const a = pairError(cert, undefined, 'unpaired');
    assert.equal(
      a.message,
      '--tls-client-cert-file and --tls-client-key-file must be given together: --tls-client-cert-file is set but --tls-client-key-file is not',
    );
    const b = pairError(undefined, key, 'unpaired');
    assert.match(b.message, /--tls-client-key-file is set but --tls-client-cert-file is not$/);
    assert.equal(b.flag, '--tls-client-key-file');
  });

  test('a key that is not the certificate’s', () => {
    for (const other of [otherKey, at('k2.pem')]) {
      const e = pairError(cert, other, 'mismatch');
      assert.equal(
        e.message,
        `--tls-client-key-file ${other}: not the private key of the certificate in --tls-client-cert-file ${cert}`,
      );
    }
  });

  test('each file of the pair is checked, certificate first', () => {
    assert.equal(pairError('/nope.pem', key, 'missing').flag, '--tls-client-cert-file');
    assert.equal(pairError(cert, encrypted, 'encrypted').flag, '--tls-client-key-file');
    assert.equal(pairError(key, key, 'not_pem').flag, '--tls-client-cert-file');
  });

  test('checkClientTlsFiles: the CA file first, then the pair', () => {
    assert.throws(
      () => checkClientTlsFiles({ caFile: '/nonexist', certFile: '/nope.pem' }),
      (e: TlsFileError) => e.flag === '--tls-ca-cert-file' && e.problem === 'missing',
    );
    assert.throws(
      () => checkClientTlsFiles({ caFile: cert, keyFile: key }),
      (e: TlsFileError) => e.problem === 'unpaired',
    );
    assert.throws(
      () => checkClientTlsFiles({ caFile: file('garbage\n') }),
      /--tls-ca-cert-file .*: not a PEM certificate/,
    );
  });
});
