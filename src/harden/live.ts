import { parseAclList } from '../redis/acl-rules.ts';
import type { RedisConnection } from '../redis/connection.ts';
import { RedisError } from '../redis/errors.ts';
import { infoField } from '../redis/info-field.ts';
import { buildCommandTable } from '../security/acl-eval.ts';
import { liveAclUser } from './acl-diff.ts';
import { type LiveState, PASSWORD_PLACEHOLDER, type Plan, RESTART_PARAMS } from './plan.ts';
import type { Directive } from './secure-conf.ts';
import type { HardenedUser, HardenPasswords } from './users.ts';

/** Why a read failed, in words that say which right is missing. */
function needsAdmin(what: string, err: Error): RedisError {
  return new RedisError(
    'not_permitted',
    `cannot read ${what}: ${err.message.split('\n')[0]}. redoubt harden --redis needs CONFIG GET, ACL LIST and COMMAND INFO to show the changes (the auditor user has them) and an admin user to apply them; connect as one with --redis redis://admin@HOST:PORT and its password in REDIS_PASSWORD`,
  );
}

/**
 * Reads what the plan compares, in one round trip: INFO, CONFIG GET per parameter, ACL WHOAMI/LIST and the command
 * table (`COMMAND INFO` without names lists every command on 7.0+, and the auditor user may run it).
 */
export async function readLiveState(conn: RedisConnection, directives: Directive[]): Promise<LiveState> {
  await conn.ready();
  const params = [...new Set([...directives.filter((d) => d.runtime).map((d) => d.name), ...RESTART_PARAMS])];
  const replies = await conn.pipeline([
    ['INFO', 'server'],
    ['INFO', 'memory'],
    ['ACL', 'WHOAMI'],
    ['ACL', 'LIST'],
    ['COMMAND', 'INFO'],
    ...params.map((p) => ['CONFIG', 'GET', p] as [string, string, string]),
  ]);
  const [server, memory, whoami, aclList, command, ...configs] = replies;
  if (!server.ok) throw needsAdmin('INFO', server.error);
  const info = String(server.value);
  if (!whoami.ok) throw needsAdmin('ACL WHOAMI', whoami.error);
  if (!aclList.ok) throw needsAdmin('ACL LIST', aclList.error);
  if (!command.ok) throw needsAdmin('COMMAND INFO', command.error);
  const config: Record<string, string> = {};
  configs.forEach((r, i) => {
    if (!r.ok) throw needsAdmin(`CONFIG GET ${params[i]}`, r.error);
    const v = r.value;
    if (Array.isArray(v) && v.length >= 2) config[String(v[0]).toLowerCase()] = String(v[1]);
  });
  const used = memory.ok ? Number(infoField(String(memory.value), 'used_memory')) : Number.NaN;
  const version = infoField(info, 'redis_version') ?? '?';
  const aclLines = Array.isArray(aclList.value) ? aclList.value.map(String) : [];
  return {
    version,
    configFile: infoField(info, 'config_file') ?? '',
    config,
    users: parseAclList(aclLines).map(liveAclUser),
    whoami: String(whoami.value),
    commands: buildCommandTable(command.value, undefined, undefined, version),
    usedMemory: Number.isFinite(used) ? used : undefined,
  };
}

export interface ApplyStep {
  what: string;
  ok: boolean;
  error?: string;
}

export interface ApplyReport {
  steps: ApplyStep[];
  /** What could not be made to survive a restart. */
  notPersisted: string[];
}

export interface ApplyOptions {
  /** Passwords for the users the plan gives a new one. */
  passwords: Partial<HardenPasswords>;
  /** Opens a second connection as admin (for when the connection's own user is being restricted). */
  connectAsAdmin: (password: string) => Promise<RedisConnection>;
  configFile: string;
  aclFile: string;
}

function errorText(err: Error): string {
  return err.message.split('\n')[0];
}

/**
 * Applies a plan: CONFIG SET, then ACL SETUSER (admin first, the connection's own user last, from an admin
 * connection), then persists with CONFIG REWRITE (when the server has a config file) and ACL SAVE (when it has an
 * aclfile). Every step is reported; a failure does not stop the steps that do not depend on it.
 */
export async function applyPlan(conn: RedisConnection, plan: Plan, options: ApplyOptions): Promise<ApplyReport> {
  const steps: ApplyStep[] = [];
  const notPersisted: string[] = [];
  const run = async (c: RedisConnection, what: string, args: string[]): Promise<boolean> => {
    const [reply] = await c.pipeline([args as [string, ...string[]]]);
    steps.push(reply.ok ? { what, ok: true } : { what, ok: false, error: errorText(reply.error) });
    return reply.ok;
  };

  for (const c of plan.config) await run(conn, `CONFIG SET ${c.name}`, ['CONFIG', 'SET', c.name, c.value]);

  const setuser = async (c: RedisConnection, name: string, args: string[]): Promise<boolean> => {
    const pw = options.passwords[name as HardenedUser];
    const filled = args.map((a) => {
      if (!a.includes(PASSWORD_PLACEHOLDER)) return a;
      if (pw === undefined) throw new Error(`internal: no password generated for user ${name}`);
      return a.replace(PASSWORD_PLACEHOLDER, pw);
    });
    return run(c, `ACL SETUSER ${name}`, ['ACL', 'SETUSER', name, ...filled]);
  };
  const self = plan.users.find((u) => u.name === plan.whoami && u.name !== 'admin');
  const ordered = [...plan.users].sort((a, b) => Number(b.name === 'admin') - Number(a.name === 'admin'));
  for (const u of ordered) if (u !== self) await setuser(conn, u.name, u.args);

  let persistConn = conn;
  let adminConn: RedisConnection | undefined;
  try {
    if (self) {
      const pw = options.passwords.admin;
      if (pw === undefined || !steps.some((s) => s.what === 'ACL SETUSER admin' && s.ok)) {
        steps.push({ what: `ACL SETUSER ${self.name}`, ok: false, error: 'no admin connection to change it from' });
      } else {
        try {
          adminConn = await options.connectAsAdmin(pw);
          await setuser(adminConn, self.name, self.args);
          persistConn = adminConn;
        } catch (err) {
          steps.push({
            what: `ACL SETUSER ${self.name}`,
            ok: false,
            error: `could not connect as admin: ${errorText(err as Error)}`,
          });
        }
      }
    }

    const changedConfig = plan.config.length > 0;
    const changedUsers = plan.users.length > 0;
    if (options.configFile && (changedConfig || (changedUsers && !options.aclFile))) {
      if (!(await run(persistConn, 'CONFIG REWRITE', ['CONFIG', 'REWRITE'])))
        notPersisted.push(
          `CONFIG REWRITE failed: the settings${options.aclFile ? '' : ' and users'} last until a restart`,
        );
    } else if (changedConfig || (changedUsers && !options.aclFile)) {
      notPersisted.push(
        'the server has no config file: put the settings in its redis.conf (redoubt harden --out DIR writes one), or they last until a restart',
      );
    }
    if (changedUsers && options.aclFile) {
      if (!(await run(persistConn, 'ACL SAVE', ['ACL', 'SAVE'])))
        notPersisted.push(`ACL SAVE failed: the users last until a restart (${options.aclFile})`);
    }
  } finally {
    await adminConn?.close();
  }
  return { steps, notPersisted };
}
