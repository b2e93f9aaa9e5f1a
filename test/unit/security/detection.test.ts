import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkAuthFailures,
  checkLogging,
  checkSlowlogLatency,
  DETECTION_CHECKS,
} from '../../../src/security/checks/detection.ts';
import type { AclLogEntry } from '../../../src/security/facts.ts';
import { CONFIG_FORBIDDEN, fileFacts, liveFacts, run, user } from './facts-builder.ts';

const authFailure = (username: string, count: number, ageSeconds = 30): AclLogEntry => ({
  reason: 'auth',
  context: 'toplevel',
  object: 'AUTH',
  username,
  count,
  ageSeconds,
});

test('DETECTION_CHECKS holds RS035, RS043, RS046', () => {
  assert.deepEqual(
    DETECTION_CHECKS.map((c) => c.id),
    ['RS035', 'RS043', 'RS046'],
  );
});

describe('RS035 authentication failures', () => {
  const users = [user('default on >foobared ~* +@all'), user('app on >app-Secret-1 ~app:* +get')];

  test('fail: brute force in the ACL LOG names existing users only, never what was typed', () => {
    // A user name that does not exist may be a password typed in the wrong field.
    const typedPassword = 'Hunter2-typed-as-username';
    const f = liveFacts({
      users,
      aclLog: [authFailure('default', 200_917, 3), authFailure(typedPassword, 1, 600)],
      errorstats: { WRONGPASS: 200_918, NOAUTH: 3 },
    });
    const r = run(checkAuthFailures, f, typedPassword);
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /200918 failed authentications \(user default and 1 user name that does not exist\)/);
    assert.match(r.evidence, /the latest 3s ago/);
    assert.match(r.evidence, /WRONGPASS 200918/);
  });

  test('fail: WRONGPASS counted in errorstats when the ACL LOG is not readable', () => {
    const f = liveFacts({ errorstats: { WRONGPASS: 5000 }, unobserved: { aclLog: 'user may not run ACL LOG' } });
    const r = run(checkAuthFailures, f);
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /may not run ACL LOG/);
  });

  test('pass: a few mistyped passwords', () => {
    const r = run(
      checkAuthFailures,
      liveFacts({ users, aclLog: [authFailure('app', 2)], errorstats: { WRONGPASS: 2 } }),
    );
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /2 failed authentications \(user app\)/);
  });

  test('pass: refused commands are reported as probing, not guessing', () => {
    const f = liveFacts({
      aclLog: [
        { reason: 'command', context: 'toplevel', object: 'flushall', username: 'app', count: 4, ageSeconds: 9 },
      ],
      errorstats: {},
    });
    const r = run(checkAuthFailures, f);
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /4 refused command\/key\/channel accesses/);
  });

  test('unknown: neither the ACL LOG nor errorstats, with the reason', () => {
    const r = run(checkAuthFailures, liveFacts({ unobserved: { aclLog: 'NOPERM acl|log' } }));
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /NOPERM acl\|log/);
  });

  test('skip: a file cannot show events', () => {
    assert.equal(run(checkAuthFailures, fileFacts({ config: {} })).status, 'skip');
  });
});

describe('RS043 slowlog and latency monitor', () => {
  test('fail: slowlog disabled in a file, located', () => {
    const r = run(checkSlowlogLatency, fileFacts({ config: { port: '6379', 'slowlog-log-slower-than': '-1' } }));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /slowlog-log-slower-than -1/);
    assert.deepEqual(r.location, { file: 'redis.conf', line: 2 });
  });

  test('fail: slowlog-max-len 0 on a live server', () => {
    assert.equal(run(checkSlowlogLatency, liveFacts({ config: { 'slowlog-max-len': '0' } })).status, 'fail');
  });

  test('pass: defaults, with the latency monitor noted as off', () => {
    const r = run(checkSlowlogLatency, fileFacts({ config: {} }));
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /latency-monitor-threshold 0 \(default\): the latency monitor is off/);
  });

  test('pass: latency monitor on', () => {
    const r = run(checkSlowlogLatency, fileFacts({ config: { 'latency-monitor-threshold': '100' } }));
    assert.match(r.evidence, /latency-monitor-threshold 100$/);
  });

  test('unknown: CONFIG forbidden', () => {
    assert.equal(run(checkSlowlogLatency, liveFacts({ unobserved: CONFIG_FORBIDDEN })).status, 'unknown');
  });
});

describe('RS046 logging', () => {
  test('fail: daemonized with no log file and no syslog', () => {
    const r = run(checkLogging, fileFacts({ config: { daemonize: 'yes', logfile: '' } }));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /the log goes to \/dev\/null/);
    assert.deepEqual(r.location, { file: 'redis.conf', line: 2 });
  });

  test('fail: ACL LOG disabled', () => {
    const r = run(checkLogging, liveFacts({ config: { 'acllog-max-len': '0' } }));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /acllog-max-len 0/);
  });

  test('pass: a log file', () => {
    const r = run(
      checkLogging,
      fileFacts({ config: { daemonize: 'yes', logfile: '/var/log/redis/redis-server.log' } }),
    );
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /logs to logfile \/var\/log\/redis\/redis-server\.log/);
  });

  test('pass: not daemonized, logs to stdout (the journal under systemd); loglevel warning is noted', () => {
    const r = run(checkLogging, fileFacts({ config: { loglevel: 'warning' } }));
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /stdout.*loglevel warning logs only warnings/);
  });

  test('pass: daemonized with syslog', () => {
    const r = run(checkLogging, fileFacts({ config: { daemonize: 'yes', 'syslog-enabled': 'yes' } }));
    assert.match(r.evidence, /logs to syslog/);
  });

  test('unknown: CONFIG forbidden', () => {
    assert.equal(run(checkLogging, liveFacts({ unobserved: CONFIG_FORBIDDEN })).status, 'unknown');
  });
});
