/**
 * A live audit given credentials that the server refused. It stops the audit (exit 2) rather than reporting what an
 * outsider sees: whoever passed credentials meant an authenticated audit, and an outsider's view judged on a couple
 * of checks would look clean. The message names the target (its display form, without a password), the user, and
 * where the refused credentials came from, so the user knows what to check; it never carries the password.
 */
import { RedisError, type RedisErrorKind } from '../redis/errors.ts';

/** Where a credential came from: the URL, or the --redis.user / --redis.password flags and their variables. */
export type CredentialSource = 'url' | 'flags';

export interface GivenCredentials {
  /** The user name and where it came from; absent: none was given (the default user). */
  user?: { name: string; from: CredentialSource };
  /** Where the password came from; absent: none was given. */
  passwordFrom?: CredentialSource;
}

/** The kinds of connection failure that mean "these credentials did not log in". */
export const LOGIN_REFUSED_KINDS: ReadonlySet<RedisErrorKind> = new Set(['wrong_password', 'auth_required']);

const USER_FROM: Record<CredentialSource, string> = { url: 'in the URL', flags: 'with --redis.user or REDIS_USER' };
const PASSWORD_FROM: Record<CredentialSource, string> = {
  url: 'in the URL',
  flags: 'with --redis.password or REDIS_PASSWORD',
};
const PERCENT = ' (special characters in a URL must be percent-encoded)';

function wrongPassword(target: string, given: GivenCredentials): string {
  const { user, passwordFrom } = given;
  if (!passwordFrom)
    return `Redis at ${target} rejected the login as user "${user?.name ?? 'default'}" (WRONGPASS): no password was given. Pass the user's password in REDIS_PASSWORD, with --redis.password or in the URL (redis://USER:PASSWORD@host:port).`;
  const encoding = passwordFrom === 'url' || user?.from === 'url' ? PERCENT : '';
  if (!user)
    return `Redis at ${target} rejected the password given ${PASSWORD_FROM[passwordFrom]} for the default user (WRONGPASS). Check that it is the default user's password (requirepass)${encoding}; if it belongs to another user, name that user with --redis.user or REDIS_USER.`;
  const what =
    user.from === 'url' && passwordFrom === 'url'
      ? `the user name and the password given ${PASSWORD_FROM[passwordFrom]}`
      : `the user name given ${USER_FROM[user.from]} and the password given ${PASSWORD_FROM[passwordFrom]}`;
  return `Redis at ${target} rejected the login as user "${user.name}" (WRONGPASS: a wrong password, no such user, or the user is off). Check ${what}${encoding}; an admin can list the users with ACL LIST.`;
}

function stillNoAuth(target: string, given: GivenCredentials): string {
  const { user, passwordFrom } = given;
  if (user)
    return `Redis at ${target} still requires authentication (NOAUTH) after the login as user "${user.name}": a server before Redis 6.0 has no ACL users. Drop the user name given ${USER_FROM[user.from]} and give the requirepass password alone.`;
  return `Redis at ${target} still requires authentication (NOAUTH) after the login with the password given ${PASSWORD_FROM[passwordFrom ?? 'flags']}: check that it is the server's requirepass.`;
}

export class LoginRefusedError extends RedisError {
  constructor(target: string, given: GivenCredentials, cause: RedisError) {
    super(cause.kind, cause.kind === 'auth_required' ? stillNoAuth(target, given) : wrongPassword(target, given), {
      cause,
    });
  }
}
