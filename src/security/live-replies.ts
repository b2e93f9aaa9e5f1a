/**
 * Pure functions from a live server's replies (INFO, CONFIG GET, COMMAND INFO, MODULE LIST) to Facts parts.
 */
import { createHash } from 'node:crypto';
import type { AclUser } from '../redis/acl-user.ts';
import { parseErrorStat } from '../redis/info-fields.ts';
import type { ConfigFacts, ServerFacts } from './facts.ts';
import { CONFIG_FROM_INFO, REDACTED, SECRET_CONFIG_KEYS } from './live-commands.ts';

export function emptyConfigFacts(): ConfigFacts {
  return { values: {}, locations: {}, directives: [], renamedCommands: {} };
}

/** INFO server fields → ServerFacts; undefined when INFO has no redis_version. */
export function serverFactsFromInfo(info: ReadonlyMap<string, string>): ServerFacts | undefined {
  const version = info.get('redis_version');
  if (!version) return undefined;
  const num = (field: string) => {
    const v = info.get(field);
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
  };
  const gitSha1 = info.get('redis_git_sha1');
  const server: ServerFacts = {
    version,
    gitSha1,
    buildId: info.get('redis_build_id'),
    mode: info.get('redis_mode') ?? info.get('server_mode'),
    os: info.get('os'),
    processId: num('process_id'),
    supervised: info.get('process_supervised'),
    executable: info.get('executable') || undefined,
    configFile: info.get('config_file') || undefined,
    tcpPort: num('tcp_port'),
    // Distro packages build from a tarball, so the sha is all zeros, and carry backported fixes without a new
    // version; a source tarball build looks the same, so this is a "may be", which is what the checks need.
    distroBuild: gitSha1 !== undefined && /^0+$/.test(gitSha1),
  };
  const valkey = info.get('valkey_version');
  if (valkey) server.valkeyVersion = valkey;
  for (const k of Object.keys(server) as Array<keyof ServerFacts>) if (server[k] === undefined) delete server[k];
  return server;
}

/** `errorstat_WRONGPASS:count=3` fields → { WRONGPASS: 3 }. */
export function errorstatsFromInfo(info: ReadonlyMap<string, string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of info) {
    const e = parseErrorStat(k, v);
    if (e) out[e.err] = e.count;
  }
  return out;
}

/** INFO modules lines (`module:name=x,ver=1,…`) → modules; the fallback when MODULE LIST is not permitted. */
export function modulesFromInfo(infoText: string): Array<{ name: string; version: string }> {
  const out: Array<{ name: string; version: string }> = [];
  for (const line of infoText.split(/\r?\n/)) {
    if (!line.startsWith('module:')) continue;
    const kv = new Map(
      line
        .slice('module:'.length)
        .split(',')
        .map((p) => p.split('=', 2) as [string, string]),
    );
    const name = kv.get('name');
    if (name) out.push({ name, version: kv.get('ver') ?? '' });
  }
  return out;
}

function pairs(value: unknown): Map<string, unknown> {
  const m = new Map<string, unknown>();
  if (Array.isArray(value)) for (let i = 0; i + 1 < value.length; i += 2) m.set(String(value[i]), value[i + 1]);
  return m;
}

/** `MODULE LIST` reply (RESP2: a flat name/ver/path/args list per module) → modules. */
export function parseModuleList(reply: unknown): Array<{ name: string; version: string }> {
  if (!Array.isArray(reply)) return [];
  return reply
    .map((m) => pairs(m))
    .filter((m) => m.has('name'))
    .map((m) => ({ name: String(m.get('name')), version: String(m.get('ver') ?? '') }));
}

/** `COMMAND INFO a b c` reply → { a: true, b: false (nil: renamed away or missing), … }. */
export function commandPresence(names: readonly string[], reply: unknown): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  if (!Array.isArray(reply)) return out;
  names.forEach((name, i) => {
    out[name] = reply[i] !== null && reply[i] !== undefined;
  });
  return out;
}

/**
 * CONFIG GET replies → values, with every secret parameter replaced by REDACTED (or '' when unset). The plaintext
 * requirepass is returned separately, for the default user only.
 */
export function configValuesFromReplies(replies: unknown[]): { values: Record<string, string>; requirepass?: string } {
  const values: Record<string, string> = {};
  let requirepass: string | undefined;
  for (const r of replies) {
    for (const [k, v] of pairs(r)) {
      const name = k.toLowerCase();
      const value = String(v);
      if (SECRET_CONFIG_KEYS.has(name)) {
        values[name] = value === '' ? '' : REDACTED;
        if (name === 'requirepass' && value !== '') requirepass = value;
      } else values[name] = value;
    }
  }
  return { values, requirepass };
}

/** The parameters INFO can stand in for (see CONFIG_FROM_INFO), for a server whose CONFIG is unavailable. */
export function configFromInfo(info: ReadonlyMap<string, string>): ConfigFacts {
  const config = emptyConfigFacts();
  config.derivedFromInfo = [];
  for (const { param, field, map } of CONFIG_FROM_INFO) {
    const v = info.get(field);
    if (v === undefined) continue;
    config.values[param] = map ? map(v) : v;
    config.derivedFromInfo.push(param);
  }
  return config;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/**
 * Gives the default user the plaintext requirepass when it is still one of its passwords (`ACL SETUSER default`
 * may have replaced it since; CONFIG GET requirepass then shows a stale value). Returns whether it was added.
 */
export function attachRequirepass(users: AclUser[], requirepass: string): boolean {
  const def = users.find((u) => u.name === 'default');
  if (!def?.passwordHashes.includes(sha256(requirepass))) return false;
  if (!def.plaintextPasswords.includes(requirepass)) def.plaintextPasswords.push(requirepass);
  return true;
}

/** Before Redis 6 there are no ACLs: one implicit default user, its password requirepass, all commands. */
export function preAclDefaultUser(requirepass: string | undefined): AclUser {
  return {
    name: 'default',
    enabled: true,
    nopass: !requirepass,
    passwordHashes: requirepass ? [sha256(requirepass)] : [],
    plaintextPasswords: requirepass ? [requirepass] : [],
    keyPatterns: ['~*'],
    channelPatterns: ['*'],
    commandRules: ['+@all'],
  };
}
