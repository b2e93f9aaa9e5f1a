import type { PasswordMap } from '../redis/password-file.ts';
import { parseTarget, type RedisTarget } from '../redis/target.ts';

/**
 * Where the new password goes, in the forms users keep it in: one `KEY=value` line of a .env file (every other
 * line kept as it is), and entries of redis_exporter's JSON password file (`{"redis://user@host:6379": "pw"}`).
 * Pure text transformations; writing is the caller's (src/fs/atomic-write.ts).
 */
export const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `existing` with `key` set to `value`: its line replaced in place (an `export ` prefix kept), else appended. */
export function setEnvEntry(existing: string, key: string, value: string): string {
  const lines = existing === '' ? [] : existing.replace(/\n$/, '').split('\n');
  let found = false;
  const out: string[] = [];
  for (const line of lines) {
    const m = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line);
    if (m && m[2] === key) {
      // A second line for the same key would win in some loaders and lose in others: keep one.
      if (!found) out.push(`${m[1]}${key}=${value}`);
      found = true;
    } else out.push(line);
  }
  if (!found) out.push(`${key}=${value}`);
  return `${out.join('\n')}\n`;
}

/** The value of `key` in a .env text, or undefined (quotes around it removed). */
export function readEnvEntry(text: string, key: string): string | undefined {
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(line.replace(/\r$/, ''));
    if (m && m[1] === key) return m[2].trim().replace(/^(["'])(.*)\1$/, '$2');
  }
  return undefined;
}

/** scheme://[user@]host:port as a password-file key for `user` on a server. */
export function passwordFileKey(server: RedisTarget, user: string): string {
  const u = user === 'default' ? '' : `${encodeURIComponent(user)}@`;
  if (server.scheme === 'unix') return `unix://${u}${server.path}`;
  const host = server.host.includes(':') ? `[${server.host}]` : server.host;
  return `${server.scheme}://${u}${host}:${server.port}`;
}

function sameServer(a: RedisTarget, b: RedisTarget): boolean {
  if (a.scheme === 'unix' || b.scheme === 'unix') return a.scheme === b.scheme && a.path === b.path;
  return a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port;
}

/**
 * The keys of a password file to set: the ones given, else every existing key for `user` on one of `servers`,
 * else one new key per server. (A key without a user names the default user, as in redis_exporter.)
 */
export function passwordFileKeys(map: PasswordMap, servers: RedisTarget[], user: string, given: string[]): string[] {
  if (given.length > 0) return given;
  const matching: string[] = [];
  for (const key of map.keys()) {
    let t: RedisTarget;
    try {
      t = parseTarget(key);
    } catch {
      continue;
    }
    if ((t.username ?? 'default') === user && servers.some((s) => sameServer(s, t))) matching.push(key);
  }
  return matching.length > 0 ? matching : servers.map((s) => passwordFileKey(s, user));
}

/** The password file's JSON with `keys` set to `value`, every other entry kept, in order. */
export function setPasswordEntries(map: PasswordMap, keys: string[], value: string): string {
  const out: Record<string, string> = {};
  for (const [k, v] of map) out[k] = v;
  for (const k of keys) out[k] = value;
  return `${JSON.stringify(out, null, 2)}\n`;
}
