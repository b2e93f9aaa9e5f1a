import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CONFIDENTIALITY_CHECKS, monitorClientList } from '../../../src/security/checks/confidentiality.ts';
import {
  fileFacts,
  hardened,
  liveFacts,
  liveWith,
  OPEN_DEFAULT,
  PW,
  run,
  server,
  USERS_FORBIDDEN,
  user,
} from './facts-builder.ts';

test('CONFIDENTIALITY_CHECKS holds RS026', () => {
  assert.deepEqual(
    CONFIDENTIALITY_CHECKS.map((c) => c.id),
    ['RS026'],
  );
  assert.ok(CONFIDENTIALITY_CHECKS.every((c) => c.category === 'confidentiality'));
});

describe('RS026 MONITOR / CLIENT LIST', () => {
  test('fail: MONITOR for a non-admin', () => {
    const r = run(monitorClientList, liveWith('default off', `ops-view on >${PW} resetkeys -@all +monitor`));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /user 'ops-view' may run monitor/);
  });

  test('fail: CLIENT LIST for an application user that reaches keys', () => {
    const r = run(monitorClientList, liveWith('default off', `app on >${PW} ~app:* -@all +get +client|list`));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /client\|list/);
  });

  test('pass: CLIENT LIST for keyless monitoring accounts (exporter, auditor)', () => {
    assert.equal(run(monitorClientList, hardened()).status, 'pass');
  });

  test('unknown: ACL LIST forbidden', () => {
    assert.equal(run(monitorClientList, liveFacts({ unobserved: USERS_FORBIDDEN })).status, 'unknown');
  });
});

test('skip on a Sentinel', () => {
  const sentinel = liveFacts({ server: server('7.0.15', { mode: 'sentinel' }), users: [user(OPEN_DEFAULT)] });
  const sentinelConf = fileFacts({
    config: { port: '26379' },
    options: { directives: [{ name: 'sentinel', args: ['monitor', 'mymaster', '10.0.0.4', '6379', '2'] }] },
  });
  for (const f of [sentinel, sentinelConf]) {
    const r = run(monitorClientList, f);
    assert.equal(r.status, 'skip', r.evidence);
    assert.match(r.evidence, /RS050/);
  }
});
