/**
 * ACL user rules → AclUser, with Redis 7.0's semantics (`ACLSetUser` / `ACLSetSelector` in acl.c): from `ACL LIST`
 * lines, from an aclfile, and from `user` directives in redis.conf.
 *
 * The three sources differ, as they do in the server:
 * - an aclfile is split on single spaces, with no quoting; every non-blank line must start with `user` (lower
 *   case), so a `#` comment line is an error: Redis refuses to start (and ACL LOAD fails) on it. A file without
 *   a `user default` line leaves the default user `on nopass ~* &* +@all` — even when requirepass is set;
 * - a `user` directive in redis.conf is already split by the config parser (quotes allowed); `user default …`
 *   first resets the default user (dropping requirepass's password);
 * - an `ACL LIST` line is the normalised form the server prints.
 *
 * Rules are applied in order; `+@all`/`allcommands`, `-@all`/`nocommands` and `reset` replace every command rule
 * before them (so `-@dangerous +@all` is stored as `+@all`, exactly what it means). Command and category names
 * are not checked here — they depend on the server version; see `aclRuleProblems` in src/security/acl-eval.ts.
 * Selectors `(…)` are parsed into AclUser.selectors with the same rules; a selector whose quotes are unbalanced is
 * empty, as in Redis. Errors never contain a password or hash: a rule starting with > < # ! is shown as `>***`.
 */
import { createHash } from 'node:crypto';
import type { AclSelector, AclUser, SourceLocation } from './acl-user.ts';
import { asciiLower, asReadByFgets, configLines, splitConfArgs } from './redis-conf.ts';

/** A rule, user line or aclfile line Redis would refuse. `reason` is the message without the location. */
export class AclParseError extends Error {
  readonly reason: string;
  readonly file?: string;
  readonly line?: number;
  constructor(reason: string, location?: { file: string; line: number }) {
    super(location ? `${location.file}:${location.line}: ${reason}` : reason);
    this.name = 'AclParseError';
    this.reason = reason;
    if (location) {
      this.file = location.file;
      this.line = location.line;
    }
  }
}

export interface AclRuleOptions {
  /**
   * `acl-pubsub-default`: the channels a new user (or selector) starts with. 7.0's default is 'resetchannels'
   * (none); 'allchannels' gives `&*`.
   */
  aclPubsubDefault?: 'resetchannels' | 'allchannels';
}

/** SHA-256 hex of a password, as `>password` stores it and `ACL LIST` prints it (`#<hash>`). */
export function aclPasswordHash(password: string): string {
  return createHash('sha256').update(password, 'utf8').digest('hex');
}

// ---------------------------------------------------------------------------------------------------------------
// The user as Redis holds it while rules are applied.

const READ = 1;
const WRITE = 2;

interface SelectorState {
  allKeys: boolean;
  keys: Array<{ pattern: string; flags: number }>;
  allChannels: boolean;
  channels: string[];
  commandRules: string[];
}

interface UserState {
  name: string;
  enabled: boolean;
  nopass: boolean;
  skipSanitizePayload: boolean;
  hashes: string[];
  /** hash → plaintext, for passwords given as >password. */
  plaintexts: Map<string, string>;
  root: SelectorState;
  selectors: SelectorState[];
}

function newSelector(options: AclRuleOptions): SelectorState {
  const all = options.aclPubsubDefault === 'allchannels';
  return { allKeys: false, keys: [], allChannels: all, channels: [], commandRules: [] };
}

function renderKey(k: { pattern: string; flags: number }): string {
  if (k.flags === (READ | WRITE)) return `~${k.pattern}`;
  return `${k.flags === READ ? '%R' : '%W'}~${k.pattern}`;
}

function selectorOut(s: SelectorState): AclSelector {
  return {
    keyPatterns: s.allKeys ? ['~*'] : s.keys.map(renderKey),
    channelPatterns: s.allChannels ? ['*'] : [...s.channels],
    commandRules: [...s.commandRules],
  };
}

function selectorIn(s: AclSelector): SelectorState {
  const out: SelectorState = { allKeys: false, keys: [], allChannels: false, channels: [], commandRules: [] };
  for (const k of s.keyPatterns) {
    if (k === '~*' || k === 'allkeys') {
      out.allKeys = true;
      out.keys = [];
      continue;
    }
    const m = /^(?:%([RW]{1,2})~|~)(.*)$/is.exec(k);
    if (!m) continue;
    const flags = m[1] ? (/r/i.test(m[1]) ? READ : 0) | (/w/i.test(m[1]) ? WRITE : 0) : READ | WRITE;
    const existing = out.keys.find((e) => e.pattern === m[2]);
    if (existing) existing.flags |= flags;
    else out.keys.push({ pattern: m[2], flags });
  }
  if (s.channelPatterns.includes('*')) out.allChannels = true;
  else out.channels = [...s.channelPatterns];
  out.commandRules = [...s.commandRules];
  return out;
}

function userOut(u: UserState, extra: Pick<AclUser, 'origin' | 'location'>): AclUser {
  const root = selectorOut(u.root);
  const user: AclUser = {
    name: u.name,
    enabled: u.enabled,
    nopass: u.nopass,
    passwordHashes: [...u.hashes],
    plaintextPasswords: u.hashes.filter((h) => u.plaintexts.has(h)).map((h) => u.plaintexts.get(h) as string),
    keyPatterns: root.keyPatterns,
    channelPatterns: root.channelPatterns,
    commandRules: root.commandRules,
  };
  if (u.selectors.length > 0) user.selectors = u.selectors.map(selectorOut);
  if (u.skipSanitizePayload) user.skipSanitizePayload = true;
  if (extra.origin) user.origin = extra.origin;
  if (extra.location) user.location = extra.location;
  return user;
}

function userIn(user: AclUser): UserState {
  const plaintexts = new Map<string, string>();
  for (const p of user.plaintextPasswords) plaintexts.set(aclPasswordHash(p), p);
  return {
    name: user.name,
    enabled: user.enabled,
    nopass: user.nopass,
    skipSanitizePayload: user.skipSanitizePayload === true,
    hashes: [...user.passwordHashes],
    plaintexts,
    root: selectorIn(user),
    selectors: (user.selectors ?? []).map(selectorIn),
  };
}

function newUserState(name: string, options: AclRuleOptions): UserState {
  return {
    name,
    enabled: false,
    nopass: false,
    skipSanitizePayload: false,
    hashes: [],
    plaintexts: new Map(),
    root: newSelector(options),
    selectors: [],
  };
}

/** A user as `ACL SETUSER name` (or an aclfile line with no rules) creates it: off, no password, no permissions. */
export function newAclUser(name: string, options: AclRuleOptions = {}): AclUser {
  return userOut(newUserState(name, options), {});
}

/** The default user Redis creates when nothing defines it: `user default on nopass ~* &* +@all`. */
export function builtinDefaultUser(): AclUser {
  return {
    name: 'default',
    enabled: true,
    nopass: true,
    passwordHashes: [],
    plaintextPasswords: [],
    keyPatterns: ['~*'],
    channelPatterns: ['*'],
    commandRules: ['+@all'],
    origin: 'builtin',
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Applying rules.

/** A rule as it may appear in an error: never a password or a hash. */
export function printableRule(op: string): string {
  return /^[><#!]/.test(op) ? `${op[0]}***` : op;
}

function ruleError(op: string, why: string): AclParseError {
  return new AclParseError(`Error in ACL rule '${printableRule(op)}': ${why}`);
}

const SYNTAX = 'Syntax error';
const KEYS_AFTER_ALL =
  "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns";
const CHANNELS_AFTER_ALL =
  "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels";
const BAD_HASH = 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters';

/** isspace() in the C locale, or NUL: not allowed in key/channel patterns and user names. */
function hasSpaces(s: string): boolean {
  return /[\t\n\v\f\r \0]/.test(s);
}

/** ACLSetSelector: key, channel and command rules. */
function applySelectorRule(s: SelectorState, op: string): void {
  const lower = asciiLower(op);
  if (lower === 'allkeys' || op === '~*') {
    s.allKeys = true;
    s.keys = [];
  } else if (lower === 'resetkeys') {
    s.allKeys = false;
    s.keys = [];
  } else if (lower === 'allchannels' || op === '&*') {
    s.allChannels = true;
    s.channels = [];
  } else if (lower === 'resetchannels') {
    s.allChannels = false;
    s.channels = [];
  } else if (lower === 'allcommands' || lower === '+@all') {
    s.commandRules = ['+@all'];
  } else if (lower === 'nocommands' || lower === '-@all') {
    s.commandRules = ['-@all'];
  } else if (op[0] === '~' || op[0] === '%') {
    if (s.allKeys) throw ruleError(op, KEYS_AFTER_ALL);
    let flags = 0;
    let offset = 1;
    if (op[0] === '%') {
      for (; offset < op.length; offset++) {
        const c = op[offset].toUpperCase();
        if (c === 'R' && !(flags & READ)) flags |= READ;
        else if (c === 'W' && !(flags & WRITE)) flags |= WRITE;
        // 7.0.15 accepted '%~k' (no R/W) and then crashed on ACL LIST (CVE-2024-31227); the fix, which Debian's
        // 7.0.15 carries, refuses it.
        else if (op[offset] === '~' && flags) {
          offset++;
          break;
        } else throw ruleError(op, SYNTAX);
      }
    } else {
      flags = READ | WRITE;
    }
    const pattern = op.slice(offset);
    if (hasSpaces(pattern)) throw ruleError(op, SYNTAX);
    const existing = s.keys.find((k) => k.pattern === pattern);
    if (existing) existing.flags |= flags;
    else s.keys.push({ pattern, flags });
  } else if (op[0] === '&') {
    if (s.allChannels) throw ruleError(op, CHANNELS_AFTER_ALL);
    const pattern = op.slice(1);
    if (hasSpaces(pattern)) throw ruleError(op, SYNTAX);
    if (!s.channels.includes(pattern)) s.channels.push(pattern);
  } else if ((op[0] === '+' || op[0] === '-') && op.length > 1) {
    const name = op.slice(1);
    if (op[1] !== '@' && op[0] === '+' && name.includes('|')) {
      const cut = name.lastIndexOf('|');
      const sub = name.slice(cut + 1);
      // `+a|b|c`: 'a|b' is a subcommand (first args of subcommands are refused) or unknown — an error either way.
      if (name.slice(0, cut).includes('|')) throw ruleError(op, 'Allowing first-arg of a subcommand is not supported');
      if (sub === '' || name.slice(0, cut) === '') throw ruleError(op, SYNTAX);
    }
    s.commandRules.push(lower);
  } else {
    throw ruleError(op, op === '+' || op === '-' ? 'Unknown command or category name in ACL' : SYNTAX);
  }
}

/** The arguments of `(…)`: split like sdssplitargs; unbalanced quotes give an empty selector, as in Redis. */
function selectorFromOpSet(op: string, options: AclRuleOptions): SelectorState {
  const s = newSelector(options);
  const args = splitConfArgs(op.slice(1, -1)) ?? [];
  for (const a of args) {
    if (a === '') continue;
    applySelectorRule(s, a);
  }
  return s;
}

/** ACLSetUser: one rule. */
function applyUserRule(u: UserState, op: string, options: AclRuleOptions): void {
  if (op === '') return;
  const lower = asciiLower(op);
  if (lower === 'on') u.enabled = true;
  else if (lower === 'off') u.enabled = false;
  else if (lower === 'skip-sanitize-payload') u.skipSanitizePayload = true;
  else if (lower === 'sanitize-payload') u.skipSanitizePayload = false;
  else if (lower === 'nopass') {
    u.nopass = true;
    u.hashes = [];
    u.plaintexts.clear();
  } else if (lower === 'resetpass') {
    u.nopass = false;
    u.hashes = [];
    u.plaintexts.clear();
  } else if (op[0] === '>' || op[0] === '#') {
    let hash: string;
    if (op[0] === '>') {
      hash = aclPasswordHash(op.slice(1));
      u.plaintexts.set(hash, op.slice(1));
    } else {
      hash = op.slice(1);
      if (!/^[0-9a-f]{64}$/.test(hash)) throw ruleError(op, BAD_HASH);
    }
    if (!u.hashes.includes(hash)) u.hashes.push(hash);
    u.nopass = false;
  } else if (op[0] === '<' || op[0] === '!') {
    const hash = op[0] === '<' ? aclPasswordHash(op.slice(1)) : op.slice(1);
    if (op[0] === '!' && !/^[0-9a-f]{64}$/.test(hash)) throw ruleError(op, BAD_HASH);
    if (!u.hashes.includes(hash))
      throw ruleError(op, 'The password you are trying to remove from the user does not exist');
    u.hashes = u.hashes.filter((h) => h !== hash);
    u.plaintexts.delete(hash);
  } else if (op[0] === '(' && op[op.length - 1] === ')' && op.length >= 2) {
    u.selectors.push(selectorFromOpSet(op, options));
  } else if (lower === 'clearselectors') {
    u.selectors = [];
  } else if (lower === 'reset') {
    u.nopass = false;
    u.hashes = [];
    u.plaintexts.clear();
    u.root = newSelector(options);
    u.root.commandRules = ['-@all'];
    u.enabled = false;
    u.skipSanitizePayload = false;
    u.selectors = [];
  } else {
    applySelectorRule(u.root, op);
  }
}

/**
 * ACLMergeSelectorArguments: joins `(~a` `+get)` into one `(~a +get)` argument. Throws for a selector that is
 * never closed.
 */
export function mergeSelectorArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  let open: string | undefined;
  let openedAt = '';
  for (const op of args) {
    if (open === undefined && op[0] === '(' && op[op.length - 1] !== ')') {
      open = op;
      openedAt = op;
      continue;
    }
    if (open !== undefined) {
      open = `${open} ${op}`;
      if (op.length > 0 && op[op.length - 1] === ')') {
        out.push(open);
        open = undefined;
      }
      continue;
    }
    out.push(op);
  }
  if (open !== undefined)
    throw new AclParseError(`Unmatched parenthesis in acl selector starting at '${printableRule(openedAt)}'`);
  return out;
}

/**
 * Applies rules (one per element, as `ACL SETUSER` takes them) to a user, in order, and returns the result. Throws
 * AclParseError for the first rule Redis would refuse. `user` is not modified.
 */
export function applyAclRules(user: AclUser, rules: readonly string[], options: AclRuleOptions = {}): AclUser {
  return applyMergedRules(user, mergeSelectorArgs(rules), options);
}

/** applyAclRules for rules whose selectors are already merged into single arguments. */
function applyMergedRules(user: AclUser, ops: readonly string[], options: AclRuleOptions): AclUser {
  const state = userIn(user);
  for (const op of ops) applyUserRule(state, op, options);
  return userOut(state, { origin: user.origin, location: user.location });
}

function withLocation(err: unknown, location: SourceLocation): AclParseError {
  if (err instanceof AclParseError) return new AclParseError(err.reason, location);
  return new AclParseError(`cannot read the user: ${String(err)}`, location);
}

// ---------------------------------------------------------------------------------------------------------------
// Sources.

/**
 * One `ACL LIST` line → AclUser: `user default on nopass sanitize-payload ~* &* +@all`, passwords as `#<sha256>`,
 * selectors as `(…)`.
 */
export function parseAclListLine(line: string): AclUser {
  const parts = line.trim().split(' ');
  if (parts[0] !== 'user' || parts.length < 2 || parts[1] === '')
    throw new AclParseError('an ACL LIST line starts with "user <name>"');
  const rules = parts.slice(2).filter((p) => p !== '');
  const base = { ...newAclUser(parts[1]), origin: 'acl-list' as const };
  return applyAclRules(base, rules);
}

/** An `ACL LIST` reply (one line per user) → users. */
export function parseAclList(lines: readonly string[]): AclUser[] {
  return lines.map((l) => parseAclListLine(String(l)));
}

/**
 * An aclfile → its users, as ACLLoadFromFile reads it: lines split on single spaces (no quotes), each rule trimmed
 * of tabs and CR/LF, blank lines skipped, every other line `user <name> rules…`. When the file has no `user
 * default` line the default user is Redis's built-in one (`on nopass ~* &* +@all`, origin 'builtin'), first in the
 * list. Throws AclParseError with the file and line of the first line Redis would refuse.
 */
export function parseAclFile(
  text: string | Buffer,
  options: { file: string } & AclRuleOptions,
): { users: AclUser[]; implicitDefault: boolean } {
  const file = options.file;
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  // fgets(buf, 1024): 1023 bytes at a time.
  const lines = configLines(asReadByFgets(bytes, 1023));
  const users: AclUser[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].length === 0) continue;
    const location = { file, line: i + 1 };
    const argv = lines[i].toString('utf8').split(' ');
    if (argv[0] !== 'user' || argv.length < 2) {
      const hint = argv[0].startsWith('#')
        ? ': Redis does not allow comments in an ACL file (it refuses to start, and ACL LOAD fails); remove the line'
        : argv[0].toLowerCase() === 'user'
          ? ' (the keyword is case-sensitive: write "user" in lower case)'
          : '';
      throw new AclParseError(`the line should start with "user" followed by the username${hint}`, location);
    }
    const name = argv[1];
    if (hasSpaces(name)) throw new AclParseError(`the username '${name}' contains invalid characters`, location);
    if (users.some((u) => u.name === name))
      throw new AclParseError(`duplicate user '${name}': a user can only be defined once`, location);
    try {
      const rules = mergeSelectorArgs(argv.slice(2)).map((r) => r.replace(/^[\t\r\n]+|[\t\r\n]+$/g, ''));
      users.push(applyMergedRules({ ...newAclUser(name, options), origin: 'aclfile', location }, rules, options));
    } catch (err) {
      throw withLocation(err, location);
    }
  }
  const implicitDefault = !users.some((u) => u.name === 'default');
  if (implicitDefault) users.unshift(builtinDefaultUser());
  return { users, implicitDefault };
}

/**
 * The users a redis.conf defines with `user` directives (each `args` = [name, ...rules], as the config parser
 * split them), applied the way the server does at startup: `user default …` resets the default user first; any
 * other name starts from a new user. Duplicate names are an error. Throws AclParseError with the directive's
 * location. `requirepass` is the file's requirepass (applied to the default user before the `user` lines).
 */
export function usersFromConfigDirectives(
  directives: ReadonlyArray<{ args: readonly string[]; location: SourceLocation }>,
  options: AclRuleOptions & { requirepass?: string } = {},
): AclUser[] {
  const users: AclUser[] = [];
  const seen = new Set<string>();
  for (const d of directives) {
    const [name, ...rules] = d.args;
    if (name === undefined) continue;
    if (seen.has(name))
      throw new AclParseError(
        `Error in user declaration '${name}': Duplicate user found. A user can only be defined once in config files`,
        d.location,
      );
    seen.add(name);
    if (hasSpaces(name)) throw new AclParseError('Spaces not allowed in ACL usernames', d.location);
    const base: AclUser = { ...newAclUser(name, options), origin: 'config', location: d.location };
    try {
      // The default user exists already: ACLLoadConfiguredUsers resets it before applying the line.
      const start = name === 'default' ? applyAclRules(base, ['reset'], options) : base;
      users.push(applyAclRules(start, rules, options));
    } catch (err) {
      throw withLocation(err, d.location);
    }
  }
  if (!seen.has('default')) users.unshift(defaultUserFromRequirepass(options.requirepass));
  return users;
}

/**
 * The default user of a server with no aclfile and no `user default` line: Redis's built-in one, with
 * requirepass's password when it is set (origin 'requirepass').
 */
export function defaultUserFromRequirepass(requirepass: string | undefined): AclUser {
  const user = builtinDefaultUser();
  if (requirepass === undefined || requirepass === '') return user;
  return {
    ...user,
    nopass: false,
    passwordHashes: [aclPasswordHash(requirepass)],
    plaintextPasswords: [requirepass],
    origin: 'requirepass',
  };
}
