import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runChecks } from '../../../src/security/audit.ts';
import {
  AUTHORIZATION_CHECKS,
  checkPasswordsReadable,
  configSetForNonAdmins,
  dangerousCommands,
  defaultUserPrivileged,
  flushCommands,
  nopassBroadUser,
  replicationCommands,
  scriptingForNonAdmins,
  superuserSprawl,
} from '../../../src/security/checks/authorization.ts';
import type { Facts } from '../../../src/security/facts.ts';
import {
  aclFile,
  CONFIG_FORBIDDEN,
  fileFacts,
  hardened,
  liveFacts,
  liveWith,
  OPEN_DEFAULT,
  PW,
  run,
  server,
  sha256,
  USERS_FORBIDDEN,
  user,
} from './facts-builder.ts';

test('AUTHORIZATION_CHECKS holds RS005–RS007, RS016–RS018, RS022, RS024 and RS055, all authorization', () => {
  assert.deepEqual(
    AUTHORIZATION_CHECKS.map((c) => c.id),
    ['RS005', 'RS006', 'RS007', 'RS016', 'RS017', 'RS018', 'RS022', 'RS024', 'RS055'],
  );
  assert.ok(AUTHORIZATION_CHECKS.every((c) => c.category === 'authorization'));
});

test('the hardened users.acl passes every authorization check', () => {
  for (const check of AUTHORIZATION_CHECKS) {
    const r = run(check, hardened());
    assert.ok(r.status === 'pass' || r.status === 'skip', `${check.id}: ${r.status} ${r.evidence}`);
  }
});

describe('RS005 default user privileged next to named users', () => {
  test('fail: default on nopass +@all and an admin', () => {
    const r = run(defaultUserPrivileged, liveWith(OPEN_DEFAULT, `admin on #${sha256(PW)} ~* &* +@all`));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /default user is on \(without a password\) with \+@all/);
    assert.match(r.evidence, /'admin'/);
  });

  test('fail (medium): default restricted to some keys but may run CONFIG SET', () => {
    const f = liveWith(`default on >${PW} ~cache:* -@all +get +config|set`, `app on >${PW} ~app:* +@read`);
    const r = run(defaultUserPrivileged, f);
    assert.equal(r.status, 'fail');
    assert.equal(r.severity, 'medium');
    assert.match(r.evidence, /may run config\|set/);
  });

  test('pass: default off', () => {
    const r = run(defaultUserPrivileged, hardened());
    assert.equal(r.status, 'pass');
    assert.deepEqual(r.location, { file: 'users.acl', line: 1 });
  });

  test('skip: only the default user exists', () => {
    assert.equal(run(defaultUserPrivileged, liveWith(OPEN_DEFAULT)).status, 'skip');
  });

  test('unknown: ACL LIST forbidden', () => {
    const r = run(defaultUserPrivileged, liveFacts({ unobserved: USERS_FORBIDDEN }));
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /NOPERM/);
  });
});

describe('RS006 nopass user with broad rights', () => {
  test('fail: nopass +@all, located at its ACL line', () => {
    const f = fileFacts({
      config: { aclfile: 'users.acl' },
      users: aclFile('users.acl', ['user default off', 'user svc on nopass ~* &* +@all']),
    });
    const r = run(nopassBroadUser, f);
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /user 'svc' is 'on nopass'.*\+@all, all keys/);
    assert.deepEqual(r.location, { file: 'users.acl', line: 2 });
  });

  test('fail: nopass with FLUSHALL on some keys', () => {
    const r = run(nopassBroadUser, liveWith('default off', 'svc on nopass ~app:* -@all +get +flushall'));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /may run flushall/);
  });

  test('pass: a nopass health-check user with PING only', () => {
    const r = run(nopassBroadUser, liveWith('default off', 'health on nopass resetkeys -@all +ping'));
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /'health' have narrow rights/);
  });

  test('pass: no nopass user', () => {
    assert.equal(run(nopassBroadUser, hardened()).status, 'pass');
  });

  test('unknown: ACL LIST forbidden', () => {
    assert.equal(run(nopassBroadUser, liveFacts({ unobserved: USERS_FORBIDDEN })).status, 'unknown');
  });
});

describe('RS007 superuser sprawl', () => {
  test('fail: two users with +@all', () => {
    const r = run(superuserSprawl, liveWith('default off', `admin on >${PW} ~* +@all`, `app on >${PW} ~* +@all`));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /2 enabled users have \+@all: 'admin', 'app'/);
  });

  test('fail: a +@all user that is not an inventory admin', () => {
    const f = liveWith('default off', `ops on >${PW} ~* +@all`);
    f.inventory = { adminUsers: ['admin'] };
    const r = run(superuserSprawl, f);
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /'ops' has \+@all but is not an admin in the inventory/);
  });

  test('pass: one superuser; +@all followed by a removal does not count', () => {
    assert.equal(run(superuserSprawl, hardened()).status, 'pass');
    const r = run(
      superuserSprawl,
      liveWith('default off', `admin on >${PW} ~* +@all`, `app on >${PW} ~* +@all -debug`),
    );
    assert.equal(r.status, 'pass');
  });

  test('unknown: ACL LIST forbidden', () => {
    assert.equal(run(superuserSprawl, liveFacts({ unobserved: USERS_FORBIDDEN })).status, 'unknown');
  });
});

describe('RS016 dangerous commands for non-admins', () => {
  test('fail (high): an application user with +@all', () => {
    const r = run(dangerousCommands, liveWith('default off', `admin on >${PW} ~* +@all`, `app on >${PW} ~app:* +@all`));
    assert.equal(r.status, 'fail');
    assert.equal(r.severity, undefined);
    assert.match(r.evidence, /user 'app' \(\+@all\) may run config\|set/);
    assert.match(r.evidence, /'admin' counted as admin by name/);
  });

  test('fail (medium): only KEYS and SAVE', () => {
    const r = run(dangerousCommands, liveWith('default off', `app on >${PW} ~app:* -@all +get +keys +save`));
    assert.equal(r.status, 'fail');
    assert.equal(r.severity, 'medium');
    assert.match(r.evidence, /keys, save/);
  });

  test('fail: PSYNC counts for a user that also reaches keys', () => {
    const r = run(dangerousCommands, liveWith('default off', `app on >${PW} ~* -@all +get +psync`));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /psync/);
  });

  test('DEBUG and MODULE LOAD count only where enable-*-command allows them', () => {
    const f = liveWith('default off', `app on >${PW} ~app:* -@all +get +debug +module|load`);
    f.config = {
      values: { 'enable-debug-command': 'no', 'enable-module-command': 'no' },
      locations: {},
      directives: [],
      renamedCommands: {},
    };
    const r = run(dangerousCommands, f);
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /enable-debug-command no/);
  });

  test('fail from ACL DRYRUN answers when ACL LIST was forbidden', () => {
    const f = liveFacts({ unobserved: USERS_FORBIDDEN, dryRun: { app: { 'config|set': true, flushall: false } } });
    const r = run(dangerousCommands, f);
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /user 'app' may run config\|set/);
  });

  test('pass: the inventory makes ops an admin', () => {
    const f = liveWith('default off', `ops on >${PW} ~* +@all`);
    f.inventory = { adminUsers: ['ops'] };
    const r = run(dangerousCommands, f);
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /no enabled non-admin user \(admins from the inventory\)/);
  });

  test('unknown: ACL LIST forbidden and no DRYRUN', () => {
    assert.equal(run(dangerousCommands, liveFacts({ unobserved: USERS_FORBIDDEN })).status, 'unknown');
  });
});

describe('RS017 CONFIG SET for non-admins', () => {
  const rs017 = (facts: Facts) => runChecks(facts, [configSetForNonAdmins])[0];

  test('fail (high on 7.0): the default user has +@all', () => {
    const r = rs017(liveWith(OPEN_DEFAULT));
    assert.equal(r.status, 'fail');
    assert.equal(r.severity, 'high');
    assert.match(r.evidence, /user 'default' \(\+@all\) may run config\|set/);
  });

  test('fail (critical before 7.0)', () => {
    const r = rs017(liveFacts({ server: server('6.2.14'), users: [user(OPEN_DEFAULT)] }));
    assert.equal(r.status, 'fail');
    assert.equal(r.severity, 'critical');
    assert.match(r.evidence, /before 7\.0/);
  });

  test('the same severity whether it fails, passes or is unknown (one severity label per check and server)', () => {
    for (const [version, severity] of [
      ['7.0.15', 'high'],
      ['6.2.14', 'critical'],
    ] as const) {
      const fail = rs017(liveFacts({ server: server(version), users: [user(OPEN_DEFAULT)] }));
      const pass = rs017(liveFacts({ server: server(version), users: [user(`default on >${PW} ~* -@all +get`)] }));
      const unknown = rs017(liveFacts({ server: server(version), unobserved: USERS_FORBIDDEN }));
      assert.deepEqual(
        [fail, pass, unknown].map((f) => [f.status, f.severity]),
        [
          ['fail', severity],
          ['pass', severity],
          ['unknown', severity],
        ],
        version,
      );
    }
  });

  test('fail: a renamed CONFIG is still CONFIG (obscurity only), and its new name is never shown', () => {
    const f = fileFacts({
      config: { requirepass: PW },
      options: { renamed: { config: 'CFG_b840fc02d524045429941cc15f59e41cb7be6c52' } },
    });
    const r = run(configSetForNonAdmins, f);
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /CONFIG is renamed \(obscurity only\)/);
  });

  test('pass: CONFIG disabled with rename-command, or only admins have it', () => {
    const f = fileFacts({ config: { requirepass: PW }, options: { renamed: { config: '' } } });
    const r = run(configSetForNonAdmins, f);
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /CONFIG is disabled by rename-command/);
    assert.equal(run(configSetForNonAdmins, hardened()).status, 'pass');
  });

  test('unknown: ACL LIST forbidden', () => {
    assert.equal(run(configSetForNonAdmins, liveFacts({ unobserved: USERS_FORBIDDEN })).status, 'unknown');
  });
});

describe('RS018 REPLICAOF / SLAVEOF', () => {
  test('fail: an app user with +@admin, noting the replica state', () => {
    const f = liveWith('default off', `app on >${PW} ~app:* -@all +@read +@admin`);
    f.info = { role: 'slave', master_host: '198.51.100.7' };
    const r = run(replicationCommands, f);
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /replicaof, slaveof/);
    assert.match(r.evidence, /replicates from 198\.51\.100\.7 \(see RS041\)/);
  });

  test('pass: the hardened users', () => {
    assert.equal(run(replicationCommands, hardened()).status, 'pass');
  });

  test('unknown: ACL LIST forbidden', () => {
    assert.equal(run(replicationCommands, liveFacts({ unobserved: USERS_FORBIDDEN })).status, 'unknown');
  });
});

describe('RS022 scripting for non-admins', () => {
  test('fail: +@write without -@scripting grants FUNCTION LOAD', () => {
    const r = run(
      scriptingForNonAdmins,
      liveWith('default off', `app on >${PW} ~app:* -@all +@read +@write -@dangerous`),
    );
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /function\|load/);
    assert.match(r.evidence, /put -@scripting after it/);
  });

  test('fail: EVAL for the default user', () => {
    const r = run(scriptingForNonAdmins, liveWith(OPEN_DEFAULT));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /user 'default' \(\+@all\) may run eval/);
  });

  test('pass: -@scripting after +@write', () => {
    assert.equal(run(scriptingForNonAdmins, hardened()).status, 'pass');
  });

  test('unknown: ACL LIST forbidden', () => {
    assert.equal(run(scriptingForNonAdmins, liveFacts({ unobserved: USERS_FORBIDDEN })).status, 'unknown');
  });
});

describe('RS024 FLUSHALL / FLUSHDB', () => {
  test('fail: +@write without -@dangerous', () => {
    const r = run(flushCommands, liveWith('default off', `app on >${PW} ~app:* -@all +@write`));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /flushall, flushdb/);
  });

  test('pass: both disabled by rename-command (Bitnami style)', () => {
    const f = fileFacts({ config: { requirepass: PW }, options: { renamed: { flushall: '', flushdb: '' } } });
    const r = run(flushCommands, f);
    assert.equal(r.status, 'pass');
    assert.match(r.evidence, /FLUSHALL is disabled by rename-command, FLUSHDB is disabled/);
  });

  test('unknown: a DRYRUN-only user without an answer for FLUSHDB', () => {
    const f = liveFacts({ unobserved: USERS_FORBIDDEN, dryRun: { app: { flushall: false } } });
    const r = run(flushCommands, f);
    assert.equal(r.status, 'unknown');
    assert.match(r.evidence, /'app'/);
  });
});

test('skip on a Sentinel: RS016–RS018, RS022, RS024', () => {
  const sentinel = liveFacts({ server: server('7.0.15', { mode: 'sentinel' }), users: [user(OPEN_DEFAULT)] });
  const sentinelConf = fileFacts({
    config: { port: '26379' },
    options: { directives: [{ name: 'sentinel', args: ['monitor', 'mymaster', '10.0.0.4', '6379', '2'] }] },
  });
  for (const check of [
    dangerousCommands,
    configSetForNonAdmins,
    replicationCommands,
    scriptingForNonAdmins,
    flushCommands,
  ]) {
    for (const f of [sentinel, sentinelConf]) {
      const r = run(check, f);
      assert.equal(r.status, 'skip', `${check.id}: ${r.evidence}`);
      assert.match(r.evidence, /RS050/);
    }
  }
});

// RS055 ---------------------------------------------------------------------------------------------------------

const ADMIN = 'admin on >Admin-Pa55word-x ~* &* +@all';
const MONITOR = 'monitor on >Mon-Pa55word-y -@all +info +config|get';
const APP = 'app on >App-Pa55word-z ~app:* -@all +@read +@write -@dangerous';

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
