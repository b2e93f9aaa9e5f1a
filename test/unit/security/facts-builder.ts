/**
 * Concise, hand-built Facts for security check tests: `fileFacts({ config: { bind: '0.0.0.0' } })`,
 * `liveFacts({ users: [user('default on nopass ~* &* +@all')] })`. Only what a test states is present; everything
 * else stays absent, as it would be when it could not be observed.
 */
import { createHash } from 'node:crypto';
import { newAclUser } from '../../../src/redis/acl-rules.ts';
import type { AclUser, SourceLocation } from '../../../src/redis/acl-user.ts';
import type { Check, CheckResult } from '../../../src/security/check.ts';
import type { ConfigFacts, Facts, ServerFacts } from '../../../src/security/facts.ts';

export const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

/** Facts with nothing observed but what `parts` gives. */
export function facts(parts: Partial<Facts> = {}): Facts {
  return { files: [], live: false, unobserved: {}, ...parts };
}

/**
 * An ACL user from a rule line as in an ACL file or ACL LIST, with or without the leading 'user':
 * `user('app on >secret ~app:* -@all +get')`. '>pw' gives a plaintext and its hash, '#hex' a hash only.
 */
export function user(line: string, location?: SourceLocation): AclUser {
  const tokens = line.trim().split(/\s+/);
  if (tokens[0] === 'user') tokens.shift();
  const [name, ...rules] = tokens;
  const u = newAclUser(name);
  for (const t of rules) {
    const lower = t.toLowerCase();
    if (lower === 'on') u.enabled = true;
    else if (lower === 'off') u.enabled = false;
    else if (lower === 'nopass') {
      u.nopass = true;
      u.passwordHashes = [];
      u.plaintextPasswords = [];
    } else if (lower === 'resetpass') {
      u.nopass = false;
      u.passwordHashes = [];
      u.plaintextPasswords = [];
    } else if (t.startsWith('>')) {
      u.plaintextPasswords.push(t.slice(1));
      u.passwordHashes.push(sha256(t.slice(1)));
    } else if (t.startsWith('#')) u.passwordHashes.push(t.slice(1).toLowerCase());
    else if (t.startsWith('~') || t.startsWith('%')) u.keyPatterns.push(t);
    else if (lower === 'allkeys') u.keyPatterns.push('~*');
    else if (lower === 'resetkeys') u.keyPatterns = [];
    else if (t.startsWith('&')) u.channelPatterns.push(t.slice(1));
    else if (lower === 'allchannels') u.channelPatterns = ['*'];
    else if (lower === 'resetchannels') u.channelPatterns = [];
    else if (lower === 'allcommands') u.commandRules.push('+@all');
    else if (lower === 'nocommands') u.commandRules.push('-@all');
    else if (t.startsWith('+') || t.startsWith('-')) u.commandRules.push(lower);
    else throw new Error(`facts-builder: unknown ACL rule '${t}'`);
  }
  if (location) u.location = location;
  return u;
}

/** Users from an ACL file's lines, each located at its line. */
export function aclFile(file: string, lines: string[]): AclUser[] {
  return lines.map((l, i) => user(l, { file, line: i + 1 }));
}

export interface FileConfigOptions {
  file?: string;
  /** rename-command lines: original → new name ('' disables). */
  renamed?: Record<string, string>;
  /** Extra directives (e.g. loadmodule), appended after the values. */
  directives?: Array<{ name: string; args: string[] }>;
}

/** A redis.conf as ConfigFacts: one directive per value, on consecutive lines from 1, in the order given. */
export function fileConfig(values: Record<string, string>, opts: FileConfigOptions = {}): ConfigFacts {
  const file = opts.file ?? 'redis.conf';
  const config: ConfigFacts = { values: {}, locations: {}, directives: [], renamedCommands: {} };
  let line = 0;
  for (const [name, value] of Object.entries(values)) {
    const location = { file, line: ++line };
    config.values[name] = value;
    config.locations[name] = location;
    config.directives.push({ name, args: value === '' ? [] : value.split(/\s+/), location });
  }
  for (const [orig, to] of Object.entries(opts.renamed ?? {})) {
    const location = { file, line: ++line };
    config.renamedCommands[orig.toLowerCase()] = to;
    config.directives.push({ name: 'rename-command', args: [orig, to === '' ? '""' : to], location });
  }
  for (const d of opts.directives ?? []) config.directives.push({ ...d, location: { file, line: ++line } });
  return config;
}

/** CONFIG GET results as ConfigFacts: values only (no file locations). */
export function liveConfig(values: Record<string, string>): ConfigFacts {
  return { values: { ...values }, locations: {}, directives: [], renamedCommands: {} };
}

/** Config values by name, or ready-made ConfigFacts (so a `Partial<Facts>` can be passed through). */
export type ConfigInput = Record<string, string> | ConfigFacts;

const isConfigFacts = (c: ConfigInput): c is ConfigFacts =>
  typeof (c as ConfigFacts).values === 'object' && typeof (c as ConfigFacts).locations === 'object';

/** Facts from files only: a redis.conf (and users from `user` lines or an ACL file). */
export function fileFacts(
  parts: { config?: ConfigInput; users?: AclUser[]; options?: FileConfigOptions } & Partial<
    Omit<Facts, 'config' | 'users'>
  > = {},
): Facts {
  const { config, users, options, ...rest } = parts;
  const file = options?.file ?? 'redis.conf';
  const f = facts({ files: [file], live: false, ...rest });
  f.config = config && isConfigFacts(config) ? config : fileConfig(config ?? {}, options);
  if (users) f.users = users;
  return f;
}

export function server(version: string, more: Partial<ServerFacts> = {}): ServerFacts {
  return {
    version,
    mode: 'standalone',
    os: 'Linux 6.1.0-18-amd64 x86_64',
    distroBuild: false,
    gitSha1: 'a1b2c3d4',
    ...more,
  };
}

/** Facts from a live server: CONFIG GET values (or absent), ACL LIST users (or absent), version 7.0.15 by default. */
export function liveFacts(
  parts: { config?: ConfigInput; users?: AclUser[] } & Partial<Omit<Facts, 'config' | 'users'>> = {},
): Facts {
  const { config, users, ...rest } = parts;
  const f = facts({ live: true, target: 'redis://10.0.0.5:6379', server: server('7.0.15'), ...rest });
  if (config) f.config = isConfigFacts(config) ? config : liveConfig(config);
  if (users) f.users = users;
  return f;
}

/** A full-rights, password-less default user, as a server without configuration has it. */
export const OPEN_DEFAULT = 'default on nopass ~* &* +@all';

/** Facts from a live server whose ACL LIST gave these rule lines. */
export const liveWith = (...lines: string[]): Facts => liveFacts({ users: lines.map((l) => user(l)) });

/** The password of the hardened users (`hardened()`): a strong one, which no evidence may show. */
export const PW = 'c0a1e4f9b27d8e6a5f3c1b0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f';

/** What the audit records when CONFIG GET is denied to its user. */
export const CONFIG_FORBIDDEN = { config: 'CONFIG is not permitted for this user (NOPERM)' };
/** What the audit records when ACL LIST is denied to its user. */
export const USERS_FORBIDDEN = { users: 'ACL LIST is not permitted for this user (NOPERM)' };
/** Listening on a unix socket only: no TCP port, plain or TLS. */
export const UNIX_ONLY = { port: '0', 'tls-port': '0', unixsocket: '/run/redis/redis.sock' };

/**
 * Every secret the facts hold: plaintext passwords and their hashes, requirepass/masterauth values and the new
 * names of renamed commands. Evidence must contain none of them.
 */
export function secretsIn(f: Facts): string[] {
  const out = new Set<string>();
  for (const u of f.users ?? []) {
    for (const p of u.plaintextPasswords) out.add(p);
    for (const h of u.passwordHashes) out.add(h);
  }
  for (const key of ['requirepass', 'masterauth']) {
    const v = f.config?.values[key];
    if (v && v !== '<redacted>') {
      out.add(v);
      out.add(sha256(v));
    }
  }
  for (const to of Object.values(f.config?.renamedCommands ?? {})) if (to !== '') out.add(to);
  // "password equals the username" necessarily names it; a user name is never treated as a secret.
  for (const u of f.users ?? []) out.delete(u.name);
  return [...out].filter((s) => s.length >= 3);
}

/** Fails when a result's evidence contains any secret of the facts (or any of `extra`). */
export function assertNoSecret(result: { evidence: string }, f: Facts, ...extra: string[]): void {
  for (const secret of [...secretsIn(f), ...extra]) {
    if (result.evidence.includes(secret)) {
      throw new Error(`evidence contains a secret (${secret.length} chars): ${result.evidence}`);
    }
    // A hash prefix (as in '#1b58ee37…') is as telling as the whole.
    if (/^[0-9a-f]{64}$/.test(secret) && result.evidence.includes(secret.slice(0, 12))) {
      throw new Error(`evidence contains a hash prefix: ${result.evidence}`);
    }
  }
}

/**
 * Evaluates a check and fails when its evidence holds a secret of the facts, PW or its hash, or any of `extra`.
 */
export function run(check: Check, f: Facts, ...extra: string[]): CheckResult {
  const r = check.evaluate(f);
  assertNoSecret(r, f, PW, sha256(PW), ...extra);
  return r;
}

/** The users.acl `redoubt harden` writes (research §10), every password `pw`: no high or critical finding. */
export function hardenedUsers(pw: string): AclUser[] {
  return aclFile('users.acl', [
    'user default off resetchannels -@all',
    `user admin on >${pw} ~* &* +@all`,
    `user app on >${pw} ~app:* &app:* -@all +@read +@write +@connection -@dangerous -@scripting -@hyperloglog`,
    `user backup on >${pw} resetkeys -@all +psync +replconf +ping`,
    `user exporter on >${pw} resetkeys resetchannels -@all +ping +info +config|get +client|list +slowlog|get +latency|latest`,
    `user auditor on >${pw} resetchannels -@all +ping +hello +info +config|get +acl|list +acl|getuser +acl|users +acl|log +command|info +command|count +client|list +module|list`,
  ]);
}

/** A file audit of the hardened users.acl (aclfile set, nothing else). */
export const hardenedAclFacts = (pw: string): Facts =>
  fileFacts({ config: { aclfile: 'users.acl' }, users: hardenedUsers(pw) });

/** The file audit of the hardened users.acl, every password PW. */
export const hardened = (): Facts => hardenedAclFacts(PW);
