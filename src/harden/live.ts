import type { HardenedUser, HardenPasswords } from '../catalog/acl-users.ts';
import type { Directive } from '../catalog/secure-conf.ts';
import { mergeSelectorArgs, parseAclList } from '../redis/acl-rules.ts';
import type { RedisConnection } from '../redis/connection.ts';
import { RedisError } from '../redis/errors.ts';
import { infoField } from '../redis/info-field.ts';
import { buildCommandTable } from '../security/acl-eval.ts';
import { liveAclUser } from './acl-diff.ts';
import { orderApply, type Via } from './apply-order.ts';
import { type LiveState, PASSWORD_PLACEHOLDER, type Plan, RESTART_PARAMS } from './plan.ts';

/** Why a read failed, in words that say which right is missing. */
function needsAdmin(what: string, err: Error): RedisError {
  return new RedisError(
    'not_permitted',
    `cannot read ${what}: ${err.message.split('\n')[0]}. redoubt harden --redis needs CONFIG GET, ACL LIST and COMMAND INFO to show the changes (the auditor user has them) and an admin user to apply them; connect as one with --redis redis://admin@HOST:PORT and its password in REDIS_PASSWORD`,
  );
}

/** `user NAME rules…` lines → NAME → rules, each selector one argument (as ACL SETUSER takes them). */
function aclRulesByUser(lines: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of lines) {
    const [word, name, ...rules] = line.trim().split(' ');
    if (word === 'user' && name) out[name] = mergeSelectorArgs(rules.filter((r) => r !== ''));
  }
  return out;
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
    aclRules: aclRulesByUser(aclLines),
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
  /** What was done, in order, the failure last when there was one. */
  steps: ApplyStep[];
  /** When a step failed: what was undone (in reverse order), each with its outcome. */
  rolledBack?: ApplyStep[];
  /** What could not be made to survive a restart (only when every change applied). */
  notPersisted: string[];
}

export interface ApplyOptions {
  /** Passwords for the users the plan gives a new one. */
  passwords: Partial<HardenPasswords>;
  /** Opens a new connection as admin, over the same address and TLS settings. */
  connectAsAdmin: (password: string) => Promise<RedisConnection>;
  /** Opens a new connection with the operator's own credentials. */
  connectAgain: () => Promise<RedisConnection>;
  configFile: string;
  aclFile: string;
}

function errorText(err: Error): string {
  return err.message.split('\n')[0];
}

function fillPasswords(args: string[], user: string | undefined, passwords: Partial<HardenPasswords>): string[] {
  return args.map((a) => {
    if (!a.includes(PASSWORD_PLACEHOLDER)) return a;
    const pw = user === undefined ? undefined : passwords[user as HardenedUser];
    if (pw === undefined) throw new Error(`internal: no password generated for user ${user}`);
    return a.replace(PASSWORD_PLACEHOLDER, pw);
  });
}

async function send(c: RedisConnection, args: string[]): Promise<ApplyStep['error']> {
  try {
    const [reply] = await c.pipeline([args as [string, ...string[]]]);
    return reply.ok ? undefined : errorText(reply.error);
  } catch (err) {
    return errorText(err as Error);
  }
}

/** Opens a connection and proves it logged in (the connection authenticates when it becomes ready). */
async function login(open: () => Promise<RedisConnection>): Promise<RedisConnection> {
  const c = await open();
  const [reply] = await c.pipeline([['PING']]);
  if (!reply.ok) {
    await c.close();
    throw reply.error;
  }
  return c;
}

/**
 * Applies a plan in the order of orderApply, and only all of it. Every precondition is checked before the first
 * change (passwords, the persistence targets), the admin login right after the admin user exists and before
 * anything that can cut a client off; after the last change a new connection must log in over the same address
 * (the operator is not locked out). The first failure stops the apply and every change made is undone, in reverse
 * order. Only a complete apply is persisted: ACL SAVE (when the server has an aclfile), then CONFIG REWRITE (when it
 * has a config file); if either fails, the changes are undone and what ACL SAVE already wrote is written back.
 */
export async function applyPlan(conn: RedisConnection, plan: Plan, options: ApplyOptions): Promise<ApplyReport> {
  const entries = orderApply(plan);
  const adminPassword = options.passwords.admin;
  if (entries.some((e) => e.kind === 'open-admin') && adminPassword === undefined)
    throw new Error("internal: the plan changes the connection's own user without a new admin password");
  for (const e of entries) if (e.kind === 'command') fillPasswords(e.command, e.user, options.passwords);

  const steps: ApplyStep[] = [];
  const applied: { what: string; conn: RedisConnection; undo: string[] }[] = [];
  let admin: RedisConnection | undefined;
  const via = (v: Via) => (v === 'admin' && admin ? admin : conn);
  let failed = false;
  let aclSaved = false;
  try {
    for (const e of entries) {
      if (e.kind === 'open-admin') {
        try {
          admin = await login(() => options.connectAsAdmin(adminPassword as string));
          steps.push({ what: 'log in as admin', ok: true });
        } catch (err) {
          steps.push({ what: 'log in as admin', ok: false, error: errorText(err as Error) });
          failed = true;
          break;
        }
        continue;
      }
      const c = via(e.via);
      const error = await send(c, fillPasswords(e.command, e.user, options.passwords));
      steps.push(error === undefined ? { what: e.what, ok: true } : { what: e.what, ok: false, error });
      if (error !== undefined) {
        failed = true;
        break;
      }
      applied.push({ what: e.what, conn: c, undo: e.undo });
    }
    if (!failed) failed = !(await stillReachable(options, adminPassword, plan, steps));
    const persist = persistence(plan, options);
    if (!failed && persist.aclSave) {
      const error = await send(admin ?? conn, ['ACL', 'SAVE']);
      steps.push(error === undefined ? { what: 'ACL SAVE', ok: true } : { what: 'ACL SAVE', ok: false, error });
      failed = error !== undefined;
      aclSaved = !failed;
    }
    if (!failed && persist.configRewrite) {
      const error = await send(admin ?? conn, ['CONFIG', 'REWRITE']);
      steps.push(
        error === undefined ? { what: 'CONFIG REWRITE', ok: true } : { what: 'CONFIG REWRITE', ok: false, error },
      );
      failed = error !== undefined;
    }
    if (!failed) return { steps, notPersisted: persist.notPersisted };

    const rolledBack: ApplyStep[] = [];
    for (const a of [...applied].reverse()) {
      const error = await send(a.conn, a.undo);
      rolledBack.push(
        error === undefined ? { what: `undo ${a.what}`, ok: true } : { what: `undo ${a.what}`, ok: false, error },
      );
    }
    if (aclSaved) {
      // ACL SAVE wrote the new users before CONFIG REWRITE failed: write the restored ones back.
      const error = await send(admin ?? conn, ['ACL', 'SAVE']);
      rolledBack.push({ what: 'ACL SAVE (the users as they were)', ok: error === undefined, error });
    }
    return { steps, rolledBack, notPersisted: [] };
  } finally {
    await admin?.close();
  }
}

/** After the changes: can the operator (as the new admin, or as themselves) still log in over this address? */
async function stillReachable(
  options: ApplyOptions,
  adminPassword: string | undefined,
  plan: Plan,
  steps: ApplyStep[],
): Promise<boolean> {
  const asAdmin = adminPassword !== undefined && plan.users.some((u) => u.name === 'admin');
  const what = `log in again as ${asAdmin ? 'admin' : plan.whoami}`;
  try {
    const c = await login(() => (asAdmin ? options.connectAsAdmin(adminPassword) : options.connectAgain()));
    await c.close();
    steps.push({ what, ok: true });
    return true;
  } catch (err) {
    steps.push({ what, ok: false, error: errorText(err as Error) });
    return false;
  }
}

function persistence(
  plan: Plan,
  options: ApplyOptions,
): { aclSave: boolean; configRewrite: boolean; notPersisted: string[] } {
  const changedConfig = plan.config.length > 0;
  const changedUsers = plan.users.length > 0;
  const aclSave = changedUsers && options.aclFile !== '';
  const needsRewrite = changedConfig || (changedUsers && !options.aclFile);
  const notPersisted =
    needsRewrite && !options.configFile
      ? [
          'the server has no config file: put the settings in its redis.conf (redoubt harden --out DIR writes one), or they last until a restart',
        ]
      : [];
  return { aclSave, configRewrite: needsRewrite && options.configFile !== '', notPersisted };
}
