import { neutralise } from '../text/terminal.ts';

/**
 * Typed errors a user can act on. Messages name the target by its redacted display form and never carry a
 * secret. `kind` is a stable, low-cardinality token that is safe to use as a metric label.
 */
export type RedisErrorKind =
  | 'unreachable'
  | 'timeout'
  | 'wrong_password'
  | 'auth_required'
  | 'not_permitted'
  | 'protected_mode'
  | 'tls'
  | 'loading'
  | 'protocol'
  | 'command';

export class RedisError extends Error {
  constructor(
    readonly kind: RedisErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class RedisUnreachableError extends RedisError {
  constructor(target: string, detail: string, options?: { cause?: unknown; hint?: string }) {
    super(
      'unreachable',
      `cannot reach Redis at ${target}: ${detail}. ${options?.hint ?? 'Check that redis-server is running, and its bind address, port and firewall.'}`,
      options,
    );
  }
}

/**
 * Which limit a timeout hit, so the hint names the setting a user can raise: `connection` is the per-connection
 * timeout (connect and each command), `deadline` the caller's deadline for the whole operation (a scrape, an audit).
 */
export type TimeoutLimit = 'connection' | 'deadline';

export class RedisTimeoutError extends RedisError {
  constructor(
    target: string,
    what: string,
    seconds: number,
    /** The setting that fired, as a user names it: `--connection-timeout`, `--scrape-timeout` … */
    readonly setting = '--connection-timeout',
    readonly limit: TimeoutLimit = 'connection',
  ) {
    // A deadline is shown as the time it allowed, to the hundredth: the time between the request setting it and the
    // scrape starting (a millisecond or so) is not part of the limit the user chose.
    const shown = limit === 'deadline' ? Number(seconds.toFixed(2)) : seconds;
    super(
      'timeout',
      `Redis at ${target} did not answer ${what} within ${shown}s (the limit set by ${setting}). The host may be blackholed by a firewall or overloaded; raise ${setting} if the network is slow.`,
    );
  }
}

/**
 * The server sent bytes that are not a RESP2 reply redoubt accepts: another protocol (HTTP, TLS), or a reply over
 * a limit (src/redis/resp.ts, RESP_LIMITS). The connection is closed when this happens.
 */
export class RedisProtocolError extends RedisError {
  constructor(
    target: string,
    detail: string,
    /** The RESP limit that fired, when one did. */
    readonly limit?: string,
  ) {
    super('protocol', `${target} is not answering like Redis: ${detail}. The connection was closed.`);
  }
}

export class RedisAuthError extends RedisError {
  constructor(target: string, user: string | undefined) {
    super(
      'wrong_password',
      `Redis at ${target} rejected the credentials (WRONGPASS) for user "${user || 'default'}". Check the password (--redis.password, REDIS_PASSWORD or --redis.password-file); special characters in a URL must be percent-encoded.`,
    );
  }
}

export class RedisAuthRequiredError extends RedisError {
  constructor(target: string) {
    super(
      'auth_required',
      `Redis at ${target} requires authentication (NOAUTH). Pass a password with --redis.password, REDIS_PASSWORD, --redis.password-file or in the URL (redis://user:password@host:port).`,
    );
  }
}

export class RedisPermissionError extends RedisError {
  constructor(
    target: string,
    user: string | undefined,
    readonly command: string,
    /** What the ACL denied: the command itself (default), or the keys / channels it names. */
    readonly denied: 'command' | 'keys' | 'channels' = 'command',
  ) {
    const name = neutralise(user || 'default');
    // (the command's name is read from the server's reply)
    const cmd = neutralise(command.toUpperCase());
    const message =
      denied === 'keys'
        ? `user "${name}" on ${target} is not permitted to access the keys used by ${cmd} (NOPERM). Allow the key patterns with: ACL SETUSER ${name} ~<pattern> (or %R~<pattern> for read-only access)`
        : denied === 'channels'
          ? `user "${name}" on ${target} is not permitted to access the channels used by ${cmd} (NOPERM). Allow them with: ACL SETUSER ${name} &<pattern>`
          : `user "${name}" on ${target} is not permitted to run ${cmd} (NOPERM). Allow it with: ACL SETUSER ${name} +${neutralise(command.toLowerCase().replace(' ', '|'))}`;
    super('not_permitted', message);
  }
}

export class RedisProtectedModeError extends RedisError {
  constructor(target: string) {
    super(
      'protected_mode',
      `Redis at ${target} refused the connection because it runs in protected mode with no password (DENIED). Set a password (requirepass or an ACL user) and connect with it, or connect over loopback; do not turn protected-mode off.`,
    );
  }
}

export class RedisTlsError extends RedisError {
  constructor(target: string, detail: string, options?: { cause?: unknown }) {
    super(
      'tls',
      `TLS handshake with ${target} failed: ${detail}. Check --tls-ca-cert-file, the server name (--tls-server-name), the client certificate, or use --skip-tls-verification only for testing.`,
      options,
    );
  }
}

export class RedisLoadingError extends RedisError {
  constructor(target: string) {
    super('loading', `Redis at ${target} is loading its dataset into memory (LOADING); it will answer when done.`);
  }
}

/** A target or credential that cannot be used as given; raised before any connection is made. */
export class TargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetError';
  }
}

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

function isTlsCode(code: string): boolean {
  return TLS_CODES.has(code) || /^ERR_(SSL|TLS|OSSL)_/.test(code);
}

/** Whether an error reply's message has this code (its first word). */
function replyCode(message: string, code: string): boolean {
  return message.startsWith(code);
}

/**
 * The error to keep as `cause`: util.inspect and loggers print a cause whole, so one that names a command (whose
 * arguments may include an AUTH password) is replaced by a copy with name, code and a redacted message only.
 */
function safeCause(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const e = err as Error & { code?: string; command?: unknown };
  if (e.command === undefined && redactSecrets(e.message) === e.message) return err;
  const copy = new Error(redactSecrets(e.message));
  copy.name = e.name;
  if (e.code !== undefined) (copy as Error & { code?: string }).code = e.code;
  return copy;
}

/**
 * Maps a driver or server error to a typed error. Server text that is kept is neutralised for the terminal and has
 * URL passwords redacted; it is never searched for the password (a short one would mangle the message).
 */
export function classifyRedisError(err: unknown, target: string, user: string | undefined): RedisError {
  if (err instanceof RedisError) return err;
  const e = err as { message?: string; code?: string; name?: string; command?: { name?: string } };
  const message = String(e?.message ?? err);
  const code = typeof e?.code === 'string' ? e.code : '';
  // (built only by the branches that keep it: a pipeline classifies every error reply, mostly for its kind)
  const cause = () => safeCause(err);
  if (
    replyCode(message, 'WRONGPASS') ||
    message.includes('invalid password') ||
    message.includes('invalid username-password')
  )
    return new RedisAuthError(target, user);
  if (replyCode(message, 'NOAUTH') || message.includes('Authentication required'))
    return new RedisAuthRequiredError(target);
  if (replyCode(message, 'DENIED')) return new RedisProtectedModeError(target);
  if (replyCode(message, 'LOADING')) return new RedisLoadingError(target);
  if (replyCode(message, 'NOPERM')) {
    const cmd = e?.command?.name;
    if (/permissions to access (one of )?the keys|access the '[^']*' key/.test(message))
      return new RedisPermissionError(target, user, cmd ?? 'this command', 'keys');
    if (/permissions to access (one of )?the channels|access the '[^']*' channel/.test(message))
      return new RedisPermissionError(target, user, cmd ?? 'this command', 'channels');
    const m = /run the '([^']+)' command/.exec(message) ?? /command '([^']+)'/.exec(message);
    return new RedisPermissionError(target, user, m?.[1] ?? cmd ?? 'this command');
  }
  // Any other server reply ("ERR ...", "WRONGTYPE ...", "BUSY ..."): a command error, even when its text happens
  // to mention a timeout or TLS.
  if (e?.name === 'ReplyError' || /^[A-Z][A-Z_]+ /.test(message))
    return new RedisError('command', `Redis at ${target}: ${quoted(message)}`, { cause: cause() });
  if (isTlsCode(code) || /certificate|SSL|TLS/i.test(message))
    return new RedisTlsError(target, quoted(code && !message.includes(code) ? `${code} ${message}` : message), {
      cause: cause(),
    });
  if (code === 'ETIMEDOUT' || /timed out|timeout/i.test(message)) return new RedisTimeoutError(target, 'in time', 0);
  if (
    [
      'ECONNREFUSED',
      'ENOTFOUND',
      'EHOSTUNREACH',
      'ENETUNREACH',
      'ECONNRESET',
      'ENOENT',
      'EACCES',
      'EAI_AGAIN',
      'EPIPE',
      'ECONNABORTED',
      'ENOTSOCK',
    ].includes(code)
  )
    return new RedisUnreachableError(target, code, { cause: cause() });
  // Commands in flight when the socket closed (RespConnection answers them with "Connection is closed.").
  if (message.startsWith('Connection is closed'))
    return new RedisUnreachableError(target, 'the connection was lost', { cause: cause() });
  return new RedisError('command', `Redis at ${target}: ${quoted(message)}`, { cause: cause() });
}

/** Text from a server or a driver, fit to quote in a message: URL passwords redacted, controls escaped. */
function quoted(text: string): string {
  return neutralise(redactSecrets(text));
}

/**
 * Redacts secrets where they are known to stand, and nowhere else: the password of a URL's userinfo
 * (`redis://user:***@host`); commands are never quoted with their arguments (see safeCause). It does not search
 * for known passwords as substrings: `REDIS_PASSWORD=redis` would turn every `redis://` into `***://`, which both
 * mangles the text and tells where the password is. Messages are built without secrets in the first place.
 */
export function redactSecrets(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"']*:)[^\s@"']*@/gi, '$1***@');
}
