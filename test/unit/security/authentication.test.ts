import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CheckResult } from '../../../src/security/check.ts';
import {
  AUTHENTICATION_CHECKS,
  guessableUserPasswords,
  noAuthentication,
  weakDefaultPassword,
} from '../../../src/security/checks/authentication.ts';
import type { Facts } from '../../../src/security/facts.ts';
import { aclFile, assertNoSecret, fileFacts, liveFacts, OPEN_DEFAULT, sha256, user } from './facts-builder.ts';

const STRONG = 'c0a1e4f9b27d8e6a5f3c1b0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f';
const STRONG_2 = 'Xq7#pL2!vR9@kM4$wT6%zN8^bJ3&hF5*';

function run(check: { evaluate(f: Facts): CheckResult }, f: Facts, ...secrets: string[]): CheckResult {
  const r = check.evaluate(f);
  assertNoSecret(r, f, 'foobared', STRONG, STRONG_2, ...secrets);
  return r;
}

test('AUTHENTICATION_CHECKS holds RS001, RS003, RS004 with catalogue metadata', () => {
  assert.deepEqual(
    AUTHENTICATION_CHECKS.map((c) => c.id),
    ['RS001', 'RS003', 'RS004'],
  );
  assert.equal(noAuthentication.severity, 'critical');
  assert.equal(noAuthentication.category, 'authentication');
  assert.match(noAuthentication.remediation, /user default off/);
});

describe('RS001 default user without a password', () => {
  test('fail: ACL LIST shows default on nopass', () => {
    const r = run(noAuthentication, liveFacts({ users: [user(OPEN_DEFAULT)] }));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /default user is 'on nopass'/);
  });

  test('fail: a redis.conf with neither requirepass nor a default user line', () => {
    const r = run(noAuthentication, fileFacts({ config: { bind: '127.0.0.1', port: '6379' } }));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /no requirepass and no 'user default' line/);
  });

  test('fail: an aclfile that does not define the default user, located at the aclfile line', () => {
    const f = fileFacts({
      config: { port: '6379', aclfile: '/etc/redis/users.acl' },
      users: aclFile('/etc/redis/users.acl', [`user admin on >${STRONG} ~* &* +@all`]),
    });
    const r = run(noAuthentication, f);
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /aclfile does not define the default user/);
    assert.deepEqual(r.location, { file: 'redis.conf', line: 2 });
  });

  test('fail: the default user line is located in the ACL file', () => {
    const f = fileFacts({
      config: { aclfile: 'users.acl' },
      users: aclFile('users.acl', [`user admin on >${STRONG} ~* +@all`, 'user default on nopass ~* +@all']),
    });
    const r = run(noAuthentication, f);
    assert.equal(r.status, 'fail');
    assert.deepEqual(r.location, { file: 'users.acl', line: 2 });
  });

  test('fail: the unauthenticated probe was answered and ACL LIST was forbidden', () => {
    const f = liveFacts({
      unobserved: { users: 'ACL LIST is not permitted for this user (NOPERM)' },
      unauth: { result: 'open', detail: 'PING answered +PONG without AUTH' },
    });
    const r = run(noAuthentication, f);
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /PONG/);
  });

  test('fail: protected mode DENIED means no password', () => {
    const f = liveFacts({ unobserved: { users: 'NOAUTH' }, unauth: { result: 'denied' } });
    assert.equal(run(noAuthentication, f).status, 'fail');
  });

  test('pass: requirepass in the file, evidence without the password', () => {
    const r = run(noAuthentication, fileFacts({ config: { requirepass: 'foobared' } }));
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /requirepass is set/);
    assert.deepEqual(r.location, { file: 'redis.conf', line: 1 });
  });

  test('pass: default user off, or with a password hash', () => {
    assert.equal(run(noAuthentication, liveFacts({ users: [user('default off nopass ~* +@all')] })).status, 'pass');
    const hashed = liveFacts({ users: [user(`default on #${sha256(STRONG)} ~* &* +@all`)] });
    assert.equal(run(noAuthentication, hashed).status, 'pass');
  });

  test('pass: the unauthenticated probe got NOAUTH', () => {
    const f = liveFacts({ unobserved: { users: 'NOPERM' }, unauth: { result: 'noauth', detail: 'NOAUTH' } });
    const r = run(noAuthentication, f);
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /NOAUTH/);
  });

  test('unknown: users unobserved and the probe inconclusive, with the reason', () => {
    const f = liveFacts({
      unobserved: { users: 'ACL LIST is not permitted for this user (NOPERM)' },
      unauth: { result: 'tls-required', detail: 'handshake failed' },
    });
    const r = run(noAuthentication, f);
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /NOPERM/);
    assert.match(r.evidence, /tls-required/);
  });

  test('unknown: an aclfile named in redis.conf that was not read', () => {
    const r = run(noAuthentication, fileFacts({ config: { aclfile: '/etc/redis/users.acl' } }));
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /users\.acl was not read/);
  });
});

describe('RS003 weak default-user password', () => {
  test('fail: requirepass foobared (plaintext known from CONFIG GET, attached to the default user)', () => {
    const f = liveFacts({
      config: { requirepass: '<redacted>' },
      users: [user('default on >foobared ~* &* +@all')],
    });
    const r = run(weakDefaultPassword, f);
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /common-password list/);
    assert.match(r.evidence, /shorter than 32 characters/);
  });

  test('fail: only the SHA-256 from ACL LIST, matched against the hashed list', () => {
    const f = liveFacts({ users: [user(`default on #${sha256('foobared')} ~* &* +@all`)] });
    const r = run(weakDefaultPassword, f);
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /is in the common-password list/);
  });

  test('fail: a short random requirepass in a file, located at its line', () => {
    const f = fileFacts({ config: { port: '6379', requirepass: 'Zq9xLp2w' } });
    const r = run(weakDefaultPassword, f, 'Zq9xLp2w');
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /shorter than 32/);
    assert.deepEqual(r.location, { file: 'redis.conf', line: 2 });
  });

  test('fail: a weak masterauth', () => {
    const f = fileFacts({ config: { requirepass: STRONG, masterauth: 'redis123' } });
    const r = run(weakDefaultPassword, f, 'redis123');
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /^masterauth is in the common-password list/);
  });

  test('pass: a 64-hex requirepass', () => {
    const r = run(weakDefaultPassword, fileFacts({ config: { requirepass: STRONG } }));
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /at least 32 characters/);
  });

  test('pass: a hash with no known weakness says length cannot be judged', () => {
    const r = run(weakDefaultPassword, liveFacts({ users: [user(`default on #${sha256(STRONG_2)} ~* +@all`)] }));
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /cannot be judged from a hash/);
  });

  test('skip: the default user is nopass (RS001) or off', () => {
    const nopass = run(weakDefaultPassword, liveFacts({ users: [user(OPEN_DEFAULT)] }));
    assert.equal(nopass.status, 'skip');
    assert.match(nopass.evidence, /RS001/);
    const off = run(weakDefaultPassword, liveFacts({ users: [user('default off ~* +@all')] }));
    assert.equal(off.status, 'skip');
  });

  test('unknown: ACL LIST forbidden', () => {
    const f = liveFacts({ unobserved: { users: 'ACL LIST is not permitted for this user (NOPERM)' } });
    const r = run(weakDefaultPassword, f);
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /NOPERM/);
  });
});

describe('RS004 password equals username or is common', () => {
  test('fail: the lab B users weak and bob (hash = sha256(username)) and a common plaintext', () => {
    const f = fileFacts({
      config: { aclfile: 'users.acl' },
      users: aclFile('users.acl', [
        'user default off',
        `user weak on #${sha256('weak')} ~* +@read`,
        'user bob on >bob ~* +@read',
        'user carol on >letmein ~* +@read',
        `user admin on >${STRONG} ~* &* +@all`,
      ]),
    });
    const r = run(guessableUserPasswords, f, 'letmein');
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /user 'weak': password equals the username/);
    assert.match(r.evidence, /user 'bob': password equals the username/);
    assert.match(r.evidence, /user 'carol': password is in the common-password list/);
    assert.ok(!r.evidence.includes('admin'));
    assert.deepEqual(r.location, { file: 'users.acl', line: 2 });
  });

  test('fail: several passwords are judged each, and the rotation leftover is noted', () => {
    const f = liveFacts({
      users: [user('default off'), user(`app on #${sha256(STRONG)} #${sha256('letmein')} ~app:* +get`)],
    });
    const r = run(guessableUserPasswords, f, 'letmein');
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /password 2 of 2 is in the common-password list/);
    assert.match(r.evidence, /several passwords/);
  });

  test('pass: strong, distinct passwords; disabled users are not judged', () => {
    const f = liveFacts({
      users: [
        user('default off'),
        user(`app on >${STRONG} ~app:* +get`),
        user(`auditor on #${sha256(STRONG_2)} -@all +info`),
        user('old off >old ~* +@all'),
      ],
    });
    const r = run(guessableUserPasswords, f, 'old');
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /2 users \('app', 'auditor'\)/);
    assert.match(r.evidence, /2 disabled users not judged/);
  });

  test('skip: no enabled user has a password', () => {
    const r = run(guessableUserPasswords, liveFacts({ users: [user(OPEN_DEFAULT)] }));
    assert.equal(r.status, 'skip');
  });

  test('unknown: ACL users not observed', () => {
    const f = liveFacts({ unobserved: { users: 'ACL is renamed or disabled on this server' } });
    const r = run(guessableUserPasswords, f);
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /ACL is renamed/);
  });
});
