/**
 * A live audit given credentials that the server refused. It stops the audit (exit 2) rather than reporting what an
 * outsider sees: whoever passed credentials meant an authenticated audit, and an outsider's view judged on a couple
 * of checks would look clean. The message names the target (its display form, without a password), the user, and
 * where the refused credentials came from, so the user knows what to check; it never carries the password.
 */
import { RedisError, type RedisErrorKind } from '../redis/errors.ts';
import type { PasswordSource } from '../redis/password-file.ts';

/**
 * Where a credential came from: the URL, the --redis.user / --redis.password flags and their variables, or (a
 * password only) the target's entry in --redis.password-file.
 */
export type CredentialSource = PasswordSource;

export interface GivenCredentials {
  /** The user name and where it came from; absent: none was given (the default user). */
  user?: { name: string; from: Exclude<CredentialSource, 'file'> };
  /** Where the password came from; absent: none was given. */
  passwordFrom?: CredentialSource;
  /** The --redis.password-file given, if any (named when the password came from it, or when it had none). */
  passwordFile?: string;
}

/** The kinds of connection failure that mean "these credentials did not log in". */
export const LOGIN_REFUSED_KINDS: ReadonlySet<RedisErrorKind> = new Set(['wrong_password', 'auth_required']);

const USER_FROM: Record<Exclude<CredentialSource, 'file'>, string> = {
  url: 'in the URL',
  flags: 'with --redis.user or REDIS_USER',
};
const PERCENT = ' (special characters in a URL must be percent-encoded)';

/** "the password given in the URL", "… found for this target in the password file F (--redis.password-file)". */
function thePassword(from: CredentialSource, file: string | undefined): string {
  if (from === 'url') return 'the password given in the URL';
  if (from === 'flags') return 'the password given with --redis.password or REDIS_PASSWORD';
  return `the password found for this target in ${file ? `the password file ${file} (--redis.password-file)` : '--redis.password-file'}`;
}

/** The key of a password-file entry for this user on this target (its display form): redis://USER@host:port. */
function fileKey(target: string, user: string): string {
  const m = /^([a-z]+:\/\/)(?:[^@/]*@)?(.*)$/.exec(target);
  if (!m) return target;
  const server = m[1] === 'unix://' ? m[2].replace(/\?db=\d+$/, '') : m[2].replace(/\/\d+$/, '');
  return `${m[1]}${encodeURIComponent(user)}@${server}`;
}

function wrongPassword(target: string, given: GivenCredentials): string {
  const { user, passwordFrom, passwordFile } = given;
  if (!passwordFrom) {
    const name = user?.name ?? 'default';
    const noEntry = passwordFile
      ? ` (the password file ${passwordFile} has none for this target as user "${name}": its key would be ${fileKey(target, name)})`
      : '';
    return `Redis at ${target} rejected the login as user "${name}" (WRONGPASS): no password was given${noEntry}. Pass the user's password in REDIS_PASSWORD, with --redis.password, in --redis.password-file or in the URL (redis://USER:PASSWORD@host:port).`;
  }
  const encoding = passwordFrom === 'url' || user?.from === 'url' ? PERCENT : '';
  const password = thePassword(passwordFrom, passwordFile);
  if (!user) {
    const otherUser =
      passwordFrom === 'file'
        ? 'name that user with --redis.user or REDIS_USER and key its entry with the user (redis://USER@host:port)'
        : 'name that user with --redis.user or REDIS_USER';
    return `Redis at ${target} rejected ${password} for the default user (WRONGPASS). Check that it is the default user's password (requirepass)${encoding}; if it belongs to another user, ${otherUser}.`;
  }
  const what =
    user.from === 'url' && passwordFrom === 'url'
      ? `the user name and ${password}`
      : `the user name given ${USER_FROM[user.from]} and ${password}`;
  return `Redis at ${target} rejected the login as user "${user.name}" (WRONGPASS: a wrong password, no such user, or the user is off). Check ${what}${encoding}; an admin can list the users with ACL LIST.`;
}

function stillNoAuth(target: string, given: GivenCredentials): string {
  const { user, passwordFrom, passwordFile } = given;
  if (user)
    return `Redis at ${target} still requires authentication (NOAUTH) after the login as user "${user.name}": a server before Redis 6.0 has no ACL users. Drop the user name given ${USER_FROM[user.from]} and give the requirepass password alone.`;
  return `Redis at ${target} still requires authentication (NOAUTH) after the login with ${thePassword(passwordFrom ?? 'flags', passwordFile)}: check that it is the server's requirepass.`;
}

export class LoginRefusedError extends RedisError {
  constructor(target: string, given: GivenCredentials, cause: RedisError) {
    super(cause.kind, cause.kind === 'auth_required' ? stillNoAuth(target, given) : wrongPassword(target, given), {
      cause,
    });
  }
}
