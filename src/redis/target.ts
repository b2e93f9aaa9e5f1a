import { TargetError } from './errors.ts';

/** A Redis server to talk to, parsed from redis_exporter's address forms. */
export interface RedisTarget {
  scheme: 'redis' | 'rediss' | 'unix';
  host: string; // empty for unix
  port: number; // 0 for unix
  path: string; // unix socket path, empty otherwise
  db: number;
  username?: string;
  password?: string;
  /** The target without its password, safe to print and to use as a label: `redis://user@host:port/1`. */
  display: string;
}

const ENCODINGS: Record<string, string> = { '@': '%40', ':': '%3A', '/': '%2F', '#': '%23', '%': '%25', '?': '%3F' };

function unencodedError(ch: string): TargetError {
  return new TargetError(
    `the credentials in the Redis URL contain an unencoded "${ch}"; percent-encode it as ${ENCODINGS[ch]} (for example with encodeURIComponent), or pass the password with --redis.password / REDIS_PASSWORD instead of the URL`,
  );
}

/** Checks the userinfo part for characters that must be percent-encoded, naming the character but never the secret. */
function checkUserinfo(raw: string): void {
  const afterScheme = raw.slice(raw.indexOf('://') + 3);
  const at = userinfoEnd(raw.slice(0, raw.indexOf('://')), afterScheme);
  if (at < 0) return;
  const userinfo = afterScheme.slice(0, at);
  if (userinfo.includes('@')) throw unencodedError('@');
  for (const ch of ['/', '#', '?']) if (userinfo.includes(ch)) throw unencodedError(ch);
  if (/%(?![0-9A-Fa-f]{2})/.test(userinfo)) throw unencodedError('%');
  const colon = userinfo.indexOf(':');
  if (colon >= 0 && userinfo.slice(colon + 1).includes(':')) throw unencodedError(':');
}

/**
 * Index of the '@' that ends the userinfo in the part after `scheme://`, or -1. For unix sockets the path starts
 * with '/' and may itself contain '@' (systemd instance names such as /run/redis@6379/redis.sock), so userinfo is
 * only present when the part does not start with '/', and it ends at the first "@/".
 */
function userinfoEnd(scheme: string, afterScheme: string): number {
  if (scheme === 'unix') return afterScheme.startsWith('/') ? -1 : afterScheme.indexOf('@/');
  return afterScheme.lastIndexOf('@');
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw unencodedError('%');
  }
}

/** Parses `redis://[user[:password]@]host[:port][/db]`, `rediss://…`, `unix:///path[?db=N]`, or a bare `host:port`. */
export function parseTarget(input: string): RedisTarget {
  let raw = input.trim();
  if (raw === '') throw new TargetError('the Redis address is empty; pass --redis.addr redis://host:port');
  // Schemes are case-insensitive (RFC 3986): REDIS://host works like redis://host.
  raw = raw.replace(/^[a-z][a-z0-9+.-]*(?=:\/\/)/i, (s) => s.toLowerCase());
  if (raw.startsWith('valkey://')) raw = `redis://${raw.slice('valkey://'.length)}`;
  if (raw.startsWith('valkeys://')) raw = `rediss://${raw.slice('valkeys://'.length)}`;
  if (!raw.includes('://')) {
    if (raw.startsWith('/')) raw = `unix://${raw}`;
    else raw = `redis://${raw}`;
  }
  const scheme = raw.slice(0, raw.indexOf('://'));
  if (scheme !== 'redis' && scheme !== 'rediss' && scheme !== 'unix')
    throw new TargetError(
      `unsupported scheme "${scheme}://" in the Redis address; use redis://host:port, rediss://host:port (TLS) or unix:///path/to/redis.sock`,
    );
  checkUserinfo(raw);
  if (scheme === 'unix') return parseUnix(raw);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TargetError(
      `"${redactRaw(raw)}" is not a valid Redis address; expected redis://[user[:password]@]host[:port][/db]`,
    );
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new TargetError(`the Redis address "${redactRaw(raw)}" has no host; expected redis://host:port`);
  const port = url.port ? Number(url.port) : 6379;
  let db = 0;
  const dbPart = url.pathname.replace(/^\//, '');
  if (dbPart !== '') {
    if (!/^\d+$/.test(dbPart))
      throw new TargetError(`the database "/${dbPart}" in the Redis address is not a number; use /0 … /15`);
    db = Number(dbPart);
  }
  const username = url.username ? decode(url.username) : undefined;
  const password = url.password ? decode(url.password) : undefined;
  return makeTarget(scheme, host, port, '', db, username, password);
}

function parseUnix(raw: string): RedisTarget {
  // unix://[user[:password]@]/path/to/sock[?db=N]
  let rest = raw.slice('unix://'.length);
  let username: string | undefined;
  let password: string | undefined;
  const at = userinfoEnd('unix', rest);
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = userinfo.indexOf(':');
    username = decode(colon >= 0 ? userinfo.slice(0, colon) : userinfo) || undefined;
    password = colon >= 0 ? decode(userinfo.slice(colon + 1)) : undefined;
  }
  let db = 0;
  const q = rest.indexOf('?');
  if (q >= 0) {
    const params = new URLSearchParams(rest.slice(q + 1));
    rest = rest.slice(0, q);
    const d = params.get('db');
    if (d !== null) {
      if (!/^\d+$/.test(d)) throw new TargetError(`db=${d} in the unix socket address is not a number`);
      db = Number(d);
    }
  }
  if (!rest.startsWith('/'))
    throw new TargetError('a unix socket address needs an absolute path: unix:///run/redis/redis.sock');
  return makeTarget('unix', '', 0, rest, db, username, password);
}

export function makeTarget(
  scheme: RedisTarget['scheme'],
  host: string,
  port: number,
  path: string,
  db: number,
  username?: string,
  password?: string,
): RedisTarget {
  const user = username ? `${encodeURIComponent(username)}@` : '';
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const display =
    scheme === 'unix'
      ? `unix://${user}${path}${db ? `?db=${db}` : ''}`
      : `${scheme}://${user}${hostPart}:${port}${db ? `/${db}` : ''}`;
  return { scheme, host, port, path, db, username, password, display };
}

/** Replaces anything between `://` and the last `@` so a raw address can be echoed in an error. */
export function redactRaw(raw: string): string {
  return raw.replace(/^([a-z]+:\/\/)(.*)@/i, (_m, s: string, userinfo: string) => {
    const user = userinfo.split(':')[0];
    return `${s}${user ? `${user}:` : ''}***@`;
  });
}

/** Returns the target with credentials applied, without changing an explicit URL password. */
export function withCredentials(target: RedisTarget, username?: string, password?: string): RedisTarget {
  const u = target.username ?? (username || undefined);
  const p = target.password ?? (password || undefined);
  return makeTarget(target.scheme, target.host, target.port, target.path, target.db, u, p);
}
