import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Check, CheckResult } from '../../../src/security/check.ts';
import { CONFIDENTIALITY_CHECKS, checkPasswordsReadable } from '../../../src/security/checks/confidentiality.ts';
import type { Facts } from '../../../src/security/facts.ts';
import { aclFile, assertNoSecret, fileFacts, liveFacts, user } from './facts-builder.ts';

function run(check: Check, f: Facts): CheckResult {
  const r = check.evaluate(f);
  assertNoSecret(r, f);
  return r;
}

const CONFIG_FORBIDDEN = { config: 'CONFIG is not permitted for this user (NOPERM)' };
const ADMIN = 'admin on >Admin-Pa55word-x ~* &* +@all';
const MONITOR = 'monitor on >Mon-Pa55word-y -@all +info +config|get';
const APP = 'app on >App-Pa55word-z ~app:* -@all +@read +@write -@dangerous';

test('CONFIDENTIALITY_CHECKS holds RS055 (catalogued under authorization)', () => {
  assert.deepEqual(
    CONFIDENTIALITY_CHECKS.map((c) => c.id),
    ['RS055'],
  );
  assert.equal(checkPasswordsReadable.category, 'authorization');
});

describe('RS055 passwords readable through CONFIG GET', () => {
  test('fail: a monitoring user may run CONFIG GET while requirepass is set (live, redacted)', () => {
    const f = liveFacts({
      config: { requirepass: '<redacted>', masterauth: '' },
      users: [user(ADMIN), user(MONITOR), user(APP)],
    });
    const r = run(checkPasswordsReadable, f);
    assert.equal(r.status, 'fail');
    assert.match(
      r.evidence,
      /user monitor may run CONFIG GET \(may read but not change the configuration\) while requirepass is set/,
    );
    assert.doesNotMatch(r.evidence, /admin|app/);
  });

  test('fail: from an ACL file, located at the user line; plaintext passwords never shown', () => {
    const f = fileFacts({
      config: { aclfile: 'users.acl', masterauth: 'Repl-Secret-123' },
      users: aclFile('users.acl', [ADMIN, MONITOR]),
    });
    const r = run(checkPasswordsReadable, f);
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /masterauth is set/);
    assert.deepEqual(r.location, { file: 'users.acl', line: 2 });
  });

  test('fail: ACL DRYRUN answers win over the rules; with an admin list, anyone else counts', () => {
    const f = liveFacts({
      config: { requirepass: '<redacted>' },
      users: [user(ADMIN), user('ops on >Ops-Pa55word-q ~* +@all')],
      dryRun: { ops: { 'config|get': true, 'config|set': true } },
      inventory: { adminUsers: ['admin'] },
    });
    const r = run(checkPasswordsReadable, f);
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /user ops may run CONFIG GET \(not in the admin list\)/);
  });

  test('pass: only admins may read the configuration', () => {
    const f = liveFacts({
      config: { requirepass: '<redacted>' },
      users: [user(ADMIN), user(APP), user('off-user off +config|get')],
    });
    const r = run(checkPasswordsReadable, f);
    assert.equal(r.status, 'pass');
    assert.equal(r.evidence, 'requirepass is set; only admins may run CONFIG GET');
  });

  test('pass: an empty admin list counts as none: the all-powerful default user is an admin', () => {
    const f = liveFacts({
      config: { requirepass: '<redacted>' },
      users: [user(`default on #${'c'.repeat(64)} ~* &* +@all`)],
      inventory: { adminUsers: [] },
    });
    assert.equal(run(checkPasswordsReadable, f).status, 'pass');
  });

  test('pass: a file with requirepass and no user lines (only the all-powerful default user)', () => {
    const r = run(checkPasswordsReadable, fileFacts({ config: { requirepass: 'Only-Default-Pass-1' } }));
    assert.equal(r.status, 'pass');
  });

  test('unknown: CONFIG forbidden', () => {
    const r = run(checkPasswordsReadable, liveFacts({ unobserved: CONFIG_FORBIDDEN, users: [user(MONITOR)] }));
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /NOPERM/);
  });

  test('unknown: users not observed', () => {
    const r = run(
      checkPasswordsReadable,
      liveFacts({ config: { requirepass: '<redacted>' }, unobserved: { users: 'NOPERM acl|list' } }),
    );
    assert.equal(r.status, 'unknown');
  });

  test('skip: no password in the configuration', () => {
    const r = run(
      checkPasswordsReadable,
      liveFacts({ config: { requirepass: '', masterauth: '' }, users: [user(MONITOR)] }),
    );
    assert.equal(r.status, 'skip');
  });
});
