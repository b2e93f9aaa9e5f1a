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
});
