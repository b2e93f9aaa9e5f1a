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
  constructor(target: string, detail: string, options?: { cause?: unknown }) {
    super(
      'unreachable',
      `cannot reach Redis at ${target}: ${detail}. Check that redis-server is running, and its bind address, port and firewall.`,
      options,
    );
  }
}

export class RedisTimeoutError extends RedisError {
  constructor(target: string, what: string, seconds: number) {
    super(
      'timeout',
      `Redis at ${target} did not answer ${what} within ${seconds}s. The host may be blackholed by a firewall or overloaded; raise --connection-timeout if the network is slow.`,
    );
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
  ) {
    const rule = `+${command.toLowerCase().replace(' ', '|')}`;
    super(
      'not_permitted',
      `user "${user || 'default'}" on ${target} is not permitted to run ${command.toUpperCase()} (NOPERM). Allow it with: ACL SETUSER ${user || 'default'} ${rule}`,
    );
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
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_NOT_YET_VALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

/** Maps a driver or server error to a typed error. `secrets` are scrubbed from any text that is kept. */
export function classifyRedisError(
  err: unknown,
  target: string,
  user: string | undefined,
  secrets: string[] = [],
): RedisError {
  if (err instanceof RedisError) return err;
  const e = err as { message?: string; code?: string; command?: { name?: string } };
  const message = String(e?.message ?? err);
  const code = e?.code ?? '';
  if (
    message.startsWith('WRONGPASS') ||
    message.includes('invalid password') ||
    message.includes('invalid username-password')
  )
    return new RedisAuthError(target, user);
  if (message.startsWith('NOAUTH') || message.includes('Authentication required'))
    return new RedisAuthRequiredError(target);
  if (message.startsWith('DENIED')) return new RedisProtectedModeError(target);
  if (message.startsWith('LOADING')) return new RedisLoadingError(target);
  if (message.startsWith('NOPERM')) {
    const m = /run the '([^']+)' command/.exec(message) ?? /command '([^']+)'/.exec(message);
    return new RedisPermissionError(target, user, m?.[1] ?? e?.command?.name ?? 'this command');
  }
  if (TLS_CODES.has(code) || /certificate|SSL|TLS/i.test(message))
    return new RedisTlsError(target, scrub(code ? `${code} ${message}` : message, secrets), { cause: err });
  if (code === 'ETIMEDOUT' || /timed? ?out/i.test(message)) return new RedisTimeoutError(target, 'in time', 0);
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
    ].includes(code)
  )
    return new RedisUnreachableError(target, code, { cause: err });
  if (/Connection is closed|Stream isn't writeable|connection.*closed/i.test(message))
    return new RedisUnreachableError(target, 'connection closed', { cause: err });
  return new RedisError('command', `Redis at ${target}: ${scrub(message, secrets)}`, { cause: err });
}

export function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length > 0) {
      out = out.split(s).join('***');
      const enc = encodeURIComponent(s);
      if (enc !== s) out = out.split(enc).join('***');
    }
  }
  return out;
}
