import assert from 'node:assert/strict';
import { test } from 'node:test';
import { passwordHash } from '../../src/rotate/new-password.ts';
import { pendingFrom } from '../../src/rotate/pending-file.ts';
import { checkRecovery } from '../../src/rotate/recovery.ts';
import type { ServerFacts } from '../../src/rotate/server-facts.ts';

const NEW_PASSWORD = 'new-password-0123456789abcdef';
const OLD = passwordHash('old-password-0123456789');
const NEW = passwordHash(NEW_PASSWORD);
const STATE = {
  version: 1 as const,
  user: 'app',
  servers: ['redis://10.0.0.1:6379', 'redis://10.0.0.2:6379'],
  oldHash: OLD,
  newHash: NEW,
  startedAt: '2026-12-06T02:00:00.000Z',
  graceUntil: '',
  deniedAuthAtStart: {},
};
const pending = pendingFrom(STATE, NEW_PASSWORD, { 'redis://10.0.0.2:6379': 'old-password-0123456789' }, []);

function facts(hashes: string[], over: Partial<ServerFacts> = {}): ServerFacts {
  return {
    display: 'redis://10.0.0.1:6379',
    version: '7.0.15',
    whoami: 'admin',
    role: 'master',
    replicas: [],
    user: { enabled: true, nopass: false, hashes },
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
const replica = (hashes: string[]) => facts(hashes, { display: 'redis://10.0.0.2:6379', role: 'replica' });

test('the plan of each server is the one the interrupted start made: masterauth where it recorded the old one', () => {
  for (const mode of ['resume', 'abort'] as const) {
    const r = checkRecovery([facts([OLD, NEW]), replica([OLD])], pending, mode);
    assert.deepEqual(r.problems, [], mode);
    assert.deepEqual(
      r.plans.map((p) => [p.masterauth, p.configRewrite]),
      [
        [false, false],
        [true, true],
      ],
    );
  }
});

test('--abort never removes the last password of the user; --resume refuses passwords changed since', () => {
  const abort = checkRecovery([facts([NEW]), replica([OLD, NEW])], pending, 'abort');
  assert.equal(abort.problems.length, 1);
  assert.match(abort.problems[0], /old password of "app" is no longer on redis:\/\/10\.0\.0\.1:6379.*--resume/);
  assert.deepEqual(checkRecovery([facts([NEW]), replica([NEW])], pending, 'resume').problems, []);
  const other = passwordHash('someone-else-0123456789');
  assert.match(checkRecovery([facts([other]), replica([OLD])], pending, 'resume').problems[0], /neither the old nor/);
});

test('a user that cannot be changed is found before anything', () => {
  const r = checkRecovery([facts([OLD, NEW], { setUserError: 'NOPERM' })], pending, 'abort');
  assert.match(r.problems[0], /may not change "app"/);
});
