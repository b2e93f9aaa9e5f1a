import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diagnoseDns } from '../../src/doctor/dns-lookup.ts';
import { diagnoseLogin } from '../../src/doctor/login.ts';
import { diagnoseTcp } from '../../src/doctor/tcp-connect.ts';
import { diagnosePlainPort, diagnoseTls } from '../../src/doctor/transport-diagnosis.ts';
import type { TlsFacts } from '../../src/doctor/transport-probes.ts';

const cert = {
  subject: 'redis.internal',
  issuer: 'Acme CA',
  altNames: 'DNS:redis.internal, IP Address:10.0.0.5',
  validTo: 'Jan 1 00:00:00 2027 GMT',
};

function tls(over: Partial<TlsFacts>): TlsFacts {
  return {
    handshake: 'done',
    checkedName: 'redis.internal',
    clientCertGiven: false,
    skipVerify: false,
    certificate: cert,
    afterHandshake: { answered: true },
    protocol: 'TLSv1.3',
    ...over,
  };
}

describe('doctor: DNS and TCP say which failure it is', () => {
  test('DNS: an address, a name that resolves, one that does not, a resolver that does not answer', () => {
    assert.equal(diagnoseDns('t', { host: '10.0.0.1', addresses: ['10.0.0.1'] }).status, 'ok');
    assert.match(
      diagnoseDns('t', { host: 'db', addresses: ['10.0.0.2', '10.0.0.3'] }).summary,
      /resolves to 10\.0\.0\.2, 10\.0\.0\.3/,
    );
    const nx = diagnoseDns('t', { host: 'redis', addresses: [], error: 'ENOTFOUND' });
    assert.equal(nx.status, 'fail');
    assert.match(nx.fix ?? '', /inside the compose network/);
    assert.match(
      diagnoseDns('t', { host: 'x.example', addresses: [], error: 'timeout' }).summary,
      /resolver did not answer/,
    );
  });

  test('TCP: refused, dropped (timeout) and rejected (unreachable) are told apart', () => {
    const base = { address: '10.0.0.1:6379', timeoutMs: 5000 };
    assert.match(diagnoseTcp('t', { ...base, outcome: 'refused' }, false).summary, /refused .*nothing listens/);
    const t = diagnoseTcp('t', { ...base, outcome: 'timeout' }, false);
    assert.match(t.summary, /within 5s: the connection attempt was dropped \(filtered/);
    assert.match(t.fix ?? '', /port 6379/);
    assert.match(
      diagnoseTcp('t', { ...base, outcome: 'unreachable', code: 'EHOSTUNREACH' }, false).summary,
      /unreachable \(EHOSTUNREACH\).*firewall rejects/,
    );
    assert.match(
      diagnoseTcp('t', { address: '/run/redis.sock', outcome: 'no-socket-file', timeoutMs: 1 }, true).fix ?? '',
      /unixsocket/,
    );
  });
});

describe('doctor: TLS and plaintext', () => {
  test('a verified certificate with the right name: ok, the chain goes on', () => {
    const r = diagnoseTls('t', tls({}), undefined);
    assert.equal(r.stop, false);
    assert.deepEqual(
      r.findings.map((f) => f.status),
      ['ok', 'ok'],
    );
  });

  test('unknown CA names the issuer; --skip-tls-verification turns it into a warning and goes on', () => {
    const r = diagnoseTls('t', tls({ verifyError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }), undefined);
    assert.equal(r.stop, true);
    assert.match(r.findings[0].fix ?? '', /"Acme CA"/);
    const skipped = diagnoseTls('t', tls({ verifyError: 'SELF_SIGNED_CERT_IN_CHAIN', skipVerify: true }), undefined);
    assert.equal(skipped.stop, false);
    assert.equal(skipped.findings[0].status, 'warn');
  });

  test('expired certificate and a name mismatch', () => {
    assert.match(
      diagnoseTls('t', tls({ verifyError: 'CERT_HAS_EXPIRED' }), undefined).findings[0].summary,
      /expired on Jan 1/,
    );
    const name = diagnoseTls(
      't',
      tls({ checkedName: '10.9.9.9', nameError: "IP: 10.9.9.9 is not in the cert's list" }),
      undefined,
    );
    assert.equal(name.stop, true);
    assert.match(
      name.findings[1].summary,
      /not for "10\.9\.9\.9": it names DNS:redis\.internal, IP Address:10\.0\.0\.5/,
    );
  });

  test('client certificate required (TLS 1.3 alert after the handshake) or refused', () => {
    const req = diagnoseTls(
      't',
      tls({ afterHandshake: { answered: false, code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' } }),
      undefined,
    );
    assert.match(req.findings.at(-1)?.summary ?? '', /requires a client certificate/);
    const refused = diagnoseTls(
      't',
      tls({ clientCertGiven: true, afterHandshake: { answered: false, code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA' } }),
      undefined,
    );
    assert.match(refused.findings.at(-1)?.summary ?? '', /refused the client certificate/);
    const early = diagnoseTls(
      't',
      tls({ handshake: 'failed', errorCode: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE' }),
      undefined,
    );
    assert.match(early.findings[0].summary, /requires a client certificate/);
  });

  test('TLS to a plaintext port, plaintext to a TLS port, HTTP on the port', () => {
    const plainAnswer = { answer: 'resp' as const, firstLine: '-NOAUTH Authentication required.' };
    const tlsToPlain = diagnoseTls(
      't',
      tls({ handshake: 'failed', errorCode: 'ERR_SSL_WRONG_VERSION_NUMBER' }),
      plainAnswer,
    );
    assert.match(tlsToPlain.findings[0].summary, /serves plaintext Redis/);
    const plainToTls = diagnosePlainPort('t', { answer: 'silent-close', firstLine: '' }, tls({}));
    assert.match(plainToTls.findings[0].summary, /serves TLS/);
    assert.match(plainToTls.findings[0].fix ?? '', /issued by "Acme CA"/);
    const http = diagnosePlainPort('t', { answer: 'http', firstLine: 'HTTP/1.1 400 Bad Request\x1b[2J' }, undefined);
    assert.match(http.findings[0].summary, /HTTP server/);
    assert.ok(!http.findings[0].summary.includes('\x1b'));
  });
});

describe('doctor: login', () => {
  test('each refusal has its own fix and never a password', () => {
    const wrong = diagnoseLogin('t', {
      ok: false,
      kind: 'wrong_password',
      user: 'app',
      origin: '.env',
      envVariable: 'REDIS_APP_PASSWORD',
    });
    assert.match(wrong.summary, /WRONGPASS; the password came from \.env \(REDIS_APP_PASSWORD\)/);
    assert.match(
      diagnoseLogin('t', { ok: false, kind: 'auth_required', user: 'default', origin: 'none' }).summary,
      /NOAUTH\) and no password was given/,
    );
    assert.match(
      diagnoseLogin('t', { ok: false, kind: 'protected_mode', user: 'default', origin: 'none' }).fix ?? '',
      /requirepass/,
    );
  });
});
