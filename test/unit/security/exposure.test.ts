import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CheckResult } from '../../../src/security/check.ts';
import { EXPOSURE_CHECKS, unauthenticatedExposure } from '../../../src/security/checks/exposure.ts';
import type { Facts } from '../../../src/security/facts.ts';
import { assertNoSecret, fileFacts, liveFacts, OPEN_DEFAULT, server, user } from './facts-builder.ts';

function run(f: Facts): CheckResult {
  const r = unauthenticatedExposure.evaluate(f);
  assertNoSecret(r, f);
  return r;
}

const REMOTE = 'redis://203.0.113.5:6379';
const LOCAL = 'redis://127.0.0.1:6379';

test('EXPOSURE_CHECKS holds RS002', () => {
  assert.deepEqual(
    EXPOSURE_CHECKS.map((c) => c.id),
    ['RS002'],
  );
  assert.equal(unauthenticatedExposure.category, 'exposure');
});

describe('RS002 from the unauthenticated probe (another host)', () => {
  test('fail: +PONG without AUTH', () => {
    const r = run(
      liveFacts({ target: REMOTE, unauth: { result: 'open', detail: 'PING answered +PONG without AUTH' } }),
    );
    assert.equal(r.status, 'fail');
    assert.equal(r.severity, undefined, 'catalogue severity: critical');
    assert.match(r.evidence, /203\.0\.113\.5/);
  });

  test('pass: protected mode answers DENIED to a non-loopback client (that is protection; RS001 has the password)', () => {
    const r = run(liveFacts({ target: REMOTE, unauth: { result: 'denied' } }));
    assert.equal(r.status, 'pass');
    assert.equal(r.severity, undefined);
    assert.match(r.evidence, /-DENIED: protected mode; the default user has no password, see RS001/);
  });

  test('pass: NOAUTH, TLS-only or closed', () => {
    assert.equal(run(liveFacts({ target: REMOTE, unauth: { result: 'noauth' } })).status, 'pass');
    const tls = run(
      liveFacts({ target: REMOTE, unauth: { result: 'tls-required', tls: true, clientCertRequired: true } }),
    );
    assert.equal(tls.status, 'pass');
    assert.match(tls.evidence, /client certificate/);
    assert.equal(run(liveFacts({ target: REMOTE, unauth: { result: 'closed' } })).status, 'pass');
  });
});

describe('RS002 derived from bind, protected-mode and the default user', () => {
  test('fail: bind 0.0.0.0, protected-mode no, no password (file), located at protected-mode', () => {
    const f = fileFacts({ config: { bind: '0.0.0.0', 'protected-mode': 'no' } });
    const r = run(f);
    assert.equal(r.status, 'fail');
    assert.equal(r.severity, undefined);
    assert.match(r.evidence, /bind 0\.0\.0\.0, protected-mode no/);
    assert.deepEqual(r.location, { file: 'redis.conf', line: 2 });
  });

  test('pass: no bind directive, no password, protected mode on (a default server: non-loopback clients get DENIED)', () => {
    const r = run(fileFacts({ config: { port: '6379' } }));
    assert.equal(r.status, 'pass');
    assert.equal(r.severity, undefined);
    assert.match(
      r.evidence,
      /bind \* -::\* \(default: no bind directive\).*protected mode is on: non-loopback clients get -DENIED/,
    );
  });

  test('fail: Redis 6 with an explicit bind has no protected mode (probe from loopback ignored)', () => {
    const f = liveFacts({
      target: LOCAL,
      server: server('6.2.6'),
      config: { bind: '0.0.0.0', 'protected-mode': 'yes', port: '6379', 'tls-port': '0' },
      users: [user(OPEN_DEFAULT)],
      unauth: { result: 'open' },
    });
    const r = run(f);
    assert.equal(r.status, 'fail');
    assert.equal(r.severity, undefined);
    assert.match(r.evidence, /before 7\.0/);
  });

  test('pass: loopback only, or a password', () => {
    assert.equal(run(fileFacts({ config: { bind: '127.0.0.1 -::1' } })).status, 'pass');
    const f = fileFacts({ config: { bind: '0.0.0.0', requirepass: 'Qm4#vX8!pL2@wR6$zT9%kN3^bH7&jF5*' } });
    const r = run(f);
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /requires a password/);
  });

  test('skip: unix socket only', () => {
    const r = run(fileFacts({ config: { port: '0', unixsocket: '/run/redis/redis.sock' } }));
    assert.equal(r.status, 'skip');
  });

  test('unknown: CONFIG forbidden and no probe from another host', () => {
    const f = liveFacts({
      target: LOCAL,
      unobserved: { config: 'CONFIG is not permitted for this user (NOPERM)' },
      unauth: { result: 'open' },
    });
    const r = run(f);
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /CONFIG is not permitted/);
    assert.match(r.evidence, /probe came from this host \(it got 'open'\)/);
  });

  test('unknown: bind beyond loopback but the default user unobserved', () => {
    const f = liveFacts({
      target: LOCAL,
      config: { bind: '10.0.0.5', port: '6379', 'tls-port': '0' },
      unobserved: { users: 'ACL LIST is not permitted (NOPERM)' },
    });
    const r = run(f);
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /NOPERM/);
  });
});
