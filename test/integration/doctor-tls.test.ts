import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Finding } from '../../src/doctor/finding.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { runMain } from '../support/redoubt.ts';

let plain: RedisServer;
let tls: RedisServer; // tls-auth-clients no
let mtls: RedisServer; // tls-auth-clients yes

before(async () => {
  [plain, tls] = await Promise.all([startRedis(), startRedis({ tls: true })]);
  mtls = await startRedis({ tls: { files: tls.tlsFiles, authClients: 'yes' } });
});
after(async () => {
  await Promise.all([plain, tls, mtls].map((s) => s?.stop()));
});

async function doctor(args: string[]) {
  const r = await runMain(['doctor', '--format', 'json', '--step-timeout', '10s', '--sample-keys', '0', ...args]);
  assert.notEqual(r.code, 2, r.stderr);
  return { ...r, findings: JSON.parse(r.stdout).findings as Finding[] };
}

function step(findings: Finding[], check: string): Finding {
  const f = findings.find((x) => x.check === check);
  assert.ok(f, `no "${check}" finding in ${JSON.stringify(findings, null, 1)}`);
  return f;
}

describe('redoubt doctor: TLS handshakes, each broken in one way', () => {
  test('a verified TLS server: CA and name ok, then the login', async () => {
    const r = await doctor(['--redis', tls.url, '--tls-ca-cert-file', tls.tlsFiles?.caCert ?? '']);
    assert.equal(step(r.findings, 'tls-ca').status, 'ok');
    assert.equal(step(r.findings, 'tls-name').status, 'ok');
    assert.equal(step(r.findings, 'login').status, 'ok');
  });

  test('plaintext to a TLS port: "the port serves TLS", use rediss://', async () => {
    const r = await doctor(['--redis', `redis://127.0.0.1:${tls.port}`]);
    const p = step(r.findings, 'protocol');
    assert.equal(p.status, 'fail');
    assert.match(p.summary, /serves TLS/);
    assert.match(p.fix ?? '', /rediss:\/\//);
    assert.equal(r.findings.at(-1), p);
  });

  test('TLS to a plaintext port: "the port serves plaintext", use redis://', async () => {
    const r = await doctor(['--redis', `rediss://127.0.0.1:${plain.port}`]);
    const t = step(r.findings, 'tls');
    assert.equal(t.status, 'fail');
    assert.match(t.summary, /serves plaintext Redis/);
    assert.match(t.fix ?? '', /redis:\/\//);
  });

  test('the wrong CA: unknown CA, with the issuer to look for', async () => {
    const r = await doctor(['--redis', tls.url, '--tls-ca-cert-file', tls.tlsFiles?.otherCaCert ?? '']);
    const ca = step(r.findings, 'tls-ca');
    assert.equal(ca.status, 'fail');
    assert.match(ca.summary, /not signed by a CA this client trusts/);
    assert.match(ca.fix ?? '', /--tls-ca-cert-file/);
    assert.ok(!r.findings.some((f) => f.check === 'login'), 'the chain stops at the CA');
  });

  test('a name the certificate does not hold: name mismatch, with the names it holds', async () => {
    const r = await doctor([
      '--redis',
      tls.url,
      '--tls-ca-cert-file',
      tls.tlsFiles?.caCert ?? '',
      '--tls-server-name',
      'db.example.org',
    ]);
    const name = step(r.findings, 'tls-name');
    assert.equal(name.status, 'fail');
    assert.match(name.summary, /not for "db\.example\.org": it names .*127\.0\.0\.1/);
    assert.match(name.fix ?? '', /--tls-server-name/);
  });

  test('a server that requires a client certificate, none given', async () => {
    const r = await doctor(['--redis', mtls.url, '--tls-ca-cert-file', tls.tlsFiles?.caCert ?? '']);
    const c = step(r.findings, 'tls-client-cert');
    assert.equal(c.status, 'fail');
    assert.match(c.summary, /requires a client certificate/);
    assert.match(c.fix ?? '', /--tls-client-cert-file/);
  });

  test('a client certificate the server does not trust: refused', async () => {
    const f = tls.tlsFiles;
    const r = await doctor([
      '--redis',
      mtls.url,
      '--tls-ca-cert-file',
      f?.caCert ?? '',
      '--tls-client-cert-file',
      f?.otherClientCert ?? '',
      '--tls-client-key-file',
      f?.otherClientKey ?? '',
    ]);
    const c = step(r.findings, 'tls-client-cert');
    assert.equal(c.status, 'fail');
    assert.match(c.summary, /refused the client certificate/);
  });

  test('the right client certificate: logged in', async () => {
    const f = tls.tlsFiles;
    const r = await doctor([
      '--redis',
      mtls.url,
      '--tls-ca-cert-file',
      f?.caCert ?? '',
      '--tls-client-cert-file',
      f?.clientCert ?? '',
      '--tls-client-key-file',
      f?.clientKey ?? '',
    ]);
    assert.equal(step(r.findings, 'login').status, 'ok', JSON.stringify(r.findings));
  });
});
