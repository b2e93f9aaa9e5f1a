/**
 * Facts from a live server, read-only and least-privilege (it works under the auditor ACL of the research notes).
 *
 * Round trip 1: INFO ALL (unless the exporter's snapshot already has it), ACL LIST, ACL LOG 128,
 *   COMMAND INFO <security commands>, COMMAND COUNT, MODULE LIST.
 * Round trip 2: CONFIG GET <SECURITY_CONFIG_KEYS> (one per key before 7.0), COMMAND LIST (7.0+),
 *   ACL DRYRUN <user> <command…> for every enabled user that is not a designated admin.
 * A command the audit's own ACL rules (from ACL LIST) say it may not run is not sent, so an audit does not leave
 * NOPERM entries in the ACL LOG it reads; where the rules cannot tell, one `ACL DRYRUN` decides first (a third
 * round trip). In parallel with round 2 the unauthenticated probe runs on its own socket (after INFO was read, so
 * its NOAUTH errors are not in this audit's errorstats). Opt-in: the keyspace sample (RS054) and local /proc and
 * stat() facts. When the audit cannot log in, it reports what an outsider sees: the probe, and why the rest is
 * unobserved (the reason once, as `unobserved.login`) — unless the caller gave credentials and asked for a login
 * (`loginRequired`): then a refused login is thrown.
 */

import type { AclUser } from '../redis/acl-user.ts';
import type { Command, RedisConnection, Reply } from '../redis/connection.ts';
import { RedisError } from '../redis/errors.ts';
import { parseInfo } from '../redis/info-lines.ts';
import type { RedisTarget } from '../redis/target.ts';
import type { Facts } from './facts.ts';
import { aclUsersFromReply, dryRunAllowed, parseAclLog, rootRulesAllow } from './live-acl.ts';
import {
  ACL_LOG_COUNT,
  DRYRUN_PROBES,
  MAX_DRYRUN_USERS,
  REDACTED,
  SECURITY_COMMANDS,
  SECURITY_CONFIG_KEYS,
} from './live-commands.ts';
import {
  attachRequirepass,
  commandPresence,
  configFromInfo,
  configValuesFromReplies,
  emptyConfigFacts,
  errorstatsFromInfo,
  modulesFromInfo,
  parseModuleList,
  preAclDefaultUser,
  serverFactsFromInfo,
} from './live-replies.ts';
import { collectLocalFacts } from './local-facts.ts';
import { LOGIN_REFUSED_KINDS } from './login-refused.ts';
import { roundTrip } from './round-trip.ts';
import { sampleSuspiciousKeys } from './suspicious-keys.ts';
import { type ProbeTarget, probeUnauthenticated } from './unauth-probe.ts';

export interface LiveFactsOptions {
  /** Absolute wall-clock deadline (`Date.now()` ms) for the whole audit, probe included. */
  deadlineMs: number;
  /** INFO ALL text the exporter already took, to avoid a second INFO. */
  snapshotInfo?: string;
  /** Where the unauthenticated probe connects; default the connection's host and port; false: no probe. */
  probe?: ProbeTarget | false;
  /** Opt-in RS054 keyspace sample (SCAN, TYPE, GETRANGE: read-only, bounded). */
  scanSuspiciousKeys?: boolean;
  /** Opt-in: the server runs on this host; read /proc/<pid>/status and stat() its files. */
  local?: boolean;
  /** CONFIG renamed with rename-command: its new name (like redis_exporter's --config-command). */
  configCommand?: string;
  /** Designated admin users: not asked about with ACL DRYRUN (they are meant to have everything). */
  adminUsers?: string[];
  /**
   * The caller gave credentials and meant an authenticated audit: a refused login (WRONGPASS, or NOAUTH after it) is
   * thrown instead of reported as the outsider's view.
   */
  loginRequired?: boolean;
  /**
   * Kept by a caller that audits the same server again and again (the exporter's background audit): what did not
   * change since the last audit is not asked again. See {@link AuditMemo}.
   */
  memo?: AuditMemo;
}

/**
 * Replies an audit can reuse. COMMAND INFO / COUNT / LIST and MODULE LIST change only with a restart or a module
 * load: reused while INFO's run_id and modules section are the same. The ACL DRYRUN answers depend only on the
 * users' rules (and the commands that exist): reused while ACL LIST answers the same. With it, an audit of an
 * unchanged server sends ACL LOG, ACL LIST and CONFIG GET only.
 */
export interface AuditMemo {
  commands?: { key: string; replies: Record<string, Reply> };
  dryRun?: { key: string; dryRun: Facts['dryRun']; unobserved?: string };
}

/** What the command-table replies are valid for: this run of the server with these modules; undefined: unknown. */
function commandsKey(infoText: string | undefined): string | undefined {
  if (infoText === undefined) return undefined;
  const runId = /^run_id:(\S+)/m.exec(infoText)?.[1];
  if (!runId) return undefined;
  const modules = infoText.match(/^module:.*$/gm) ?? [];
  return JSON.stringify([runId, modules]);
}

/** Connection failures after which an outsider's view is still worth reporting. */
const OUTSIDER_KINDS = new Set(['wrong_password', 'auth_required', 'protected_mode']);

const version = (v: string | undefined) => {
  const m = /^(\d+)\.(\d+)/.exec(v ?? '');
  return m ? Number(m[1]) + Number(m[2]) / 100 : 0;
};

/** Why a command's reply could not be used, without echoing the server's text (it may name a renamed command). */
function whyFailed(what: string, error: Error, user: string): string {
  const m = error.message;
  if (/^NOPERM/.test(m)) return `${what} is not permitted for user "${user}" (NOPERM)`;
  if (/unknown command|unknown subcommand/i.test(m))
    return `${what} is not available on this server (renamed, disabled or too old)`;
  return `${what} failed (${m.split(' ')[0]})`;
}

function defaultProbeTarget(target: RedisTarget): ProbeTarget | undefined {
  if (target.scheme === 'unix') return target.path ? { path: target.path } : undefined;
  return { host: target.host, port: target.port, tls: target.scheme === 'rediss' };
}

export async function collectLiveFacts(conn: RedisConnection, opts: LiveFactsOptions): Promise<Facts> {
  const facts: Facts = { target: conn.target.display, files: [], live: true, unobserved: {} };
  const me = conn.target.username || 'default';
  const probeTarget = opts.probe === false ? undefined : (opts.probe ?? defaultProbeTarget(conn.target));
  let probe: Promise<void> | undefined;
  const startProbe = () => {
    if (probe) return probe;
    if (!probeTarget) {
      facts.unobserved.unauth =
        opts.probe === false ? 'the unauthenticated probe was turned off' : 'no address to probe';
      probe = Promise.resolve();
    } else
      probe = probeUnauthenticated(probeTarget, opts.deadlineMs).then((u) => {
        facts.unauth = u;
      });
    return probe;
  };

  // 1. Log in and take round trip 1. Failing to log in is a finding (the outsider's view), not an error, unless
  //    nothing at all answered.
  let r1: Reply[];
  const slots: Record<string, number> = {};
  const memo = opts.memo;
  const cmdKey = commandsKey(opts.snapshotInfo);
  const memoCommands = cmdKey !== undefined && memo?.commands?.key === cmdKey ? memo.commands.replies : undefined;
  try {
    await conn.ready(opts.deadlineMs);
    const cmds: Command[] = [];
    const push = (name: string, cmd: Command) => {
      slots[name] = cmds.push(cmd) - 1;
    };
    if (opts.snapshotInfo === undefined) push('info', ['INFO', 'ALL']);
    // ACL LOG before anything that might be refused, so this audit's own refusals are not in what it reads.
    push('aclLog', ['ACL', 'LOG', ACL_LOG_COUNT]);
    push('aclList', ['ACL', 'LIST']);
    if (!memoCommands) {
      push('commandInfo', ['COMMAND', 'INFO', ...SECURITY_COMMANDS]);
      push('commandCount', ['COMMAND', 'COUNT']);
      push('moduleList', ['MODULE', 'LIST']);
    }
    r1 = await roundTrip(conn, cmds, opts.deadlineMs);
  } catch (err) {
    if (!(err instanceof RedisError)) throw err;
    if (opts.loginRequired && LOGIN_REFUSED_KINDS.has(err.kind)) throw err;
    await startProbe();
    const answered = facts.unauth && ['open', 'noauth', 'denied', 'tls-required'].includes(facts.unauth.result);
    if (!OUTSIDER_KINDS.has(err.kind) && !answered) throw err;
    return outsiderView(facts, err, conn.target, opts);
  }

  // 2. What round trip 1 says.
  const reply = (name: string): Reply | undefined =>
    slots[name] === undefined ? memoCommands?.[name] : r1[slots[name]];
  let infoText = opts.snapshotInfo;
  const infoReply = reply('info');
  if (infoReply && !infoReply.ok) facts.unobserved.info = whyFailed('INFO', infoReply.error, me);
  else if (infoReply?.ok) infoText = String(infoReply.value);
  const info = infoText !== undefined ? parseInfo(infoText).fields : undefined;
  if (info) {
    facts.info = Object.fromEntries(info);
    facts.server = serverFactsFromInfo(info);
    facts.errorstats = errorstatsFromInfo(info);
  }
  const v = version(facts.server?.version);

  let users: AclUser[] | undefined;
  let aclMissing = false;
  const aclList = reply('aclList');
  if (aclList?.ok) users = aclUsersFromReply(aclList.value);
  else if (aclList && !aclList.ok) {
    aclMissing = /unknown command/i.test(aclList.error.message);
    facts.unobserved.users = whyFailed('ACL LIST', aclList.error, me);
  }
  const aclLog = reply('aclLog');
  if (aclLog?.ok) facts.aclLog = parseAclLog(aclLog.value);
  else if (aclLog && !aclLog.ok) facts.unobserved.aclLog = whyFailed('ACL LOG', aclLog.error, me);
  const commandInfo = reply('commandInfo');
  if (commandInfo?.ok) facts.commandsPresent = commandPresence(SECURITY_COMMANDS, commandInfo.value);
  else if (commandInfo && !commandInfo.ok) facts.unobserved.commands = whyFailed('COMMAND INFO', commandInfo.error, me);
  const commandCount = reply('commandCount');
  if (commandCount?.ok) facts.commandCount = Number(commandCount.value);
  const moduleList = reply('moduleList');
  if (moduleList?.ok) facts.modules = parseModuleList(moduleList.value);
  else if (infoText !== undefined) facts.modules = modulesFromInfo(infoText);

  // May this connection run `command`? From its own rules in ACL LIST; undefined when they cannot tell.
  const self = users?.find((u) => u.name === me);
  const mayI = (command: string): boolean | undefined => (self ? rootRulesAllow(self, command) : undefined);

  // 3. Round trip 2 (and the probe, in parallel).
  startProbe();
  const cmds: Command[] = [];
  const at: Record<string, number[]> = {};
  const push = (name: string, cmd: Command) => {
    at[name] ??= [];
    at[name].push(cmds.push(cmd) - 1);
  };

  const configName = opts.configCommand ?? 'CONFIG';
  // Whether what would be sent is the command under its own name (a caller may pass 'CONFIG' explicitly, as the
  // exporter does by default): then a server that lacks it must not be sent it (an error reply per audit).
  const plainConfig = configName.toUpperCase() === 'CONFIG';
  const sentinel = facts.server?.mode === 'sentinel';
  if (sentinel && plainConfig)
    facts.unobserved.config =
      'Sentinel has no CONFIG command (its settings are in sentinel.conf / SENTINEL CONFIG GET)';
  else if (facts.commandsPresent?.config === false && plainConfig)
    facts.unobserved.config =
      'CONFIG is renamed or disabled on this server (COMMAND INFO config is nil); pass its new name to read the configuration';
  else if (mayI('config|get') === false) facts.unobserved.config = `user "${me}" may not run CONFIG GET (ACL)`;
  else if (v > 0 && v < 7) for (const k of SECURITY_CONFIG_KEYS) push('config', [configName, 'GET', k]);
  else push('config', [configName, 'GET', ...SECURITY_CONFIG_KEYS]);

  if (v >= 7 && mayI('command|list') !== false && !memoCommands?.commandList) push('commandList', ['COMMAND', 'LIST']);

  const dryRunUsers = (users ?? []).filter((u) => u.enabled && !(opts.adminUsers ?? []).includes(u.name));
  const dryRunKey =
    cmdKey !== undefined && aclList?.ok ? JSON.stringify([cmdKey, aclList.value, opts.adminUsers ?? []]) : undefined;
  let dryRunTargets: AclUser[] = [];
  if (!users) facts.unobserved.dryRun = 'ACL DRYRUN needs the user list (ACL LIST), which was not available';
  else if (v > 0 && v < 7) facts.unobserved.dryRun = 'ACL DRYRUN needs Redis 7.0 or later';
  else if (facts.commandsPresent?.acl === false) facts.unobserved.dryRun = 'ACL is renamed or disabled on this server';
  else if (dryRunUsers.length > 0 && memo?.dryRun && memo.dryRun.key === dryRunKey) {
    // The same users with the same rules on the same server run: the same answers.
    if (memo.dryRun.dryRun) facts.dryRun = memo.dryRun.dryRun;
    if (memo.dryRun.unobserved) facts.unobserved.dryRun = memo.dryRun.unobserved;
  } else if (dryRunUsers.length > 0) {
    let allowed = mayI('acl|dryrun');
    if (allowed === undefined) {
      // The rules cannot tell (selectors): ask once before asking many times.
      const [check] = await roundTrip(conn, [['ACL', 'DRYRUN', me, 'PING']], opts.deadlineMs).catch(() => []);
      allowed = !!check?.ok;
    }
    if (!allowed) facts.unobserved.dryRun = `user "${me}" may not run ACL DRYRUN (add +acl|dryrun for exact answers)`;
    else {
      dryRunTargets = dryRunUsers.slice(0, MAX_DRYRUN_USERS);
      if (dryRunUsers.length > MAX_DRYRUN_USERS)
        facts.unobserved.dryRun = `ACL DRYRUN asked about the first ${MAX_DRYRUN_USERS} of ${dryRunUsers.length} users only`;
      // A command renamed away would only answer "not found" (an error reply counted in errorstats): skip it.
      const probes = DRYRUN_PROBES.filter((p) => facts.commandsPresent?.[p.name.split('|')[0]] !== false);
      for (const u of dryRunTargets)
        for (const p of probes) push(`dry:${u.name}:${p.name}`, ['ACL', 'DRYRUN', u.name, ...p.args]);
    }
  }

  let r2: Reply[] = [];
  try {
    r2 = await roundTrip(conn, cmds, opts.deadlineMs);
  } catch (err) {
    const why = `the audit stopped before reading it: ${(err as Error).message}`;
    if (at.config) facts.unobserved.config = why;
    if (dryRunTargets.length > 0) facts.unobserved.dryRun = why;
  }
  const got = (name: string): Reply[] => (r2.length > 0 ? (at[name] ?? []).map((i) => r2[i]) : []);

  // CONFIG: values (secrets redacted), or INFO's stand-ins with the reason.
  let requirepass: string | undefined;
  const configReplies = got('config');
  const configOk = configReplies.filter((r) => r.ok);
  if (configReplies.length > 0 && configOk.length === 0) {
    const failed = configReplies.find((r) => !r.ok);
    if (failed && !failed.ok) facts.unobserved.config = whyFailed('CONFIG GET', failed.error, me);
  }
  if (configOk.length > 0) {
    const { values, requirepass: pw } = configValuesFromReplies(configOk.map((r) => (r as { value: unknown }).value));
    facts.config = { ...emptyConfigFacts(), values };
    // CONFIG answered under the name it was renamed to: renamed, not removed — whoever knows the name still runs it
    // (the permission checks must not count CONFIG SET as unavailable). The name itself is never kept.
    if (opts.configCommand && opts.configCommand.toLowerCase() !== 'config')
      facts.config.renamedCommands.config = REDACTED;
    requirepass = pw;
  } else if (info) facts.config = configFromInfo(info);

  const commandList = got('commandList')[0] ?? memoCommands?.commandList;
  if (commandList?.ok && Array.isArray(commandList.value)) facts.commandNames = commandList.value.map(String);

  if (!users && aclMissing && v > 0 && v < 6 && facts.config) {
    // Before ACLs: one implicit user, all commands, its password requirepass.
    users = [preAclDefaultUser(requirepass)];
    delete facts.unobserved.users;
  } else if (users && requirepass) attachRequirepass(users, requirepass);
  if (users) facts.users = users;

  if (dryRunTargets.length > 0 && r2.length > 0) {
    const dryRun: Record<string, Record<string, boolean>> = {};
    let refused: string | undefined;
    for (const u of dryRunTargets) {
      dryRun[u.name] = {};
      for (const p of DRYRUN_PROBES) {
        const [r] = got(`dry:${u.name}:${p.name}`);
        if (!r) continue;
        if (!r.ok && /^NOPERM/.test(r.error.message)) refused = whyFailed('ACL DRYRUN', r.error, me);
        const allowed = dryRunAllowed(r);
        if (allowed !== undefined) dryRun[u.name][p.name] = allowed;
      }
    }
    if (refused) facts.unobserved.dryRun = refused;
    else facts.dryRun = dryRun;
    if (memo && dryRunKey !== undefined)
      memo.dryRun = { key: dryRunKey, dryRun: facts.dryRun, unobserved: facts.unobserved.dryRun };
  }
  if (memo && cmdKey !== undefined && !memoCommands) {
    // Kept only when every reply came: a reply lost to a timeout is asked again next time.
    const replies: Record<string, Reply> = {};
    for (const name of ['commandInfo', 'commandCount', 'moduleList'])
      if (slots[name] !== undefined && r1[slots[name]]) replies[name] = r1[slots[name]];
    const list = got('commandList')[0];
    if (list) replies.commandList = list;
    if (Object.keys(replies).length === 3 + (at.commandList ? 1 : 0)) memo.commands = { key: cmdKey, replies };
  }

  // 4. The probe's answer, and the opt-in parts.
  const extra: Array<Promise<void>> = [
    (probe ?? Promise.resolve()).then(() => {
      // CONFIG is unknown in Sentinel by design, not renamed.
      if (sentinel && facts.unauth?.configRenamed) {
        facts.unauth.configRenamed = false;
        facts.unauth.detail = `${facts.unauth.detail ?? facts.unauth.result} (Sentinel: no CONFIG command)`;
      }
    }),
  ];
  if (opts.local) extra.push(addLocalFacts(facts));
  if (opts.scanSuspiciousKeys) extra.push(addSuspiciousKeys(conn, facts, opts, mayI));
  await Promise.all(extra);
  return facts;
}

async function addLocalFacts(facts: Facts): Promise<void> {
  const pid = facts.server?.processId;
  if (!pid) {
    facts.unobserved.local = 'INFO server gave no process_id';
    return;
  }
  const values = facts.config?.values ?? {};
  const { local, reason } = await collectLocalFacts({
    processId: pid,
    configFile: facts.server?.configFile,
    aclfile: values.aclfile || undefined,
    unixsocket: values.unixsocket || undefined,
    dir: values.dir || undefined,
  });
  if (local) facts.local = local;
  if (reason) facts.unobserved.local = reason;
}

async function addSuspiciousKeys(
  conn: RedisConnection,
  facts: Facts,
  opts: LiveFactsOptions,
  mayI: (command: string) => boolean | undefined,
): Promise<void> {
  const dbs = Object.keys(facts.info ?? {})
    .filter((k) => /^db\d+$/.test(k))
    .map((k) => Number(k.slice(2)));
  const ownDb = conn.target.db;
  const needed = ['scan', 'type', 'getrange', ...(dbs.some((d) => d !== ownDb) ? ['select'] : [])];
  const denied = needed.filter((c) => mayI(c) === false);
  if (denied.length > 0) {
    facts.unobserved.keys = `user "${conn.target.username || 'default'}" may not run ${denied.map((c) => c.toUpperCase()).join(', ')} (ACL)`;
    return;
  }
  if (facts.info && dbs.length === 0) {
    facts.suspiciousKeys = [];
    return;
  }
  const { keys, reason } = await sampleSuspiciousKeys(conn, { deadlineMs: opts.deadlineMs, dbs, ownDb });
  facts.suspiciousKeys = keys;
  if (reason) facts.unobserved.keys = reason;
}

/** The short reason each part an outsider cannot see gives; the whole reason is stated once, as `login`. */
const NOT_LOGGED_IN: Partial<Record<RedisError['kind'], string>> = {
  wrong_password: 'the credentials were rejected (WRONGPASS)',
  auth_required: 'authentication is required (NOAUTH)',
  protected_mode: 'protected mode refused the connection (DENIED)',
};

/** Why the audit could not log in, once: without credentials for a server that wants them, in the audit's words. */
function loginReason(err: RedisError, target: RedisTarget, probe: Facts['unauth']): string {
  // A plaintext client on a TLS-only port is reset: the probe, which then tried TLS and got an answer, tells why.
  if (target.scheme === 'redis' && probe?.tls)
    return `${target.display} serves TLS only (a plaintext connection is refused): use rediss://${target.display.replace(/^redis:\/\//, '')} and the --tls-* flags`;
  if (err.kind !== 'auth_required' || target.username || target.password) return err.message;
  return `Redis at ${target.display} requires authentication (NOAUTH) and no credentials were given. For a full audit, log in as a user with the auditor's permissions (the user in the URL, --redis.user or REDIS_USER; its password in REDIS_PASSWORD, --redis.password or the URL).`;
}

/**
 * The facts of an audit that could not log in: the probe, and why nothing else was observed. The reason is given
 * once (`unobserved.login`); each part it hid says only that the login failed, so a report does not repeat it.
 */
function outsiderView(facts: Facts, err: RedisError, target: RedisTarget, opts: LiveFactsOptions): Facts {
  facts.unobserved.login = loginReason(err, target, facts.unauth);
  const why = `could not log in: ${NOT_LOGGED_IN[err.kind] ?? `the connection failed (${err.kind})`}`;
  for (const part of ['info', 'config', 'users', 'aclLog', 'commands', 'dryRun'] as const) facts.unobserved[part] = why;
  if (opts.local) facts.unobserved.local = why;
  if (opts.scanSuspiciousKeys) facts.unobserved.keys = why;
  return facts;
}
