import type { RedisConnection } from '../redis/connection.ts';
import { infoField } from '../redis/info-field.ts';
import { makeTarget, type RedisTarget } from '../redis/target.ts';
import { passwordHash } from './new-password.ts';

/**
 * What rotate needs to know about one server before it changes anything, read with commands that change nothing.
 * Reading fails only when the server cannot be reached at all; a command that is refused is recorded as a problem
 * for preconditions.ts to explain.
 */
export interface ServerFacts {
  display: string;
  version: string;
  whoami: string;
  role: 'master' | 'replica';
  /** Replicas the master reports (ip, port), to warn about the ones not given. */
  replicas: Array<{ host: string; port: number }>;
  /** The user's state: undefined when ACL GETUSER says it does not exist. */
  user?: { enabled: boolean; nopass: boolean; hashes: string[] };
  /** Why ACL GETUSER / CONFIG GET could not be read ('' when they could). */
  aclError: string;
  configError: string;
  /** Why `ACL SETUSER <user>` (no rules: changes nothing) was refused ('' when it was not). */
  setUserError: string;
  /** Why ACL DRYRUN says CONFIG SET is refused ('' when allowed, or when DRYRUN itself cannot tell). */
  configSetError: string;
  aclfile: string;
  configFile: string;
  /** requirepass is set (the default user's password comes from it). */
  requirepass: boolean;
  masteruser: string;
  /** SHA-256 of masterauth ('' when unset): compared with the old password's hash, never printed. */
  masterauthHash: string;
  /** masterauth itself, kept in memory only to put it back on a rollback. */
  masterauthForRollback: string;
  /** INFO stats acl_access_denied_auth (Redis 7.2+), undefined before. */
  deniedAuth?: number;
}

function message(err: unknown): string {
  return (err as Error)?.message ?? String(err);
}

/** ACL GETUSER's flat [name, value, …] reply as the fields rotate uses. */
export function parseGetUser(reply: unknown): ServerFacts['user'] {
  if (!Array.isArray(reply)) return undefined;
  const fields = new Map<string, unknown>();
  for (let i = 0; i + 1 < reply.length && i < 64; i += 2) fields.set(String(reply[i]), reply[i + 1]);
  const flags = Array.isArray(fields.get('flags')) ? (fields.get('flags') as unknown[]).map(String) : [];
  const passwords = Array.isArray(fields.get('passwords')) ? (fields.get('passwords') as unknown[]) : [];
  return {
    enabled: flags.includes('on'),
    nopass: flags.includes('nopass'),
    hashes: passwords.map(String).filter((h) => /^[0-9a-f]{64}$/.test(h)),
  };
}

function configMap(reply: unknown): Map<string, string> {
  const m = new Map<string, string>();
  if (Array.isArray(reply)) for (let i = 0; i + 1 < reply.length; i += 2) m.set(String(reply[i]), String(reply[i + 1]));
  return m;
}

function replicasOf(info: string): ServerFacts['replicas'] {
  const out: ServerFacts['replicas'] = [];
  for (const line of info.split('\n')) {
    const m = /^slave\d+:ip=([^,]*),port=(\d+)/.exec(line.trim());
    if (m && out.length < 64) out.push({ host: m[1], port: Number(m[2]) });
  }
  return out;
}

export async function readServerFacts(conn: RedisConnection, user: string): Promise<ServerFacts> {
  await conn.ready();
  const info = String(await conn.call('INFO', 'server'));
  const replication = String(await conn.call('INFO', 'replication'));
  const stats = String(await conn.call('INFO', 'stats'));
  const facts: ServerFacts = {
    display: serverDisplay(conn.target),
    version: infoField(info, 'redis_version') ?? '',
    whoami: '',
    role: infoField(replication, 'role') === 'slave' ? 'replica' : 'master',
    replicas: replicasOf(replication),
    aclError: '',
    configError: '',
    setUserError: '',
    configSetError: '',
    aclfile: '',
    configFile: infoField(info, 'config_file') ?? '',
    requirepass: false,
    masteruser: '',
    masterauthHash: '',
    masterauthForRollback: '',
  };
  const denied = infoField(stats, 'acl_access_denied_auth');
  if (denied !== undefined && /^\d+$/.test(denied)) facts.deniedAuth = Number(denied);
  try {
    facts.whoami = String(await conn.call('ACL', 'WHOAMI'));
    facts.user = parseGetUser(await conn.call('ACL', 'GETUSER', user));
  } catch (err) {
    facts.aclError = message(err);
  }
  if (facts.user) await probePermissions(conn, user, facts);
  try {
    const config = configMap(await conn.call('CONFIG', 'GET', 'aclfile'));
    facts.aclfile = config.get('aclfile') ?? '';
    const more = configMap(await conn.call('CONFIG', 'GET', 'requirepass'));
    facts.requirepass = (more.get('requirepass') ?? '') !== '';
    const master = configMap(await conn.call('CONFIG', 'GET', 'masteruser'));
    facts.masteruser = master.get('masteruser') ?? '';
    const auth = configMap(await conn.call('CONFIG', 'GET', 'masterauth')).get('masterauth') ?? '';
    facts.masterauthHash = auth ? passwordHash(auth) : '';
    facts.masterauthForRollback = auth;
  } catch (err) {
    facts.configError = message(err);
  }
  return facts;
}

/** The server without the user connecting to it: redis://host:port. */
export function serverDisplay(t: RedisTarget): string {
  return makeTarget(t.scheme, t.host, t.port, t.path, t.db).display;
}

/** What the connecting user may do, asked without changing anything. */
async function probePermissions(conn: RedisConnection, user: string, facts: ServerFacts): Promise<void> {
  try {
    // An existing user and no rules: allowed or not, nothing changes.
    await conn.call('ACL', 'SETUSER', user);
  } catch (err) {
    facts.setUserError = message(err);
  }
  try {
    const verdict = String(await conn.call('ACL', 'DRYRUN', facts.whoami, 'CONFIG', 'SET', 'masterauth', 'x'));
    if (verdict !== 'OK') facts.configSetError = verdict;
  } catch {
    // DRYRUN is Redis 7.0+ and may itself be refused: the step that needs CONFIG SET will say.
  }
}
