import type { TlsOptions } from '../redis/connection.ts';
import { RedisError } from '../redis/errors.ts';
import { RespConnection } from '../redis/resp-connection.ts';
import type { RedisTarget } from '../redis/target.ts';
import { neutralise } from '../text/terminal.ts';
import { type Finding, finding } from './finding.ts';

/** Where the password came from, as a user would look for it. */
export type PasswordOrigin = 'none' | 'url' | 'flag' | 'password file' | '.env';

export interface LoginFacts {
  ok: boolean;
  /** RedisError kind when the login failed (wrong_password, auth_required, protected_mode, timeout …). */
  kind?: string;
  /** The typed error's message (built without secrets by src/redis/errors.ts). */
  message?: string;
  user: string;
  origin: PasswordOrigin;
  /** The variable of .env the password came from, when it did. */
  envVariable?: string;
  /** A password was given, but the server has none for the default user (AUTH says so; the login still works). */
  passwordNotNeeded?: boolean;
}

/** Whether the server accepts the default user without a password although one was given (redis-cli would warn). */
async function passwordIgnored(connection: RespConnection, target: RedisTarget): Promise<boolean> {
  if (target.username || !target.password) return false;
  const [auth] = await connection.pipeline([['AUTH', target.password]]);
  return !auth.ok && /without any password configured|no password is set/.test(auth.error.message);
}

/** Logs in and PINGs; on success the connection is returned open for the steps after it (the caller closes it). */
export async function tryLogin(
  target: RedisTarget,
  tls: TlsOptions | undefined,
  ms: number,
  origin: PasswordOrigin,
  envVariable?: string,
): Promise<{ facts: LoginFacts; connection?: RespConnection }> {
  const user = target.username || 'default';
  const connection = new RespConnection(target, {
    connectTimeoutMs: ms,
    commandTimeoutMs: ms,
    tls,
    clientName: 'redoubt-doctor',
  });
  const base = { user, origin, ...(envVariable ? { envVariable } : {}) };
  try {
    await connection.ready(Date.now() + ms);
    const pong = await connection.call('PING');
    if (pong !== 'PONG') throw new RedisError('protocol', `the server answered PING with something else than PONG`);
    const ignored = await passwordIgnored(connection, target);
    return { facts: { ok: true, ...base, ...(ignored ? { passwordNotNeeded: true } : {}) }, connection };
  } catch (err) {
    await connection.close();
    const e = err instanceof RedisError ? err : new RedisError('command', String((err as Error).message));
    return { facts: { ok: false, kind: e.kind, message: ourFlag(e.message), ...base } };
  }
}

/** src/redis names the exporter's timeout flag; the doctor's is --step-timeout. */
export function ourFlag(message: string): string {
  return message.replaceAll('--connection-timeout', '--step-timeout');
}

function from(f: LoginFacts): string {
  if (f.origin === 'none') return 'no password was given';
  if (f.origin === '.env') return `the password came from .env (${f.envVariable ?? 'REDIS_PASSWORD'})`;
  return `the password came from the ${f.origin === 'flag' ? '--redis.password flag or REDIS_PASSWORD' : f.origin}`;
}

/** WRONGPASS, NOAUTH and protected mode each have their own fix; any of them ends the chain. */
export function diagnoseLogin(subject: string, f: LoginFacts): Finding {
  const user = neutralise(f.user);
  if (f.ok && f.passwordNotNeeded)
    return finding(
      subject,
      'login',
      'warn',
      `logged in, but the server has no password: the one given (${from(f).replace(/^the password came from /, 'from ')}) is not needed, and anyone who reaches this port can log in`,
      'the server is not running the configuration the password was made for: install the hardened redis.conf / users.acl (redoubt harden) and restart it, or set requirepass',
    );
  if (f.ok)
    return finding(
      subject,
      'login',
      'ok',
      `logged in as "${user}"${f.origin === 'none' ? ' (no password needed)' : ''}`,
    );
  switch (f.kind) {
    case 'wrong_password':
      return finding(
        subject,
        'login',
        'fail',
        `the server refused the credentials of user "${user}" (WRONGPASS; ${from(f)}): the password is wrong, or the user does not exist or is off`,
        `check the password where it came from; on the server, ACL LIST shows whether "${user}" exists and is "on", and ACL LOG shows the refused logins. A password with special characters in a URL must be percent-encoded`,
      );
    case 'auth_required':
      return finding(
        subject,
        'login',
        'fail',
        `the server requires a password (NOAUTH) and ${from(f)}`,
        'pass one: in the URL (redis://user:password@host:port, percent-encoded), with REDIS_PASSWORD / --redis.password, or --redis.password-file',
      );
    case 'protected_mode':
      return finding(
        subject,
        'login',
        'fail',
        'the server is in protected mode (DENIED): it has no password, so it accepts only connections from its own host (loopback)',
        "give it a password (requirepass, or ACL users: redoubt harden writes them) and connect with it; or connect from the server's host. Do not turn protected-mode off",
      );
    case 'not_permitted':
      return finding(
        subject,
        'login',
        'fail',
        neutralise(f.message ?? 'NOPERM'),
        `grant the user PING: ACL SETUSER ${user} +ping`,
      );
    default:
      return finding(
        subject,
        'login',
        'fail',
        neutralise(f.message ?? 'the login failed'),
        'see the message; the steps above passed, so the network path is fine',
      );
  }
}
