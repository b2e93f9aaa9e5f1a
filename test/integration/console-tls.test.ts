import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateTlsBundle } from '../../src/certificates/tls-bundle.ts';
import { consoleRequest, login } from '../support/console-client.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { runCli } from '../support/redoubt.ts';
import { startUp } from '../support/redoubt-up.ts';

const ADMIN_PASSWORD = 'admin-pass-tls-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'redoubt-console-tls-'));
const cleanups: Array<() => Promise<unknown>> = [];
let redis: RedisServer;

before(async () => {
  redis = await startRedis();
  cleanups.push(() => redis.stop());
});
after(async () => {
  for (const c of cleanups.reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

describe('TLS', () => {
  test('--web.self-signed: HTTPS with a certificate kept in the data directory, __Host- Secure cookie, HSTS', async () => {
    const data = join(dir, 'self');
    const up = await startUp(['--redis', redis.url, '--data-dir', data, '--web.self-signed'], {
      REDOUBT_ADMIN_PASSWORD: ADMIN_PASSWORD,
    });
    cleanups.push(() => up.stop('SIGKILL'));
    assert.match(up.url, /^https:/);
    const certPem = readFileSync(join(data, 'tls', 'console.crt'), 'utf8');
    assert.equal(statSync(join(data, 'tls', 'console.key')).mode & 0o777, 0o600);
    const cert = new X509Certificate(certPem);
    assert.match(up.stderr(), new RegExp(`self-signed certificate \\(new\\) .*SHA-256 ${cert.fingerprint256}`));
    assert.match(String(cert.subjectAltName), /DNS:localhost.*IP Address:127\.0\.0\.1/);
    // Not trusted by default: a client without the certificate refuses the connection.
    await assert.rejects(consoleRequest(`${up.url}/-/healthy`), /self[- ]signed/i);
    const health = await consoleRequest(`${up.url}/-/healthy`, { ca: certPem });
    assert.equal(health.status, 200);
    assert.equal(health.headers['strict-transport-security'], 'max-age=31536000');
    const s = await login(up.url, 'admin', ADMIN_PASSWORD, { ca: certPem });
    assert.match(
      s.setCookie,
      /^__Host-redoubt-session=[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/,
    );
    const session = await consoleRequest(`${up.url}/console/api/session`, {
      ca: certPem,
      headers: { Cookie: s.cookie },
    });
    assert.equal(session.status, 200);
    const plain = await consoleRequest(`${up.url.replace('https:', 'http:')}/-/healthy`).catch((e: Error) => e);
    assert.ok(plain instanceof Error || plain.status === 400, 'no plain HTTP on the TLS port');
    assert.equal(await up.stop('SIGTERM'), 0);
    // A restart keeps the same certificate (browsers' exceptions and pinned fingerprints survive).
    const again = await startUp(['--redis', redis.url, '--data-dir', data, '--web.self-signed'], {});
    cleanups.push(() => again.stop('SIGKILL'));
    assert.match(again.stderr(), new RegExp(`self-signed certificate in .*SHA-256 ${cert.fingerprint256}`));
    assert.equal(readFileSync(join(data, 'tls', 'console.crt'), 'utf8'), certPem);
    assert.equal(await again.stop('SIGTERM'), 0);
    // A key others could read may have been copied: not reused; a new one is made (0600).
    chmodSync(join(data, 'tls', 'console.key'), 0o644);
    const renewed = await startUp(['--redis', redis.url, '--data-dir', data, '--web.self-signed'], {});
    cleanups.push(() => renewed.stop('SIGKILL'));
    assert.match(renewed.stderr(), /self-signed certificate \(new\)/);
    assert.notEqual(readFileSync(join(data, 'tls', 'console.crt'), 'utf8'), certPem);
    assert.equal(statSync(join(data, 'tls', 'console.key')).mode & 0o777, 0o600);
    assert.equal(await renewed.stop('SIGTERM'), 0);
  });

  test('--web.tls-cert-file and --web.tls-key-file: served; a wrong pair or an open key refused before start-up', async () => {
    const a = await generateTlsBundle({ names: ['localhost'] });
    const b = await generateTlsBundle({ names: ['localhost'] });
    const cert = join(dir, 'server.crt');
    const key = join(dir, 'server.key');
    const otherKey = join(dir, 'other.key');
    writeFileSync(cert, a.serverCert);
    writeFileSync(key, a.serverKey, { mode: 0o600 });
    writeFileSync(otherKey, b.serverKey, { mode: 0o600 });
    const up = await startUp(
      ['--redis', redis.url, '--data-dir', join(dir, 'given'), '--web.tls-cert-file', cert, '--web.tls-key-file', key],
      { REDOUBT_ADMIN_PASSWORD: ADMIN_PASSWORD },
    );
    cleanups.push(() => up.stop('SIGKILL'));
    assert.match(up.url, /^https:/);
    const r = await consoleRequest(`${up.url}/login`, { ca: a.caCert });
    assert.equal(r.headers['strict-transport-security'], 'max-age=31536000');
    const s = await login(up.url, 'admin', ADMIN_PASSWORD, { ca: a.caCert });
    assert.match(s.setCookie, /^__Host-redoubt-session=.*; Secure$/);
    assert.equal(await up.stop('SIGTERM'), 0);
    const cases: Array<[string[], RegExp]> = [
      [['--web.tls-cert-file', cert, '--web.tls-key-file', otherKey], /not the private key of the certificate/],
      [['--web.tls-cert-file', cert], /must be given together/],
      [['--web.tls-cert-file', cert, '--web.tls-key-file', key, '--web.self-signed'], /exclude each other/],
    ];
    for (const [args, why] of cases) {
      const bad = await runCli(['up', '--data-dir', join(dir, 'bad'), ...args]);
      assert.equal(bad.code, 2, bad.stderr);
      assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
      assert.match(bad.stderr, why);
    }
    writeFileSync(join(dir, 'open.key'), a.serverKey, { mode: 0o644 });
    const open = await runCli([
      'up',
      '--data-dir',
      join(dir, 'bad'),
      '--web.tls-cert-file',
      cert,
      '--web.tls-key-file',
      join(dir, 'open.key'),
    ]);
    assert.equal(open.code, 2);
    assert.match(open.stderr, /readable by others; run chmod 600/);
  });
});
