import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Check, CheckResult } from '../../../src/security/check.ts';
import { CONFIDENTIALITY_CHECKS, monitorClientList } from '../../../src/security/checks/confidentiality.ts';
import type { Facts } from '../../../src/security/facts.ts';
import {
  assertNoSecret,
  fileFacts,
  hardenedAclFacts,
  liveFacts,
  OPEN_DEFAULT,
  server,
  sha256,
  user,
} from './facts-builder.ts';

const PW = 'c0a1e4f9b27d8e6a5f3c1b0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f';

function run(check: Check, f: Facts): CheckResult {
  const r = check.evaluate(f);
  assertNoSecret(r, f, PW, sha256(PW));
  return r;
}

const USERS_FORBIDDEN = { users: 'ACL LIST is not permitted for this user (NOPERM)' };
const hardened = (): Facts => hardenedAclFacts(PW);
const liveWith = (...lines: string[]): Facts => liveFacts({ users: lines.map((l) => user(l)) });

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
