/**
 * Authorization: what the ACL users may do. RS005 (default user keeps +@all next to named users), RS006 (nopass
 * user with broad rights), RS007 (superuser sprawl), RS016 (dangerous commands for non-admins), RS017 (CONFIG SET),
 * RS018 (REPLICAOF/SLAVEOF), RS022 (scripting), RS024 (FLUSHALL/FLUSHDB), and the two ACL checks of other
 * catalogue categories that are computed the same way: RS025 (KEYS, availability) and RS026 (MONITOR/CLIENT LIST,
 * confidentiality). Answers come from ACL DRYRUN when the audit had it, else from the rules and the command table.
 */
import { type Check, type CheckResult, fail, pass, skip, unknown } from '../check.ts';
import type { AclUser, Facts } from '../facts.ts';
import {
  adminBasis,
  describeGrants,
  type Grant,
  grantLocation,
  hasAllCommands,
  hasAllKeys,
  isAdminUser,
  type PermissionScan,
  scanNotes,
  scanPermissions,
  userMayRun,
} from './permissions.ts';
import { defaultUserLocation, defineCheck, isBefore7, isSentinel, listNames, resolveUsers } from './shared.ts';

/** Commands that administer the server or destroy data: what makes rights "broad". */
const ADMIN_COMMANDS = [
  'config|set',
  'acl|setuser',
  'module|load',
  'replicaof',
  'slaveof',
  'debug',
  'shutdown',
  'flushall',
  'flushdb',
] as const;

const adminCommandsOf = (facts: Facts, user: AclUser): string[] =>
  ADMIN_COMMANDS.filter((c) => userMayRun(facts, user, c) === true);

// ---------------------------------------------------------------------------------------------------------------
// RS005

function evaluateDefaultUserPrivileged(facts: Facts): CheckResult {
  const view = resolveUsers(facts);
  if ('unknown' in view) return unknown(view.unknown);
  const named = view.users.filter((u) => u.name !== 'default');
  if (named.length === 0) return skip('only the default user exists (RS001 and RS003 judge it)');
  const d = view.defaultUser;
  if (!d) return unknown('the default user is not among the observed ACL users');
  const where = defaultUserLocation(facts, view);
  const others = `named users exist (${listNames(named.map((u) => u.name))})`;
  if (!d.enabled) return pass(`the default user is off; ${others}`, where);
  const auth = d.nopass ? 'without a password' : 'with a password';
  if (hasAllCommands(d)) {
    return fail(
      `the default user is on (${auth}) with +@all while ${others}: every client that sends no username gets full rights`,
      where,
    );
  }
  const admin = adminCommandsOf(facts, d);
  if (admin.length > 0) {
    const keys = hasAllKeys(d) ? ' on all keys (~*)' : '';
    const r = fail(`the default user is on (${auth}) and may run ${admin.join(', ')}${keys} while ${others}`, where);
    return hasAllKeys(d) ? r : { ...r, severity: 'medium' };
  }
  return pass(`the default user is on but restricted (no +@all, no admin commands) while ${others}`, where);
}

export const defaultUserPrivileged: Check = defineCheck('RS005', evaluateDefaultUserPrivileged);

// ---------------------------------------------------------------------------------------------------------------
// RS006

const BROAD_COMMANDS = [...ADMIN_COMMANDS, 'keys', 'monitor', 'client|kill', 'save', 'bgsave', 'migrate', 'restore'];

function evaluateNopassBroadUser(facts: Facts): CheckResult {
  const view = resolveUsers(facts);
  if ('unknown' in view) return unknown(view.unknown);
  const nopass = view.users.filter((u) => u.name !== 'default' && u.enabled && u.nopass);
  if (nopass.length === 0) return pass('no enabled named user is nopass (the default user: see RS001)');
  const broad: Array<{ user: AclUser; why: string }> = [];
  for (const user of nopass) {
    const why: string[] = [];
    if (hasAllCommands(user)) why.push('+@all');
    else {
      const cmds = BROAD_COMMANDS.filter((c) => userMayRun(facts, user, c) === true);
      if (cmds.length > 0) why.push(`may run ${cmds.join(', ')}`);
    }
    if (hasAllKeys(user)) why.push('all keys (~*)');
    if (why.length > 0) broad.push({ user, why: why.join(', ') });
  }
  if (broad.length > 0) {
    const what = broad.map((b) => `user '${b.user.name}' is 'on nopass' (any password is accepted) with ${b.why}`);
    return fail(what.join('; '), broad.find((b) => b.user.location)?.user.location);
  }
  return pass(
    `nopass users ${listNames(nopass.map((u) => u.name))} have narrow rights (no +@all, no admin or dangerous commands, no ~*)`,
  );
}

export const nopassBroadUser: Check = defineCheck('RS006', evaluateNopassBroadUser);

// ---------------------------------------------------------------------------------------------------------------
// RS007

function evaluateSuperuserSprawl(facts: Facts): CheckResult {
  const view = resolveUsers(facts);
  if ('unknown' in view) return unknown(view.unknown);
  const supers = view.users.filter((u) => u.enabled && hasAllCommands(u));
  const names = supers.map((u) => u.name);
  const documented = facts.inventory?.adminUsers;
  if (documented) {
    const extra = supers.filter((u) => !documented.includes(u.name));
    if (extra.length > 0) {
      return fail(
        `${listNames(extra.map((u) => u.name))} ${extra.length === 1 ? 'has' : 'have'} +@all but ${extra.length === 1 ? 'is' : 'are'} not an admin in the inventory (superusers: ${listNames(names)})`,
        extra.find((u) => u.location)?.location,
      );
    }
    return pass(
      supers.length === 0 ? 'no enabled user has +@all' : `only inventory admins have +@all (${listNames(names)})`,
    );
  }
  if (supers.length > 1) {
    return fail(
      `${supers.length} enabled users have +@all: ${listNames(names)}`,
      supers.slice(1).find((u) => u.location)?.location,
    );
  }
  return pass(supers.length === 0 ? 'no enabled user has +@all' : `one enabled user has +@all (${listNames(names)})`);
}

export const superuserSprawl: Check = defineCheck('RS007', evaluateSuperuserSprawl);

// ---------------------------------------------------------------------------------------------------------------
// Permission checks over non-admin users (RS016–RS018, RS022, RS024–RS026)

function describeScanPass(facts: Facts, scan: PermissionScan, what: string): string {
  const judged = scan.judged.map((u) => u.name);
  if (judged.length === 0) return `no enabled non-admin user (${adminBasis(facts)})`;
  return `no non-admin user (${listNames(judged)}) may run ${what}${scanNotes(facts, scan)}`;
}

const SENTINEL =
  'a Sentinel runs its own small command set (no data commands, CONFIG SET, EVAL …): see RS050 and RS051';

/** fail / pass / unknown / skip (Sentinel) for "may a non-admin user run any of these commands". */
function permissionResult(
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

// RS016 -----------------------------------------------------------------------------------------------------------

/** Commands that administer the server, lose data or move it elsewhere. Scripting is RS022's. */
const DANGEROUS_HIGH = [
  'config|set',
  'config|rewrite',
  'module|load',
  'replicaof',
  'slaveof',
  'debug',
  'acl|setuser',
  'acl|deluser',
  'acl|load',
  'acl|save',
  'shutdown',
  'flushall',
  'flushdb',
  'swapdb',
  'migrate',
  'restore',
  'failover',
  'cluster|reset',
  'cluster|forget',
  'cluster|meet',
  'cluster|failover',
];
/** Blocking, snooping or copying commands. */
const DANGEROUS_MEDIUM = ['monitor', 'client|kill', 'keys', 'save', 'bgsave', 'bgrewriteaof', 'sync', 'psync'];
const REPLICATION_STREAM = new Set(['sync', 'psync']);

function evaluateDangerousCommands(facts: Facts): CheckResult {
  const { result, grants } = permissionResult(
    facts,
    [...DANGEROUS_HIGH, ...DANGEROUS_MEDIUM],
    `any of ${DANGEROUS_HIGH.length + DANGEROUS_MEDIUM.length} dangerous commands (CONFIG SET, MODULE LOAD, REPLICAOF, DEBUG, ACL SETUSER, FLUSHALL, SHUTDOWN, MONITOR, KEYS, …)`,
    '',
    {
      // A keyless user that may only stream the dataset (SYNC/PSYNC) is a replication or backup account.
      filter: (g) => {
        const commands =
          g.user.keyPatterns.length === 0 ? g.commands.filter((c) => !REPLICATION_STREAM.has(c)) : g.commands;
        return commands.length > 0 ? { user: g.user, commands } : undefined;
      },
    },
  );
  if (result.status !== 'fail') return result;
  const high = grants.some((g) => g.commands.some((c) => DANGEROUS_HIGH.includes(c)));
  return high ? result : { ...result, severity: 'medium' };
}

export const dangerousCommands: Check = defineCheck('RS016', evaluateDangerousCommands);

// RS017 -----------------------------------------------------------------------------------------------------------

function evaluateConfigSet(facts: Facts): CheckResult {
  const before7 = isBefore7(facts);
  const { result } = permissionResult(
    facts,
    ['config|set'],
    'CONFIG SET',
    before7
      ? ': before 7.0 CONFIG SET can point dir/dbfilename anywhere (file-write attacks)'
      : ': it can switch off protected-mode, change masterauth or raise limits',
  );
  if (result.status !== 'fail') return result;
  return before7 ? result : { ...result, severity: 'high' };
}

export const configSetForNonAdmins: Check = defineCheck('RS017', evaluateConfigSet);

// RS018 -----------------------------------------------------------------------------------------------------------

function evaluateReplicationCommands(facts: Facts): CheckResult {
  const { result } = permissionResult(
    facts,
    ['replicaof', 'slaveof'],
    'REPLICAOF or SLAVEOF',
    ': a rogue master can be attached',
  );
  const role = facts.info?.role;
  if (role === 'slave' && facts.info?.master_host) {
    return {
      ...result,
      evidence: `${result.evidence}; this server replicates from ${facts.info.master_host} (see RS041)`,
    };
  }
  return result;
}

export const replicationCommands: Check = defineCheck('RS018', evaluateReplicationCommands);

// RS022 -----------------------------------------------------------------------------------------------------------

const SCRIPTING = [
  'eval',
  'evalsha',
  'eval_ro',
  'evalsha_ro',
  'fcall',
  'fcall_ro',
  'script|load',
  'function|load',
  'function|restore',
];

function evaluateScripting(facts: Facts): CheckResult {
  const { result, grants } = permissionResult(
    facts,
    SCRIPTING,
    'scripting (EVAL, FCALL, SCRIPT LOAD, FUNCTION LOAD)',
    '',
  );
  if (result.status !== 'fail') return result;
  const viaWrite = grants.filter((g) => g.commands.includes('function|load') && !g.commands.includes('eval'));
  if (viaWrite.length === 0) return result;
  return {
    ...result,
    evidence: `${result.evidence}; FUNCTION LOAD for ${listNames(viaWrite.map((g) => g.user.name))} likely comes with +@write: put -@scripting after it`,
  };
}

export const scriptingForNonAdmins: Check = defineCheck('RS022', evaluateScripting);

// RS024 -----------------------------------------------------------------------------------------------------------

export const flushCommands: Check = defineCheck(
  'RS024',
  (facts) =>
    permissionResult(facts, ['flushall', 'flushdb'], 'FLUSHALL or FLUSHDB', ': one command wipes the data').result,
);

// RS025 -----------------------------------------------------------------------------------------------------------

export const keysCommand: Check = defineCheck(
  'RS025',
  (facts) => permissionResult(facts, ['keys'], 'KEYS', ': it blocks the server on a large keyspace (use SCAN)').result,
);

// RS026 -----------------------------------------------------------------------------------------------------------

/**
 * MONITOR streams every command (data included) — no non-admin should have it. CLIENT LIST shows every peer; the
 * monitoring and audit accounts need it, so it counts only for users that can also reach keys (applications).
 */
function evaluateMonitorClientList(facts: Facts): CheckResult {
  const monitor = permissionResult(facts, ['monitor'], 'MONITOR', '');
  const clientList = permissionResult(facts, ['client|list'], 'CLIENT LIST', '', {
    include: (u) => !isAdminUser(facts, u) && u.keyPatterns.length > 0,
  });
  const grants = [...monitor.grants, ...clientList.grants];
  if (grants.length > 0) {
    const byUser = new Map<string, Grant>();
    for (const g of grants) {
      const seen = byUser.get(g.user.name);
      byUser.set(g.user.name, seen ? { user: g.user, commands: [...seen.commands, ...g.commands] } : g);
    }
    const merged = [...byUser.values()];
    return fail(
      `${describeGrants(merged)}: MONITOR shows every command and its data, CLIENT LIST every peer`,
      grantLocation(merged),
    );
  }
  if (monitor.result.status === 'skip') return monitor.result;
  if (monitor.result.status === 'unknown') return monitor.result;
  if (clientList.result.status === 'unknown') return clientList.result;
  return pass(`${monitor.result.evidence}; CLIENT LIST: ${clientList.result.evidence}`);
}

export const monitorClientList: Check = defineCheck('RS026', evaluateMonitorClientList);

export const AUTHORIZATION_CHECKS: Check[] = [
  defaultUserPrivileged,
  nopassBroadUser,
  superuserSprawl,
  dangerousCommands,
  configSetForNonAdmins,
  replicationCommands,
  scriptingForNonAdmins,
  flushCommands,
  keysCommand,
  monitorClientList,
];
