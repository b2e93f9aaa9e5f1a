import { lookupPassword, type PasswordMap } from '../redis/password-file.ts';
import { parseTarget, type RedisTarget, withCredentials } from '../redis/target.ts';

/** Why /scrape refused a target; `status` is the HTTP status to answer with. */
export class ScrapeTargetError extends Error {
  constructor(
    readonly status: 400 | 403 | 429,
    message: string,
  ) {
    super(message);
    this.name = 'ScrapeTargetError';
  }
}

/**
 * One --scrape.allowed-targets entry. A URL entry keeps its scheme: `rediss://h:p` allows TLS to h:p and nothing
 * else, `redis://h:p` allows plaintext only. A bare `host` or `host:port` names no scheme and allows both.
 */
export interface AllowEntry {
  host: string;
  port?: number;
  scheme?: RedisTarget['scheme'];
}

export function parseAllowEntry(entry: string): AllowEntry {
  const e = entry.trim();
  if (e.includes('://')) {
    const t = parseTarget(e);
    return t.scheme === 'unix'
      ? { host: t.path, scheme: 'unix' }
      : { host: t.host.toLowerCase(), port: t.port, scheme: t.scheme };
  }
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(e);
  if (m) return { host: (m[1] ?? m[2]).toLowerCase(), port: Number(m[3]) };
  return { host: e.replace(/^\[|\]$/g, '').toLowerCase() };
}

function matches(entry: AllowEntry, t: RedisTarget): boolean {
  if (t.scheme === 'unix') return entry.scheme === 'unix' && entry.host === t.path;
  if (entry.scheme === 'unix') return false;
  if (entry.scheme !== undefined && entry.scheme !== t.scheme) return false;
  return entry.host === t.host.toLowerCase() && (entry.port === undefined || entry.port === t.port);
}

/** The same server, reached the same way (a plaintext target is not the TLS home address). */
export function sameServer(a: RedisTarget, b: RedisTarget): boolean {
  return (
    a.scheme === b.scheme && a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port && a.path === b.path
  );
}

/**
 * Whether text holds a C0 control (CR, LF, NUL, ESC …), DEL or a C1 control: never part of an address, user,
 * password or server name, and one would reach the socket (or a log) as such.
 */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

export interface ScrapePolicy {
  allowed: readonly AllowEntry[];
  /** The exporter's own --redis.addr target (credentials not applied), if any. */
  home?: RedisTarget;
  /** --scrape.allow-any-target: without an allowlist, other targets may be reached too. */
  allowAny: boolean;
  globalUser: string;
  globalPassword: string;
  passwords: PasswordMap;
}

export interface ResolvedScrapeTarget {
  target: RedisTarget;
  /**
   * The home address or an allowlisted one: gets the global password, a persistent connection and the background
   * audit. Anything else (reachable only with --scrape.allow-any-target) gets a one-shot connection.
   */
  trusted: boolean;
}

function parseScrapeTarget(raw: string | null): RedisTarget {
  if (!raw) throw new ScrapeTargetError(400, "'target' parameter must be specified");
  // Checked before parsing: URL parsing silently drops tabs and newlines, and would hide them.
  const refuse = () =>
    new ScrapeTargetError(
      400,
      'invalid target: it contains a control character (CR, LF, NUL, ESC …), which no Redis address, user or password may hold',
    );
  if (hasControlCharacter(raw)) throw refuse();
  let t: RedisTarget;
  try {
    t = parseTarget(raw);
  } catch (err) {
    throw new ScrapeTargetError(400, `invalid target: ${(err as Error).message}`);
  }
  // Percent-encoded ones (user%0D%0A…) are decoded by now: they would reach the socket as separate lines. A host
  // keeps its percent-encoding (a URL leaves it as written), so it is decoded for the check.
  for (const part of [t.username, t.password, decodedHost(t.host), t.path])
    if (part && hasControlCharacter(part)) throw refuse();
  return t;
}

function decodedHost(host: string): string {
  try {
    return decodeURIComponent(host);
  } catch {
    return host;
  }
}

/**
 * Resolves `/scrape?target=` safely (upstream #1104, #1115): without an allowlist only --redis.addr (unless
 * --scrape.allow-any-target); with one, only allowlisted targets, scheme included; unix sockets only when
 * allowlisted; the global password only to --redis.addr or allowlisted targets. Per-target passwords from the
 * password file are keyed by target, so they cannot leak elsewhere.
 */
export function resolveScrapeTarget(raw: string | null, policy: ScrapePolicy): ResolvedScrapeTarget {
  const t = parseScrapeTarget(raw);
  const allowlisted = policy.allowed.some((e) => matches(e, t));
  if (t.scheme === 'unix' && !allowlisted)
    throw new ScrapeTargetError(403, 'unix socket targets are refused unless listed in --scrape.allowed-targets');
  const home = policy.home !== undefined && sameServer(policy.home, t);
  if (policy.allowed.length > 0 && !allowlisted)
    throw new ScrapeTargetError(
      403,
      `target ${t.display} is not in --scrape.allowed-targets (an entry with a scheme allows only that scheme)`,
    );
  if (policy.allowed.length === 0 && !home && !policy.allowAny)
    throw new ScrapeTargetError(
      403,
      `target ${t.display} is not the exporter's --redis.addr; list the targets /scrape may reach in --scrape.allowed-targets (or pass --scrape.allow-any-target)`,
    );
  const trusted = allowlisted || home;
  const user = t.username ?? (policy.globalUser || undefined);
  const filePassword = lookupPassword(policy.passwords, { ...t, username: user });
  const password = t.password ?? filePassword ?? (trusted ? policy.globalPassword || undefined : undefined);
  return { target: withCredentials(t, user, password), trusted };
}
