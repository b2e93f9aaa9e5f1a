/**
 * RS028–RS056 as a set: every catalogue id has exactly one check carrying the catalogue's metadata, every check is
 * pure and total (any Facts, even nearly empty ones, give a result), and no evidence ever carries a secret.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CATALOGUE } from '../../../src/security/catalogue.ts';
import type { Check } from '../../../src/security/check.ts';
import { ALL_CHECKS } from '../../../src/security/checks/index.ts';
import type { Facts } from '../../../src/security/facts.ts';
import { aclFile, assertNoSecret, facts, fileFacts, liveFacts, server, user } from './facts-builder.ts';

/** RS028–RS056, from the registry (each lives in the file of its catalogue category). */
const CHECKS: Check[] = ALL_CHECKS.filter((c) => c.id >= 'RS028');

test('RS028–RS056: one check per id, with the catalogue metadata', () => {
  const ids = CHECKS.map((c) => c.id).sort();
  const expected = Array.from({ length: 29 }, (_, i) => `RS0${28 + i}`);
  assert.deepEqual(ids, expected);
  for (const c of CHECKS) {
    const entry = CATALOGUE[c.id];
    assert.equal(c.title, entry.title, c.id);
    assert.equal(c.severity, entry.severity, c.id);
    assert.equal(c.category, entry.category, c.id);
    assert.equal(c.remediation, entry.remediation, c.id);
  }
});

const REQUIREPASS = 'Requirepass-Plain-8f3a';
const MASTERAUTH = 'Masterauth-Plain-51bc';
const RENAMED = 'CFG_b840d2f9e1';
const ACL_PASSWORD = 'Acl-User-Pass-77aa';

/** Facts that hold every kind of secret, in the shapes each check reads. */
function secretBearingFacts(): Facts[] {
  const users = [
    user(`default on >${REQUIREPASS} ~* &* +@all`),
    user(`monitor on >${ACL_PASSWORD} -@all +info +config|get`),
    user(`app on #${'b'.repeat(64)} ~app:* -@all +@read +@write`),
  ];
  const fileConfig = {
    requirepass: REQUIREPASS,
    masterauth: MASTERAUTH,
    replicaof: '203.0.113.4 6379',
    dir: '/root/.ssh',
    dbfilename: 'authorized_keys',
    unixsocket: '/tmp/redis.sock',
    unixsocketperm: '777',
    'cluster-enabled': 'yes',
    logfile: '',
    daemonize: 'yes',
    save: '',
    'replica-read-only': 'no',
  };
  const file = fileFacts({
    config: fileConfig,
    users: aclFile('redis.conf', [`user monitor on >${ACL_PASSWORD} -@all +config|get`]),
    options: {
      renamed: { config: RENAMED, flushall: '' },
      directives: [{ name: 'loadmodule', args: ['/tmp/exp.so'] }],
    },
    local: { uid: 0, files: [{ path: 'redis.conf', role: 'config', mode: 0o100644, uid: 1000 }] },
  });
  const live = liveFacts({
    server: server('7.0.15', { processId: 4242 }),
    config: {
      requirepass: '<redacted>',
      masterauth: '<redacted>',
      'replica-read-only': 'no',
      dir: '/var/spool/cron',
      dbfilename: 'root',
      'client-output-buffer-limit': 'normal 0 0 0 slave 0 0 0 pubsub 0 0 0',
      'busy-reply-threshold': '0',
      timeout: '0',
    },
    users,
    info: {
      redis_version: '7.0.15',
      role: 'slave',
      master_host: '198.51.100.9',
      master_port: '21000',
      master_link_status: 'down',
      rejected_connections: '12',
      rdb_last_bgsave_status: 'err',
      process_supervised: 'no',
    },
    aclLog: [
      { reason: 'auth', context: 'toplevel', object: 'AUTH', username: REQUIREPASS, count: 500, ageSeconds: 1 },
      { reason: 'auth', context: 'toplevel', object: 'AUTH', username: 'monitor', count: 20, ageSeconds: 5 },
    ],
    errorstats: { WRONGPASS: 520 },
    modules: [{ name: 'system', version: '1' }],
    suspiciousKeys: [{ db: 'db0', key: 'backup1', why: 'value holds a cron line' }],
    dryRun: { monitor: { 'config|get': true, 'config|set': false } },
    inventory: { allowedPeers: ['10.0.0.0/8'] },
    local: { uid: 0, files: [{ path: '/etc/redis/redis.conf', role: 'config', mode: 0o100644, uid: 0 }] },
  });
  const distro = liveFacts({
    server: server('7.0.15', { distroBuild: true, gitSha1: '00000000' }),
    users,
    config: { requirepass: '<redacted>' },
  });
  const sentinel = liveFacts({ server: server('7.0.15', { mode: 'sentinel' }), users, unauth: { result: 'open' } });
  const sentinelFile = fileFacts({
    config: { requirepass: REQUIREPASS },
    options: {
      file: 'sentinel.conf',
      directives: [
        { name: 'sentinel', args: ['monitor', 'mymaster', '10.0.0.5', '6379', '2'] },
        { name: 'sentinel', args: ['auth-pass', 'mymaster', MASTERAUTH] },
        { name: 'sentinel', args: ['sentinel-pass', ACL_PASSWORD] },
        { name: 'sentinel', args: ['deny-scripts-reconfig', 'no'] },
      ],
    },
  });
  return [file, live, distro, sentinel, sentinelFile];
}

test('no evidence carries a password, hash or renamed command name (fail, pass, unknown and skip alike)', () => {
  for (const f of secretBearingFacts()) {
    for (const c of CHECKS) {
      const r = c.evaluate(f);
      assert.ok(['fail', 'pass', 'unknown', 'skip'].includes(r.status), `${c.id} status ${r.status}`);
      assert.ok(r.evidence.length > 0, `${c.id} gives evidence`);
      assertNoSecret(r, f, REQUIREPASS, MASTERAUTH, RENAMED, ACL_PASSWORD, 'b'.repeat(12));
    }
  }
});

test('the secret-bearing fixtures do trip the checks they target', () => {
  const [file, live] = secretBearingFacts();
  const status = (f: Facts, id: string) => CHECKS.find((c) => c.id === id)?.evaluate(f).status;
  for (const id of ['RS038', 'RS040', 'RS042', 'RS045', 'RS046', 'RS049', 'RS052', 'RS053', 'RS055'])
    assert.equal(status(file, id), 'fail', `file ${id}`);
  for (const id of [
    'RS030',
    'RS031',
    'RS032',
    'RS035',
    'RS036',
    'RS037',
    'RS038',
    'RS040',
    'RS041',
    'RS042',
    'RS044',
    'RS047',
    'RS048',
    'RS049',
    'RS053',
    'RS054',
    'RS055',
  ])
    assert.equal(status(live, id), 'fail', `live ${id}`);
});

test('checks are total and pure: nearly empty facts, and the same facts twice give the same result', () => {
  const minimal = [facts(), facts({ live: true }), facts({ files: ['redis.conf'] })];
  for (const f of minimal) {
    const before = JSON.stringify(f);
    for (const c of CHECKS) {
      const a = c.evaluate(f);
      const b = c.evaluate(f);
      assert.deepEqual(a, b, c.id);
      assert.ok(['unknown', 'skip', 'pass'].includes(a.status), `${c.id} on nothing: ${a.status} ${a.evidence}`);
    }
    assert.equal(JSON.stringify(f), before, 'facts are not modified');
  }
});
