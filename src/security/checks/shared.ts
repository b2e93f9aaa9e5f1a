/**
 * What the checks have in common: reading a setting (its effective value with its file line, or the Redis 7
 * default when a file or a complete CONFIG GET does not set it; undefined when it could not be observed), sizes in
 * redis.conf units, the listeners and bind scope, the server version, the effective ACL users (including the
 * implicit default user a file implies), why something could not be observed, report text helpers, and who may run
 * what (the permission scan the authorization, hardening, vulnerability, availability and confidentiality checks
 * share). Pure functions over Facts; nothing here returns a secret. The checks themselves live one file per catalogue
 * category.
 */

import { newAclUser } from '../../redis/acl-rules.ts';
import { type CommandTable, loadCommandTable, userCan } from '../acl-eval.ts';
import { CATALOGUE } from '../catalogue.ts';
import { type Check, type CheckResult, fail, pass, skip, unknown } from '../check.ts';
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

/**
 * Defaults REDIS_7_DEFAULTS (CONFIG GET * of 7.0) leaves out: `dir` (the directory the server starts in) and the
 * set-max-listpack-* thresholds, which 7.2 added.
 */
const MORE_DEFAULTS: Readonly<Record<string, string>> = {
  dir: './',
  'set-max-listpack-entries': '128',
  'set-max-listpack-value': '64',
};

/** What a parameter is when nothing sets it: the Redis 7 default. */
export const defaultOf = (name: string): string => REDIS_7_DEFAULTS[name] ?? MORE_DEFAULTS[name] ?? '';

/**
 * Parameters known under two names (7.0 renamed *-ziplist-* to *-listpack-*). File facts arrive under the 7.0 name;
 * a pre-7.0 server answers CONFIG GET under the old one.
 */
const ALIASES: Readonly<Record<string, readonly string[]>> = {
  'replica-read-only': ['slave-read-only'],
  replicaof: ['slaveof'],
  'busy-reply-threshold': ['lua-time-limit'],
  'hash-max-listpack-entries': ['hash-max-ziplist-entries'],
  'hash-max-listpack-value': ['hash-max-ziplist-value'],
  'zset-max-listpack-entries': ['zset-max-ziplist-entries'],
  'zset-max-listpack-value': ['zset-max-ziplist-value'],
};

export interface ConfigValue {
  name: string;
  value: string;
  /** set: CONFIG GET or a file directive; info: INFO stood in for CONFIG; default: not set, Redis 7 default. */
  origin: 'set' | 'info' | 'default';
  location?: SourceLocation;
}

/** Only part of the configuration is known: live, CONFIG unavailable, a few values from INFO. */
function configPartial(facts: Facts): boolean {
  const c = facts.config;
  if (!c) return true;
  const fromFile = c.directives.length > 0 || Object.keys(c.locations).length > 0;
  return !fromFile && (facts.unobserved.config !== undefined || c.derivedFromInfo !== undefined);
}

/** The effective value of a parameter; undefined when it could not be observed. */
export function configValue(facts: Facts, name: string): ConfigValue | undefined {
  const c = facts.config;
  if (!c) return undefined;
  const names = [name, ...(ALIASES[name] ?? [])];
  // With both spellings in a file, the later directive wins.
  let last: string | undefined;
  for (let i = c.directives.length - 1; i >= 0 && last === undefined; i--) {
    if (names.includes(c.directives[i].name)) last = c.directives[i].name;
  }
  for (const key of last ? [last, ...names] : names) {
    const value = c.values[key];
    if (value === undefined) continue;
    const origin = c.derivedFromInfo?.includes(key) ? 'info' : 'set';
    const location = c.locations[key];
    return location ? { name: key, value, origin, location } : { name: key, value, origin };
  }
  if (configPartial(facts)) return undefined;
  return { name, value: defaultOf(name), origin: 'default' };
}

/** Several parameters at once; undefined when any could not be observed. */
export function configValues<K extends string>(facts: Facts, names: readonly K[]): Record<K, ConfigValue> | undefined {
  const out = {} as Record<K, ConfigValue>;
  for (const n of names) {
    const v = configValue(facts, n);
    if (!v) return undefined;
    out[n] = v;
  }
  return out;
}

/** 'maxmemory 0 (default)', 'timeout 300 s' — for non-secret parameters only. */
export function show(v: ConfigValue, unit?: string): string {
  const value = v.value === '' ? '""' : unit ? `${v.value} ${unit}` : v.value;
  if (v.origin === 'default') return `${v.name} ${value} (default)`;
  if (v.origin === 'info') return `${v.name} ${value} (from INFO)`;
  return `${v.name} ${value}`;
}

/** The file line of the first value that has one. */
export const locationOf = (...values: Array<ConfigValue | undefined>): SourceLocation | undefined =>
  values.find((v) => v?.location)?.location;

export interface Setting {
  value: string;
  /** 'set': read from CONFIG GET, a file directive or INFO; 'default': not set, the Redis 7 default applies. */
  source: 'set' | 'default';
  location?: SourceLocation;
}

/**
 * configValue as a Setting: a parameter's effective value. undefined when it could not be observed (no config at
 * all, or a live server whose CONFIG was unavailable and INFO did not show it). A parameter that is simply not set
 * resolves to its Redis 7 default (REDIS_7_DEFAULTS: `CONFIG GET *` of a 7.0 server started without a file, so
 * `bind * -::*`).
 */
export function setting(facts: Facts, name: string): Setting | undefined {
  const v = configValue(facts, name);
  if (!v) return undefined;
  const source = v.origin === 'default' ? 'default' : 'set';
  return v.location ? { value: v.value, source, location: v.location } : { value: v.value, source };
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

/** 536870912 → '512 MiB'. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`;
}

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

/** Valkey answers with a compatibility redis_version; its own version is valkey_version. */
export const isValkey = (facts: Facts): boolean =>
  facts.server?.valkeyVersion !== undefined ||
  facts.info?.valkey_version !== undefined ||
  (facts.info?.server_name ?? '').toLowerCase() === 'valkey';

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

// ---------------------------------------------------------------------------------------------------------------
// Report text

/** a, b and 3 more. */
export function listItems(items: readonly string[], max = 5): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** 'alice', 'bob' and 3 more. */
export const listNames = (names: readonly string[], max = 5): string =>
  listItems(
    names.map((n) => `'${n}'`),
    max,
  );

/** Characters a key name, host or path may carry that would garble a report line. */
export const printable = (s: string, max = 80): string => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is being removed
  const clean = s.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
};

// ---------------------------------------------------------------------------------------------------------------
// Who may run what, for the permission checks (authorization, and RS019–RS021, RS023, RS025, RS026 in their
// categories): ACL DRYRUN answers when the audit had them (exact), otherwise the user's rules evaluated against the
// Redis 7.0 command table; then whether the command exists at all (rename-command, COMMAND INFO) and, on 7.0+,
// whether DEBUG/MODULE are switched on by enable-*-command.

let table: CommandTable | undefined;
/** Users known only from DRYRUN answers (ACL LIST was not permitted): their rules are unknown. */
const dryRunOnly = new WeakSet<AclUser>();
const commandTable = (): CommandTable => {
  table ??= loadCommandTable();
  return table;
};

/**
 * Whether `user` may run `command` (ACL form, lower case: 'config|set', 'flushall'). DRYRUN first; undefined when
 * the user is known only by its DRYRUN answers and this command was not asked.
 */
export function userMayRun(facts: Facts, user: AclUser, command: string): boolean | undefined {
  const answers = facts.dryRun?.[user.name];
  const asked = answers?.[command];
  if (asked !== undefined) return asked;
  if (dryRunOnly.has(user)) return undefined;
  if (!user.enabled) return false;
  return userCan(user, command, commandTable());
}

export interface Availability {
  /** false: disabled or absent; 'local': only from loopback/unix socket (enable-*-command local). */
  available: boolean | 'local';
  /** Why, when it is not plainly available — never a renamed command's new name. */
  note?: string;
}

const GATES: Readonly<Record<string, string>> = {
  debug: 'enable-debug-command',
  'module|load': 'enable-module-command',
  'module|loadex': 'enable-module-command',
  'module|unload': 'enable-module-command',
};

/** Whether a command can be run at all on this server, whoever asks. */
export function commandAvailability(facts: Facts, command: string): Availability {
  const parent = command.split('|')[0];
  const renamed = facts.config?.renamedCommands[parent];
  if (renamed === '') return { available: false, note: `${parent.toUpperCase()} is disabled by rename-command` };
  // COMMAND INFO knows no renamed command by its old name: when the rename is known, it is still runnable.
  if (facts.commandsPresent?.[parent] === false && renamed === undefined) {
    return { available: false, note: `COMMAND INFO ${parent} returns nothing (renamed or removed)` };
  }
  const gate = GATES[command];
  if (gate && !isBefore7(facts)) {
    const s = setting(facts, gate);
    if (s?.value === 'no') return { available: false, note: `${gate} no` };
    if (s?.value === 'local') return { available: 'local', note: `${gate} local` };
  }
  if (renamed !== undefined) return { available: true, note: `${parent.toUpperCase()} is renamed (obscurity only)` };
  return { available: true };
}

/** The root rules end in full command access: a '+@all' with no removal after it. */
export function hasAllCommands(user: AclUser): boolean {
  const last = user.commandRules.lastIndexOf('+@all');
  return last >= 0 && user.commandRules.slice(last + 1).every((r) => r.startsWith('+'));
}

/** Key patterns that cover every key: '~*', '%RW~*', '%R~*', '%W~*' ('allkeys' arrives as '~*'). */
export const hasAllKeys = (user: AclUser): boolean => user.keyPatterns.some((p) => /^(%[RW]{1,2})?~\*$/i.test(p));

/** Inventory admins, else users named like an administrator. The default user is never an admin. */
export function isAdminUser(facts: Facts, user: AclUser): boolean {
  if (user.name === 'default') return false;
  const admins = facts.inventory?.adminUsers;
  if (admins) return admins.includes(user.name);
  return /admin|root|superuser|operator/i.test(user.name);
}

export const adminBasis = (facts: Facts): string =>
  facts.inventory?.adminUsers
    ? 'admins from the inventory'
    : 'admins by name (admin, root, superuser, operator), or as listed in the inventory';

/** The users an authorization check judges: DRYRUN-only users when ACL LIST was not available. */
export function usersToJudge(facts: Facts): UsersView | { unknown: string } {
  const view = resolveUsers(facts);
  if ('users' in view) return view;
  const dry = facts.dryRun;
  if (dry && Object.keys(dry).length > 0) {
    const users = Object.keys(dry).map((name): AclUser => {
      const user: AclUser = { ...newAclUser(name), enabled: true };
      dryRunOnly.add(user);
      return user;
    });
    return { users };
  }
  return view;
}

export interface Grant {
  user: AclUser;
  commands: string[];
}

export interface PermissionScan {
  /** Non-admin enabled users and the probed commands they may run (available ones only). */
  grants: Grant[];
  /** Non-admin users the audit could not answer for (DRYRUN-only users missing an answer). */
  undetermined: string[];
  judged: AclUser[];
  /** Enabled users left out as admins. */
  admins: string[];
  /** Commands that are unavailable on this server, with why. */
  unavailable: string[];
  /** Commands available only locally (enable-*-command local). */
  localOnly: string[];
  /** Commands that are renamed but still run under a secret name (why, never the name). */
  renamed: string[];
}

/**
 * For every enabled non-admin user (or those `include` selects), which of `commands` it may run, leaving out
 * commands nobody can run (disabled/absent). undefined result → use `unknown` from usersToJudge.
 */
export function scanPermissions(
  facts: Facts,
  commands: readonly string[],
  include: (user: AclUser) => boolean = (u) => !isAdminUser(facts, u),
): PermissionScan | { unknown: string } {
  const view = usersToJudge(facts);
  if ('unknown' in view) return view;
  const unavailable: string[] = [];
  const localOnly: string[] = [];
  const renamed: string[] = [];
  const runnable: string[] = [];
  for (const c of commands) {
    const a = commandAvailability(facts, c);
    if (a.available === false) unavailable.push(a.note ?? c);
    else {
      if (a.available === 'local') localOnly.push(c);
      else if (a.note) renamed.push(a.note);
      runnable.push(c);
    }
  }
  const grants: Grant[] = [];
  const undetermined: string[] = [];
  const judged = view.users.filter((u) => u.enabled && include(u));
  const admins = view.users.filter((u) => u.enabled && !include(u) && isAdminUser(facts, u)).map((u) => u.name);
  for (const user of judged) {
    const allowed: string[] = [];
    let missing = false;
    for (const c of runnable) {
      const may = userMayRun(facts, user, c);
      if (may === undefined) missing = true;
      else if (may) allowed.push(c);
    }
    if (allowed.length > 0) grants.push({ user, commands: allowed });
    else if (missing) undetermined.push(user.name);
  }
  return {
    grants,
    undetermined,
    judged,
    admins,
    unavailable: [...new Set(unavailable)],
    localOnly,
    renamed: [...new Set(renamed)],
  };
}

/** 'a, b, c and 4 more'. */
function shortList(items: readonly string[], max: number): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** "user 'app' may run config|set, flushall; user 'default' (+@all) may run flushall, keys and 20 more". */
export function describeGrants(grants: readonly Grant[], max = 5): string {
  const parts = grants
    .slice(0, max)
    .map((g) => `user '${g.user.name}'${hasAllCommands(g.user) ? ' (+@all)' : ''} may run ${shortList(g.commands, 6)}`);
  if (grants.length > max) parts.push(`${grants.length - max} more users`);
  return parts.join('; ');
}

/** Notes appended to evidence: unavailable and local-only commands, who counted as admin. */
export function scanNotes(facts: Facts, scan: PermissionScan): string {
  const notes: string[] = [];
  if (scan.unavailable.length > 0) notes.push(`not runnable here: ${scan.unavailable.join(', ')}`);
  if (scan.localOnly.length > 0) notes.push(`local connections only: ${scan.localOnly.join(', ')}`);
  if (scan.renamed.length > 0) notes.push(scan.renamed.join('; '));
  if (scan.undetermined.length > 0) notes.push(`not determined for ${listNames(scan.undetermined)}`);
  if (scan.admins.length > 0) {
    const how = facts.inventory?.adminUsers ? 'per the inventory' : 'by name';
    notes.push(`${listNames(scan.admins)} counted as admin ${how}`);
  }
  return notes.length > 0 ? ` (${notes.join('; ')})` : '';
}

/** The location to report for a user-based finding: the first granted user's ACL line, if it came from a file. */
export const grantLocation = (grants: readonly Grant[]) => grants.find((g) => g.user.location)?.user.location;

// ---------------------------------------------------------------------------------------------------------------
// Permission checks over non-admin users (RS016–RS018, RS022, RS024 in authorization; RS025, RS026 elsewhere)

function describeScanPass(facts: Facts, scan: PermissionScan, what: string): string {
  const judged = scan.judged.map((u) => u.name);
  if (judged.length === 0) return `no enabled non-admin user (${adminBasis(facts)})`;
  return `no non-admin user (${listNames(judged)}) may run ${what}${scanNotes(facts, scan)}`;
}

const SENTINEL =
  'a Sentinel runs its own small command set (no data commands, CONFIG SET, EVAL …): see RS050 and RS051';

/** fail / pass / unknown / skip (Sentinel) for "may a non-admin user run any of these commands". */
export function permissionResult(
  facts: Facts,
  commands: readonly string[],
  what: string,
  consequence: string,
  options: { include?: (u: AclUser) => boolean; filter?: (g: Grant) => Grant | undefined } = {},
): { result: CheckResult; grants: Grant[] } {
  if (isSentinel(facts)) return { result: skip(SENTINEL), grants: [] };
  const scan = scanPermissions(facts, commands, options.include);
  if ('unknown' in scan) return { result: unknown(scan.unknown), grants: [] };
  const grants = options.filter
    ? scan.grants.map(options.filter).filter((g): g is Grant => g !== undefined)
    : scan.grants;
  if (grants.length > 0) {
    return {
      result: fail(`${describeGrants(grants)}${consequence}${scanNotes(facts, scan)}`, grantLocation(grants)),
      grants,
    };
  }
  if (scan.undetermined.length > 0) {
    return {
      result: unknown(
        `could not determine whether ${listNames(scan.undetermined)} may run ${what} (no ACL DRYRUN answer)`,
      ),
      grants,
    };
  }
  return { result: pass(describeScanPass(facts, scan, what)), grants };
}
