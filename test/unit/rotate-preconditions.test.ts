import assert from 'node:assert/strict';
import { test } from 'node:test';
import { passwordHash } from '../../src/rotate/new-password.ts';
import { checkFinish, checkStart } from '../../src/rotate/preconditions.ts';
import type { ServerFacts } from '../../src/rotate/server-facts.ts';

const OLD = passwordHash('old-password-0123456789');
const NEW = passwordHash('new-password-0123456789');

function facts(over: Partial<ServerFacts> = {}): ServerFacts {
  return {
    display: 'redis://10.0.0.1:6379',
    version: '7.0.15',
    whoami: 'admin',
    role: 'master',
    replicas: [],
    user: { enabled: true, nopass: false, hashes: [OLD] },
    aclError: '',
    configError: '',
    setUserError: '',
    configSetError: '',
    aclfile: '/etc/redis/users.acl',
    configFile: '/etc/redis/redis.conf',
    requirepass: false,
    masteruser: '',
    masterauthHash: '',
    masterauthForRollback: '',
    ...over,
  };
}

const replica = (over: Partial<ServerFacts> = {}) =>
  facts({ display: 'redis://10.0.0.2:6379', role: 'replica', masteruser: 'app', masterauthHash: OLD, ...over });

test('a master and a replica that replicates as the user: ACL SAVE, and masterauth with CONFIG REWRITE', () => {
  const r = checkStart([facts(), replica()], 'app', NEW);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(
    r.plans.map((p) => [p.persist, p.masterauth, p.configRewrite, p.requirepass]),
    [
      ['ACL SAVE', false, false, false],
      ['ACL SAVE', true, true, false],
    ],
  );
});

test('each precondition that fails is a problem naming the server and the fix', () => {
  const cases: Array<[Partial<ServerFacts>, RegExp]> = [
    [{ version: '5.0.14' }, /Redis 5\.0\.14, which has no ACL/],
    [{ aclError: 'NOPERM no permissions' }, /cannot read the user "app".*ACL GETUSER/],
    [{ configError: 'ERR unknown command' }, /CONFIG GET/],
    [{ setUserError: 'NOPERM no' }, /may not change "app" on .* \(ACL SETUSER\)/],
    [{ user: undefined }, /does not exist on redis:\/\/10\.0\.0\.1:6379/],
    [{ user: { enabled: true, nopass: true, hashes: [] } }, /nopass/],
    [{ user: { enabled: true, nopass: false, hashes: [] } }, /has no password/],
    [{ user: { enabled: true, nopass: false, hashes: [OLD, NEW] } }, /already has 2 passwords.*--finish/],
    [{ user: { enabled: true, nopass: false, hashes: [NEW] } }, /already the password/],
    [{ user: { enabled: false, nopass: false, hashes: [OLD] } }, /is off on/],
    [{ aclfile: '', configFile: '' }, /neither in an aclfile nor in a config file/],
  ];
  for (const [over, message] of cases) {
    const r = checkStart([facts(over)], 'app', NEW);
    assert.equal(r.problems.length, 1, `${JSON.stringify(over)}: ${r.problems}`);
    assert.match(r.problems[0], message);
  }
});

test('a replica that replicates as the user needs a config file for its masterauth', () => {
  const r = checkStart([facts(), replica({ configFile: '' })], 'app', NEW);
  assert.match(r.problems.join('\n'), /masterauth would be lost/);
});

test('servers where the user has different passwords are rotated in groups', () => {
  const r = checkStart(
    [facts(), replica({ user: { enabled: true, nopass: false, hashes: [passwordHash('x'.repeat(20))] } })],
    'app',
    NEW,
  );
  assert.match(r.problems.join('\n'), /different passwords/);
});

test("a replica's masterauth that is not the user's password is left alone, with a warning", () => {
  const r = checkStart([facts(), replica({ masterauthHash: passwordHash('something else!!') })], 'app', NEW);
  assert.deepEqual(r.problems, []);
  assert.equal(r.plans[1].masterauth, false);
  assert.match(r.warnings.join('\n'), /masterauth is not that user's current password/);
});

test('replicas the master reports that were not given are a warning (ACL is not replicated)', () => {
  const r = checkStart(
    [
      facts({
        replicas: [
          { host: '10.0.0.9', port: 6380 },
          { host: '10.0.0.2', port: 6379 },
        ],
      }),
      replica(),
    ],
    'app',
    NEW,
  );
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0], /10\.0\.0\.9:6380 that was not given/);
});

test('a requirepass server: the default user, saved with CONFIG REWRITE, finished with CONFIG SET requirepass', () => {
  const f = facts({ aclfile: '', requirepass: true });
  const r = checkStart([f], 'default', NEW);
  assert.deepEqual(r.problems, []);
  assert.deepEqual([r.plans[0].persist, r.plans[0].requirepass], ['CONFIG REWRITE', true]);
  // Another user on the same server is not requirepass's.
  assert.equal(checkStart([f], 'app', NEW).plans[0].requirepass, false);
  // Replication as the default user uses masterauth without masteruser.
  const rep = checkStart([f, replica({ aclfile: '', requirepass: true, masteruser: '' })], 'default', NEW);
  assert.equal(rep.plans[1].masterauth, true);
});

test('--finish refuses to remove the old password where the new one is missing', () => {
  const r = checkFinish([facts({ user: { enabled: true, nopass: false, hashes: [OLD] } })], 'app', OLD, NEW);
  assert.match(r.problems.join('\n'), /would lock "app" out/);
});

test('--finish skips servers where the old password is already gone, and refuses a stale masterauth', () => {
  const done = checkFinish([facts({ user: { enabled: true, nopass: false, hashes: [NEW] } })], 'app', OLD, NEW);
  assert.deepEqual(done.problems, []);
  assert.equal(done.plans[0].done, true);
  const stale = checkFinish([replica({ user: { enabled: true, nopass: false, hashes: [OLD, NEW] } })], 'app', OLD, NEW);
  assert.match(stale.problems.join('\n'), /still authenticates to its master with the old password/);
  const ok = checkFinish(
    [replica({ masterauthHash: NEW, user: { enabled: true, nopass: false, hashes: [OLD, NEW] } })],
    'app',
    OLD,
    NEW,
  );
  assert.deepEqual(ok.problems, []);
  assert.deepEqual([ok.plans[0].done, ok.plans[0].masterauth, ok.plans[0].configRewrite], [false, false, false]);
});

test('CONFIG SET refused by ACL is a problem only where it is needed (masterauth, requirepass)', () => {
  const no = "This user has no permissions to run the 'config|set' command";
  assert.deepEqual(checkStart([facts({ configSetError: no })], 'app', NEW).problems, []);
  assert.match(
    checkStart([facts(), replica({ configSetError: no })], 'app', NEW).problems.join(),
    /new masterauth needs/,
  );
  assert.match(
    checkStart([facts({ aclfile: '', requirepass: true, configSetError: no })], 'default', NEW).problems.join(),
    /--finish \(requirepass\) needs/,
  );
});
