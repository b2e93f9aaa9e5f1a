/**
 * What the RS001–RS027 checks have in common: reading a setting (with its Redis 7 default and its file line), the
 * listeners and bind scope, the server version, the effective ACL users (including the implicit default user a
 * file implies), and why something could not be observed. Pure functions over Facts; nothing here returns a secret.
 */
import { CATALOGUE } from '../catalogue.ts';
import type { Check, CheckResult } from '../check.ts';
import type { AclUser, Facts, SourceLocation } from '../facts.ts';
import { REDIS_7_DEFAULTS } from '../file-facts.ts';
import { REDACTED } from '../live-commands.ts';
import { sha256Hex } from '../passwords.ts';

/** A check from its catalogue entry (title, severity, category, remediation) and its logic. */
export function defineCheck(id: string, evaluate: (facts: Facts) => CheckResult): Check {
  const entry = CATALOGUE[id];
  if (!entry) throw new Error(`no catalogue entry for ${id}`);
  return {
    id,
    title: entry.title,
    severity: entry.severity,
    category: entry.category,
    remediation: entry.remediation,
    evaluate,
  };
}

export interface Setting {
  value: string;
  /** 'set': read from CONFIG GET or a file directive; 'default': not set, the Redis 7 default applies. */
  source: 'set' | 'default';
  location?: SourceLocation;
}

/** Parameter aliases (redis.conf accepts both; CONFIG GET answers under the first). */
const ALIASES: Readonly<Record<string, string>> = { replicaof: 'slaveof', 'replica-read-only': 'slave-read-only' };

/** Whether the config was observed only in part (live, CONFIG unavailable, a few values from INFO). */
function configPartial(facts: Facts): boolean {
  const c = facts.config;
  if (!c) return true;
  const fromFile = c.directives.length > 0 || Object.keys(c.locations).length > 0;
  return !fromFile && (facts.unobserved.config !== undefined || c.derivedFromInfo !== undefined);
}

/**
 * A parameter's effective value. undefined when it could not be observed (no config at all, or a live server whose
 * CONFIG was unavailable and INFO did not show it). A parameter that is simply not set resolves to its Redis 7
 * default (REDIS_7_DEFAULTS: `CONFIG GET *` of a 7.0 server started without a file, so `bind * -::*`).
 */
export function setting(facts: Facts, name: string): Setting | undefined {
  const c = facts.config;
  if (!c) return undefined;
  for (const key of [name, ALIASES[name]]) {
    if (key === undefined) continue;
    const value = c.values[key];
    if (value !== undefined) {
      const location = c.locations[key];
      return location ? { value, source: 'set', location } : { value, source: 'set' };
    }
  }
  if (configPartial(facts)) return undefined;
  return { value: REDIS_7_DEFAULTS[name] ?? '', source: 'default' };
}

/** 'protected-mode no' / 'protected-mode yes (default)' — for non-secret settings only. */
export function showSetting(name: string, s: Setting): string {
  if (name === 'requirepass' || name === 'masterauth') return `${name} ${s.value === '' ? 'is not set' : 'is set'}`;
  const v = s.value === '' ? '""' : s.value;
  return s.source === 'default' ? `${name} ${v} (default)` : `${name} ${v}`;
}

/** A secret parameter is set (live values arrive as REDACTED; files give the plaintext, never shown). */
export const secretIsSet = (s: Setting | undefined): boolean => s !== undefined && s.value !== '';

/** The plaintext of a secret setting, when a file gave it (live values are redacted). */
export const secretPlaintext = (s: Setting | undefined): string | undefined =>
  s && s.value !== '' && s.value !== REDACTED ? s.value : undefined;

/** The first of several locations that exists. */
export const firstLocation = (...locations: Array<SourceLocation | undefined>): SourceLocation | undefined =>
  locations.find((l) => l !== undefined);

/** Why a part of the facts is missing, in the words the fact collector used, or a generic reason. */
export function whyUnobserved(facts: Facts, part: keyof Facts['unobserved'], what: string): string {
  const reason = facts.unobserved[part];
  if (reason) return `${what} could not be observed: ${reason}`;
  if (!facts.live && facts.files.length > 0) return `${what} could not be observed: the audited files do not show it`;
  return `${what} could not be observed`;
}

/** Why the configuration could not be read, for unknown results. */
export const configUnknown = (facts: Facts, params: string): string =>
  whyUnobserved(facts, 'config', `the configuration (${params})`);

// ---------------------------------------------------------------------------------------------------------------
// Version

export interface Version {
  major: number;
  minor: number;
  patch: number;
  text: string;
}

export function serverVersion(facts: Facts): Version | undefined {
  const text = facts.server?.version ?? facts.info?.redis_version;
  if (!text) return undefined;
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0), text };
}

/** Known to be older than 7.0 (no enable-* gates, no protected configs). Unknown versions count as 7.0+. */
export const isBefore7 = (facts: Facts): boolean => {
  const v = serverVersion(facts);
  return v !== undefined && v.major < 7;
};

/** A Sentinel: INFO redis_mode, or an audited sentinel.conf (`sentinel …` directives). */
export function isSentinel(facts: Facts): boolean {
  const mode = (facts.server?.mode ?? facts.info?.redis_mode ?? '').toLowerCase();
  if (mode) return mode === 'sentinel';
  return (facts.config?.directives ?? []).some((d) => d.name === 'sentinel');
}

// ---------------------------------------------------------------------------------------------------------------
// Listeners and bind

export type AddressScope = 'loopback' | 'private' | 'public' | 'all';

const parseIPv4 = (a: string): number[] | undefined => {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(a);
  if (!m) return undefined;
  const o = m.slice(1).map(Number);
  return o.every((x) => x <= 255) ? o : undefined;
};

/** Where a bind address listens: everything, loopback, a private (RFC 1918 / ULA / link-local) or public net. */
export function classifyAddress(address: string): AddressScope {
  const a = address
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (a === '*' || a === '0.0.0.0' || a === '::' || a === '::*' || a === '::0' || a === '') return 'all';
  if (a === 'localhost' || a === '::1') return 'loopback';
  const v4 = parseIPv4(a.startsWith('::ffff:') ? a.slice(7) : a);
  if (v4) {
    const [x, y] = v4;
    if (x === 127) return 'loopback';
    if (x === 0) return 'all';
    if (x === 10 || (x === 172 && y >= 16 && y <= 31) || (x === 192 && y === 168)) return 'private';
    if ((x === 169 && y === 254) || (x === 100 && y >= 64 && y <= 127)) return 'private';
    return 'public';
  }
  if (a.includes(':')) {
    if (/^f[cd][0-9a-f]{0,2}:/.test(a) || /^fe[89ab][0-9a-f]?:/.test(a)) return 'private';
    return 'public';
  }
  // A host name: Redis resolves it, so it could be anything; not loopback.
  return 'public';
}

const SCOPE_RANK: Record<AddressScope, number> = { loopback: 0, private: 1, public: 2, all: 3 };

export interface BindFacts {
  setting: Setting;
  /** Addresses as written, without the '-' (optional address) prefix. */
  addresses: string[];
  /** The widest scope among them. */
  scope: AddressScope;
}

export function bindFacts(facts: Facts): BindFacts | undefined {
  const s = setting(facts, 'bind');
  if (!s) return undefined;
  const addresses = s.value
    .split(/\s+/)
    .filter((a) => a !== '')
    .map((a) => a.replace(/^-/, ''));
  // An empty bind listens on every interface (pre-7.0 servers report it as "").
  const scope = addresses.length === 0 ? 'all' : addresses.map(classifyAddress).reduce(widest, 'loopback');
  return { setting: s, addresses, scope };
}

const widest = (a: AddressScope, b: AddressScope): AddressScope => (SCOPE_RANK[b] > SCOPE_RANK[a] ? b : a);

export const showBind = (b: BindFacts): string =>
  `bind ${b.addresses.length === 0 ? '""' : b.setting.value}${b.setting.source === 'default' ? ' (default: no bind directive)' : ''}`;

export interface Listeners {
  port: number;
  tlsPort: number;
  portSetting?: Setting;
  tlsPortSetting?: Setting;
  unixsocket?: string;
}

/** TCP ports from the config (INFO tcp_port stands in for `port` when CONFIG is unavailable and TLS is off). */
export function listeners(facts: Facts): Listeners | undefined {
  const port = setting(facts, 'port');
  const tlsPort = setting(facts, 'tls-port');
  const unix = setting(facts, 'unixsocket');
  if (port && tlsPort) {
    return {
      port: Number(port.value) || 0,
      tlsPort: Number(tlsPort.value) || 0,
      portSetting: port,
      tlsPortSetting: tlsPort,
      unixsocket: unix?.value || undefined,
    };
  }
  return undefined;
}

/** No TCP listener at all: only a unix socket (port 0, tls-port 0). */
export const unixSocketOnly = (l: Listeners | undefined): boolean => l !== undefined && l.port === 0 && l.tlsPort === 0;

/** Whether the audit's own connection came from the same host (its unauthenticated probe is then not an outsider's). */
export function targetIsLocal(facts: Facts): boolean {
  const t = facts.target;
  if (!t) return false;
  if (/^unix:|^\//.test(t)) return true;
  try {
    const host = new URL(t).hostname.replace(/^\[|\]$/g, '');
    return classifyAddress(host) === 'loopback';
  } catch {
    return /(^|[/@])(127\.|localhost|\[?::1\]?)/.test(t);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Users

/** Where the default user's definition came from. */
export type DefaultUserSource = 'acl' | 'requirepass' | 'implicit' | 'aclfile-implicit';

export interface UsersView {
  users: AclUser[];
  /** The default user, as the server has it or as the files imply. */
  defaultUser?: AclUser;
  defaultSource?: DefaultUserSource;
}

const fullDefault = (): AclUser => ({
  name: 'default',
  enabled: true,
  nopass: true,
  passwordHashes: [],
  plaintextPasswords: [],
  keyPatterns: ['~*'],
  channelPatterns: ['*'],
  commandRules: ['+@all'],
});

/**
 * The ACL users to judge. Live: ACL LIST as observed. Files: the `user` lines / ACL file, plus the default user they
 * imply when none defines it — Redis creates it as 'on nopass ~* &* +@all' with requirepass as its password, and
 * ignores requirepass when an aclfile is used. undefined (with a reason) when users could not be observed.
 */
export function resolveUsers(facts: Facts): UsersView | { unknown: string } {
  const listed = facts.users;
  if (listed) {
    const def = listed.find((u) => u.name === 'default');
    if (def) return { users: listed, defaultUser: def, defaultSource: sourceOf(facts, listed, def) };
    if (facts.live) return { users: listed };
    return impliedDefault(facts, listed) ?? { unknown: whyUnobserved(facts, 'config', 'requirepass') };
  }
  if (facts.unobserved.users) return { unknown: whyUnobserved(facts, 'users', 'ACL users') };
  if (!facts.live && facts.config && !setting(facts, 'aclfile')?.value) {
    return impliedDefault(facts, []) ?? { unknown: whyUnobserved(facts, 'config', 'requirepass') };
  }
  if (!facts.live && setting(facts, 'aclfile')?.value) {
    return { unknown: `ACL users could not be observed: the aclfile ${setting(facts, 'aclfile')?.value} was not read` };
  }
  return { unknown: whyUnobserved(facts, 'users', 'ACL users') };
}

/** How a listed default user came to be, from its origin (set by the file reader). */
function sourceOf(facts: Facts, listed: AclUser[], def: AclUser): DefaultUserSource {
  if (def.origin === 'requirepass') return 'requirepass';
  if (def.origin !== 'builtin') return 'acl';
  const aclfile = setting(facts, 'aclfile')?.value || listed.some((u) => u.origin === 'aclfile');
  return aclfile ? 'aclfile-implicit' : 'implicit';
}

function impliedDefault(facts: Facts, listed: AclUser[]): UsersView | undefined {
  const aclfile = setting(facts, 'aclfile');
  if (aclfile?.value) return withDefault(listed, fullDefault(), 'aclfile-implicit');
  const requirepass = setting(facts, 'requirepass');
  if (!requirepass) return undefined;
  const plaintext = secretPlaintext(requirepass);
  if (!secretIsSet(requirepass)) return withDefault(listed, fullDefault(), 'implicit');
  const def: AclUser = {
    ...fullDefault(),
    nopass: false,
    plaintextPasswords: plaintext ? [plaintext] : [],
    passwordHashes: plaintext ? [sha256Hex(plaintext)] : [],
  };
  if (requirepass.location) def.location = requirepass.location;
  return withDefault(listed, def, 'requirepass');
}

const withDefault = (listed: AclUser[], def: AclUser, source: DefaultUserSource): UsersView => ({
  users: [...listed, def],
  defaultUser: def,
  defaultSource: source,
});

/** Where the default user is defined: its ACL line, else the requirepass or aclfile directive that implies it. */
export function defaultUserLocation(facts: Facts, view: UsersView): SourceLocation | undefined {
  if (view.defaultUser?.location) return view.defaultUser.location;
  if (view.defaultSource === 'requirepass') return facts.config?.locations.requirepass;
  if (view.defaultSource === 'aclfile-implicit') return facts.config?.locations.aclfile;
  return undefined;
}

/** How the default user came to be, for evidence. */
export function describeDefaultSource(source: DefaultUserSource | undefined): string {
  switch (source) {
    case 'requirepass':
      return 'the default user takes requirepass as its password';
    case 'implicit':
      return "no requirepass and no 'user default' line: Redis creates the default user as 'on nopass ~* &* +@all'";
    case 'aclfile-implicit':
      return "the aclfile does not define the default user: Redis creates it as 'on nopass ~* &* +@all'";
    default:
      return '';
  }
}

/** 'alice', 'bob' and 3 more. */
export function listNames(names: readonly string[], max = 5): string {
  const quoted = names.map((n) => `'${n}'`);
  if (quoted.length <= max) return quoted.join(', ');
  return `${quoted.slice(0, max).join(', ')} and ${quoted.length - max} more`;
}
