import { lookupPassword, type PasswordMap } from '../redis/password-file.ts';
import { parseTarget, type RedisTarget, withCredentials } from '../redis/target.ts';

/** Why /scrape refused a target; `status` is the HTTP status to answer with. */
export class ScrapeTargetError extends Error {
  constructor(
    readonly status: 400 | 403,
    message: string,
  ) {
    super(message);
    this.name = 'ScrapeTargetError';
  }
}

interface AllowEntry {
  host: string;
  port?: number;
  scheme?: string;
}

export function parseAllowEntry(entry: string): AllowEntry {
  const e = entry.trim();
  if (e.includes('://')) {
    const t = parseTarget(e);
    return t.scheme === 'unix' ? { host: t.path, scheme: 'unix' } : { host: t.host.toLowerCase(), port: t.port };
  }
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(e);
  if (m) return { host: (m[1] ?? m[2]).toLowerCase(), port: Number(m[3]) };
  return { host: e.replace(/^\[|\]$/g, '').toLowerCase() };
}

function matches(entry: AllowEntry, t: RedisTarget): boolean {
  if (t.scheme === 'unix') return entry.scheme === 'unix' && entry.host === t.path;
  if (entry.scheme === 'unix') return false;
  return entry.host === t.host.toLowerCase() && (entry.port === undefined || entry.port === t.port);
}

function sameServer(a: RedisTarget, b: RedisTarget): boolean {
  return (
    a.scheme === b.scheme && a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port && a.path === b.path
  );
}

export interface ScrapePolicy {
  allowed: string[];
  /** The exporter's own --redis.addr target (credentials not applied), if any. */
  home?: RedisTarget;
  globalUser: string;
  globalPassword: string;
  passwords: PasswordMap;
}

/**
 * Resolves `/scrape?target=` safely (upstream #1104, #1115): unix sockets only when allowlisted, only
 * allowlisted targets when an allowlist is set, and the global password only to --redis.addr or allowlisted
 * targets. Per-target passwords from the password file are keyed by target, so they cannot leak elsewhere.
 */
export function resolveScrapeTarget(raw: string | null, policy: ScrapePolicy): RedisTarget {
  if (!raw) throw new ScrapeTargetError(400, "'target' parameter must be specified");
  let t: RedisTarget;
  try {
    t = parseTarget(raw);
  } catch (err) {
    throw new ScrapeTargetError(400, `invalid target: ${(err as Error).message}`);
  }
  const entries = policy.allowed.map(parseAllowEntry);
  const allowlisted = entries.some((e) => matches(e, t));
  if (t.scheme === 'unix' && !allowlisted)
    throw new ScrapeTargetError(403, 'unix socket targets are refused unless listed in --scrape.allowed-targets');
  if (entries.length > 0 && !allowlisted)
    throw new ScrapeTargetError(403, `target ${t.display} is not in --scrape.allowed-targets`);
  const trusted = allowlisted || (policy.home !== undefined && sameServer(policy.home, t));
  const user = t.username ?? (policy.globalUser || undefined);
  const filePassword = lookupPassword(policy.passwords, { ...t, username: user });
  const password = t.password ?? filePassword ?? (trusted ? policy.globalPassword || undefined : undefined);
  return withCredentials(t, user, password);
}
