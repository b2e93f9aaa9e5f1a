/**
 * Bad TLS files through the built CLI: `redoubt exporter`, `audit --redis` and `harden --redis` check every TLS file
 * flag at startup and exit 2 with one line naming the flag, the path and what is wrong (never a key's contents);
 * the exporter does not start listening. Good files (the harden PKI's ECDSA keys) still start it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli, startExporter } from '../support/redoubt.ts';
import { generateTlsFiles, type TlsFiles } from '../support/tls.ts';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'redoubt-tls-files-cli-')));
let pki: TlsFiles;
const keyLines: string[] = [];
const at = (name: string) => join(dir, name);

before(async () => {
  pki = await generateTlsFiles();
  writeFileSync(at('bad.pem'), 'garbage\n');
  execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-aes-128-cbc', '-pass', 'pass:x', '-out', 'enc.pem'], {
    cwd: dir,
    stdio: 'pipe',
  });
  for (const k of [pki.clientKey, pki.serverKey, pki.caKey, at('enc.pem')])
    for (const line of readFileSync(k, 'utf8').split('\n'))
      if (line.length >= 16 && !line.startsWith('-----') && !line.includes(':')) keyLines.push(line.slice(0, 16));
});
after(() => {
  pki?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** Exit 2, nothing on stdout, exactly one stderr line that matches `line`, no key material, never listening. */
async function rejects(args: string[], line: RegExp, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const r = await runCli(args, { env, timeoutMs: 15000 });
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0], line);
  assert.equal(r.stdout, '');
  assert.doesNotMatch(r.stderr, /listening|ENOENT|EISDIR|\n\s+at /);
  for (const k of keyLines) assert.ok(!r.stderr.includes(k), `stderr holds key material: ${r.stderr}`);
  return lines[0];
}

const LISTEN = ['--web.listen-address', '127.0.0.1:0', '--redis.addr', ''];

describe('redoubt exporter', () => {
  test('--tls-ca-cert-file: missing, garbage, a directory, a key', async () => {
    const missing = await rejects(['exporter', ...LISTEN, '--tls-ca-cert-file', '/nonexist'], /./);
    assert.equal(missing, 'redoubt exporter: --tls-ca-cert-file /nonexist: no such file');
    const bad = at('bad.pem');
    assert.equal(
      await rejects(['exporter', ...LISTEN, '--tls-ca-cert-file', bad], /./),
      `redoubt exporter: --tls-ca-cert-file ${bad}: not a PEM certificate (expected -----BEGIN CERTIFICATE-----)`,
    );
    await rejects(['exporter', ...LISTEN, '--tls-ca-cert-file', dir], /--tls-ca-cert-file .*: it is a directory/);
    await rejects(
      ['exporter', ...LISTEN, '--tls-ca-cert-file', pki.caKey],
      /--tls-ca-cert-file .*: not a PEM certificate .*it holds a private key$/,
    );
  });

  test('the variable REDIS_EXPORTER_TLS_CA_CERT_FILE is checked the same way', async () => {
    await rejects(['exporter', ...LISTEN], /^redoubt exporter: --tls-ca-cert-file \/nonexist: no such file$/, {
      REDIS_EXPORTER_TLS_CA_CERT_FILE: '/nonexist',
    });
  });

  test('--tls-client-cert-file / --tls-client-key-file: missing, encrypted, swapped, not a pair', async () => {
    await rejects(
      ['exporter', ...LISTEN, '--tls-client-cert-file', '/nope.pem', '--tls-client-key-file', pki.clientKey],
      /^redoubt exporter: --tls-client-cert-file \/nope\.pem: no such file$/,
    );
    await rejects(
      ['exporter', ...LISTEN, '--tls-client-cert-file', pki.clientCert, '--tls-client-key-file', at('enc.pem')],
      /^redoubt exporter: --tls-client-key-file .*enc\.pem: the private key is encrypted .*encrypted keys are not supported/,
    );
    await rejects(
      ['exporter', ...LISTEN, '--tls-client-cert-file', pki.clientKey, '--tls-client-key-file', pki.clientCert],
      /^redoubt exporter: --tls-client-cert-file .*: not a PEM certificate .*it holds a private key$/,
    );
    await rejects(
      ['exporter', ...LISTEN, '--tls-client-cert-file', pki.clientCert, '--tls-client-key-file', pki.serverKey],
      /^redoubt exporter: --tls-client-key-file .*server\.key: not the private key of the certificate in --tls-client-cert-file /,
    );
    await rejects(
      ['exporter', ...LISTEN, '--tls-client-key-file', pki.clientKey],
      /--tls-client-cert-file and --tls-client-key-file must be given together/,
    );
  });

  test('the exporter’s own HTTPS: --tls-server-cert-file, --tls-server-key-file, --tls-server-ca-cert-file', async () => {
    await rejects(
      ['exporter', ...LISTEN, '--tls-server-cert-file', '/nope.pem', '--tls-server-key-file', pki.serverKey],
      /^redoubt exporter: --tls-server-cert-file \/nope\.pem: no such file$/,
    );
    await rejects(
      ['exporter', ...LISTEN, '--tls-server-cert-file', pki.serverCert, '--tls-server-key-file', at('bad.pem')],
      /^redoubt exporter: --tls-server-key-file .*bad\.pem: not a PEM private key \(expected -----BEGIN PRIVATE KEY-----\)$/,
    );
    await rejects(
      [
        'exporter',
        ...LISTEN,
        '--tls-server-cert-file',
        pki.serverCert,
        '--tls-server-key-file',
        pki.serverKey,
        '--tls-server-ca-cert-file',
        at('bad.pem'),
      ],
      /^redoubt exporter: --tls-server-ca-cert-file .*bad\.pem: not a PEM certificate/,
    );
    await rejects(
      ['exporter', ...LISTEN, '--tls-server-cert-file', pki.serverCert],
      /--tls-server-cert-file and --tls-server-key-file must be given together/,
    );
  });

  test('good files (the harden PKI: ECDSA keys) still start it', async () => {
    const exp = await startExporter([
      '--redis.addr',
      '',
      '--tls-ca-cert-file',
      pki.caCert,
      '--tls-client-cert-file',
      pki.clientCert,
      '--tls-client-key-file',
      pki.clientKey,
      '--tls-server-cert-file',
      pki.serverCert,
      '--tls-server-key-file',
      pki.serverKey,
      '--tls-server-ca-cert-file',
      pki.caCert,
    ]);
    assert.ok(exp.port > 0);
    assert.equal(await exp.stop(), 0);
  });
});

describe('redoubt audit --redis', () => {
  const REDIS = ['audit', '--redis', 'rediss://127.0.0.1:1', '--connection-timeout', '2s'];

  test('a missing CA file: exit 2 naming the flag, before any connection', async () => {
    assert.equal(
      await rejects([...REDIS, '--tls-ca-cert-file', '/nonexist'], /./),
      'redoubt audit: the audit could not run: --tls-ca-cert-file /nonexist: no such file',
    );
  });

  test('garbage CA, encrypted key, a certificate without its key', async () => {
    await rejects(
      [...REDIS, '--tls-ca-cert-file', at('bad.pem')],
      /^redoubt audit: the audit could not run: --tls-ca-cert-file .*: not a PEM certificate/,
    );
    await rejects(
      [...REDIS, '--tls-client-cert-file', pki.clientCert, '--tls-client-key-file', at('enc.pem')],
      /^redoubt audit: the audit could not run: --tls-client-key-file .*: the private key is encrypted/,
    );
    await rejects(
      [...REDIS, '--tls-client-cert-file', pki.clientCert],
      /--tls-client-cert-file and --tls-client-key-file must be given together: --tls-client-cert-file is set but --tls-client-key-file is not$/,
    );
  });
});

describe('redoubt harden --redis', () => {
  const REDIS = ['harden', '--redis', 'rediss://127.0.0.1:1'];

  test('a missing CA file, garbage key, a key without its certificate: exit 2 naming the flag', async () => {
    assert.equal(
      await rejects([...REDIS, '--tls-ca-cert-file', '/nonexist'], /./),
      'redoubt harden: --tls-ca-cert-file /nonexist: no such file',
    );
    await rejects(
      [...REDIS, '--tls-client-cert-file', pki.clientCert, '--tls-client-key-file', at('bad.pem')],
      /^redoubt harden: --tls-client-key-file .*bad\.pem: not a PEM private key/,
    );
    await rejects(
      [...REDIS, '--tls-client-key-file', pki.clientKey],
      /^redoubt harden: --tls-client-cert-file and --tls-client-key-file must be given together/,
    );
  });
});
