/**
 * LoginRefusedError: what `redoubt audit` says when the credentials it was given are refused. Each message names the
 * user and where the credentials came from (so the user knows what to fix), keeps the kind of the error it wraps, and
 * never carries a password (it is never given one).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RedisAuthError, RedisAuthRequiredError, RedisError } from '../../../src/redis/errors.ts';
import { type GivenCredentials, LOGIN_REFUSED_KINDS, LoginRefusedError } from '../../../src/security/login-refused.ts';

const TARGET = 'redis://10.0.0.5:6379';
const wrong = (given: GivenCredentials) =>
  new LoginRefusedError(TARGET, given, new RedisAuthError(TARGET, given.user?.name));
const noauth = (given: GivenCredentials) => new LoginRefusedError(TARGET, given, new RedisAuthRequiredError(TARGET));

describe('LoginRefusedError', () => {
  test('a typed RedisError of the same kind, with the refusal as its cause', () => {
    const e = wrong({ passwordFrom: 'url' });
    assert.ok(e instanceof RedisError);
    assert.equal(e.kind, 'wrong_password');
    assert.ok(e.cause instanceof RedisAuthError);
    assert.equal(noauth({ passwordFrom: 'flags' }).kind, 'auth_required');
    assert.deepEqual([...LOGIN_REFUSED_KINDS].sort(), ['auth_required', 'wrong_password']);
  });

  test('the default user: the password and where it came from, requirepass, and how to name another user', () => {
    const url = wrong({ passwordFrom: 'url' }).message;
    assert.match(
      url,
      /^Redis at redis:\/\/10\.0\.0\.5:6379 rejected the password given in the URL for the default user/,
    );
    assert.match(url, /\(WRONGPASS\)/);
    assert.match(url, /requirepass/);
    assert.match(url, /percent-encoded/);
    assert.match(url, /--redis\.user or REDIS_USER/);
    const flags = wrong({ passwordFrom: 'flags' }).message;
    assert.match(flags, /given with --redis\.password or REDIS_PASSWORD/);
    assert.doesNotMatch(flags, /percent-encoded/, 'no URL, nothing to encode');
  });

  test('a named user: the user, both sources, and where to look', () => {
    const both = wrong({ user: { name: 'auditor', from: 'url' }, passwordFrom: 'url' }).message;
    assert.match(
      both,
      /rejected the login as user "auditor" \(WRONGPASS: a wrong password, no such user, or the user is off\)/,
    );
    assert.match(both, /Check the user name and the password given in the URL \(special characters/);
    assert.match(both, /ACL LIST/);
    const mixed = wrong({ user: { name: 'auditor', from: 'flags' }, passwordFrom: 'flags' }).message;
    assert.match(
      mixed,
      /user name given with --redis\.user or REDIS_USER and the password given with --redis\.password/,
    );
  });

  test('a user and no password: says that none was given and where to put it', () => {
    const m = wrong({ user: { name: 'auditor', from: 'url' } }).message;
    assert.match(m, /user "auditor" \(WRONGPASS\): no password was given\. Pass .*REDIS_PASSWORD/);
  });

  test('NOAUTH after logging in as a user: a server before 6.0 has no ACL users', () => {
    const m = noauth({ user: { name: 'auditor', from: 'flags' }, passwordFrom: 'flags' }).message;
    assert.match(m, /still requires authentication \(NOAUTH\) after the login as user "auditor"/);
    assert.match(m, /before Redis 6\.0 .*Drop the user name given with --redis\.user or REDIS_USER/);
    assert.match(
      noauth({ passwordFrom: 'url' }).message,
      /password given in the URL: check that it is the server's requirepass/,
    );
  });

  test('the password from --redis.password-file: the file named as the source, and how to key another user', () => {
    const file = '/etc/redoubt/passwords.json';
    const source = `the password found for this target in the password file ${file} (--redis.password-file)`;
    const def = wrong({ passwordFrom: 'file', passwordFile: file }).message;
    assert.ok(
      def.startsWith(`Redis at redis://10.0.0.5:6379 rejected ${source} for the default user (WRONGPASS)`),
      def,
    );
    assert.match(def, /requirepass/);
    assert.match(def, /--redis\.user or REDIS_USER and key its entry with the user \(redis:\/\/USER@host:port\)/);
    assert.doesNotMatch(def, /percent-encoded|REDIS_PASSWORD\b/, 'not the URL, not the flags');
    const named = wrong({ user: { name: 'auditor', from: 'flags' }, passwordFrom: 'file', passwordFile: file }).message;
    assert.ok(
      named.includes(`Check the user name given with --redis.user or REDIS_USER and ${source}; an admin`),
      named,
    );
    const urlUser = wrong({ user: { name: 'auditor', from: 'url' }, passwordFrom: 'file', passwordFile: file }).message;
    assert.ok(urlUser.includes(`the user name given in the URL and ${source} (special characters`), urlUser);
    assert.ok(
      noauth({ passwordFrom: 'file', passwordFile: file }).message.includes(
        `after the login with ${source}: check that it is the server's requirepass`,
      ),
    );
    // Without the path (a caller that does not know it): still names the flag.
    assert.match(wrong({ passwordFrom: 'file' }).message, /found for this target in --redis\.password-file for/);
  });

  test('a password file without an entry for the user: the key it would need', () => {
    const m = new LoginRefusedError(
      'redis://auditor@10.0.0.5:6379/2',
      { user: { name: 'auditor', from: 'url' }, passwordFile: '/p.json' },
      new RedisAuthError(TARGET, 'auditor'),
    ).message;
    assert.match(m, /user "auditor" \(WRONGPASS\): no password was given \(the password file \/p\.json has none/);
    assert.ok(m.includes('its key would be redis://auditor@10.0.0.5:6379)'), m);
    assert.match(m, /--redis\.password-file/);
    const unix = new LoginRefusedError(
      'unix:///run/redis.sock?db=1',
      { user: { name: 'a b', from: 'flags' }, passwordFile: '/p.json' },
      new RedisAuthError(TARGET, 'a b'),
    ).message;
    assert.ok(unix.includes('its key would be unix://a%20b@/run/redis.sock)'), unix);
    assert.doesNotMatch(wrong({ user: { name: 'auditor', from: 'url' } }).message, /password file .* has none/);
  });
});
