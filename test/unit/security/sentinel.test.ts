import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkSentinelAuth, checkSentinelScripts, SENTINEL_CHECKS } from '../../../src/security/checks/sentinel.ts';
import type { Facts } from '../../../src/security/facts.ts';
import { fileFacts, liveFacts, OPEN_DEFAULT, run, server, user } from './facts-builder.ts';

const SENTINEL_FILE = 'sentinel.conf';
const monitor = { name: 'sentinel', args: ['monitor', 'mymaster', '10.0.0.5', '6379', '2'] };
const sentinelFile = (config: Record<string, string>, extra: Array<{ name: string; args: string[] }> = []) =>
  fileFacts({ config, options: { file: SENTINEL_FILE, directives: [monitor, ...extra] } });
const liveSentinel = (parts: Partial<Facts> = {}) =>
  liveFacts({ server: server('7.0.15', { mode: 'sentinel' }), target: 'redis://10.0.0.7:26379', ...parts });

test('SENTINEL_CHECKS holds RS050, RS051', () => {
  assert.deepEqual(
    SENTINEL_CHECKS.map((c) => c.id),
    ['RS050', 'RS051'],
  );
});

describe('RS050 Sentinel authentication', () => {
  test('fail: answers without AUTH', () => {
    const r = run(checkSentinelAuth, liveSentinel({ unauth: { result: 'open' } }));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /without AUTH/);
  });

  test("fail: ACL LIST shows the default user 'on nopass'", () => {
    const r = run(checkSentinelAuth, liveSentinel({ users: [user(OPEN_DEFAULT)] }));
    assert.equal(r.status, 'fail');
  });

  test('fail: a sentinel.conf without requirepass or users', () => {
    const r = run(checkSentinelAuth, sentinelFile({ port: '26379' }));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /no requirepass and no user lines/);
  });

  test('pass: NOAUTH to an outsider', () => {
    const r = run(checkSentinelAuth, liveSentinel({ unauth: { result: 'noauth' } }));
    assert.equal(r.status, 'pass');
  });

  test('pass: requirepass set in sentinel.conf (never shown), with sentinel-pass', () => {
    const f = sentinelFile({ requirepass: 'Sentinel-Secret-9' }, [
      { name: 'sentinel', args: ['sentinel-pass', 'Peer-Secret-4'] },
    ]);
    const r = run(checkSentinelAuth, f);
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /requirepass is set; sentinel-pass is set/);
    assert.ok(!r.evidence.includes('Peer-Secret-4'));
  });

  test('pass: the default user has a password', () => {
    const r = run(checkSentinelAuth, liveSentinel({ users: [user(`default on #${'a'.repeat(64)} ~* &* +@all`)] }));
    assert.equal(r.status, 'pass');
  });

  test('unknown: no probe, no users, no file', () => {
    const r = run(
      checkSentinelAuth,
      liveSentinel({ unobserved: { unauth: 'the probe timed out', users: 'ACL LIST failed' } }),
    );
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /timed out/);
  });

  test('skip: not a Sentinel', () => {
    assert.equal(run(checkSentinelAuth, liveFacts()).status, 'skip');
    assert.equal(run(checkSentinelAuth, fileFacts({ config: {} })).status, 'skip');
  });
});

describe('RS051 Sentinel script reconfiguration', () => {
  test('fail: deny-scripts-reconfig no, located', () => {
    const f = sentinelFile({ port: '26379' }, [{ name: 'sentinel', args: ['deny-scripts-reconfig', 'no'] }]);
    const r = run(checkSentinelScripts, f);
    assert.equal(r.status, 'fail');
    assert.deepEqual(r.location, { file: SENTINEL_FILE, line: 3 });
  });

  test('pass: deny-scripts-reconfig yes', () => {
    const f = sentinelFile({}, [{ name: 'sentinel', args: ['deny-scripts-reconfig', 'yes'] }]);
    assert.equal(run(checkSentinelScripts, f).status, 'pass');
  });

  test('pass: not set in the file (the default refuses), naming configured scripts', () => {
    const f = sentinelFile({}, [
      { name: 'sentinel', args: ['notification-script', 'mymaster', '/usr/local/bin/notify.sh'] },
    ]);
    const r = run(checkSentinelScripts, f);
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /default \(yes\).*notification-script/);
  });

  test('unknown: a live Sentinel does not report it', () => {
    const r = run(checkSentinelScripts, liveSentinel());
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /--config/);
  });

  test('skip: not a Sentinel', () => {
    assert.equal(run(checkSentinelScripts, fileFacts({ config: {} })).status, 'skip');
  });
});
