/**
 * Authorization: what the ACL users may do. RS005 (default user keeps +@all next to named users), RS006 (nopass
 * user with broad rights), RS007 (superuser sprawl), RS016 (dangerous commands for non-admins), RS017 (CONFIG SET),
 * RS018 (REPLICAOF/SLAVEOF), RS022 (scripting), RS024 (FLUSHALL/FLUSHDB), RS055 (passwords readable through CONFIG
 * GET). Answers come from ACL DRYRUN when the audit had it, else from the rules and the command table. RS025 (KEYS)
 * and RS026 (MONITOR/CLIENT LIST) are computed the same way but live in their catalogue categories, availability.ts
 * and confidentiality.ts.
 */

import type { AclUser } from '../../redis/acl-user.ts';
import { CATALOGUE } from '../catalogue.ts';
import { type Check, type CheckResult, fail, pass, skip, unknown } from '../check.ts';
import { defineCheck } from '../define-check.ts';
import type { Facts } from '../facts.ts';
import { listItems, listNames, printable } from '../finding-text.ts';
import { rootRulesAllow } from '../live-acl.ts';
import { defaultUserLocation, resolveUsers } from '../views/acl-users.ts';
import { hasAllCommands, hasAllKeys, permissionResult, userMayRun } from '../views/permissions.ts';
import { isBefore7 } from '../views/server-version.ts';
import { configUnknown, configValue, whyUnobserved } from '../views/settings.ts';

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
// Permission checks over non-admin users (RS016–RS018, RS022, RS024); permissionResult is in shared.ts

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
  return result;
}

export const configSetForNonAdmins: Check = {
  ...defineCheck('RS017', evaluateConfigSet),
  // Critical where CONFIG SET can still point dir/dbfilename anywhere (before 7.0); from 7.0 on those are protected
  // configs, so high. The same for every status: a pass or an unknown does not carry another severity label.
  severityFor: (facts) => (isBefore7(facts) ? 'critical' : 'high'),
};

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
// RS055 -----------------------------------------------------------------------------------------------------------
// CONFIG GET returns requirepass and masterauth in plaintext, so a user allowed to read the configuration —
// typically a monitoring user — holds the passwords.

/** ACL DRYRUN's answer when the audit asked it, else the user's rules (undefined: selectors may grant it). */
function may(facts: Facts, user: AclUser, command: 'config|get' | 'config|set'): boolean | undefined {
  const answer = facts.dryRun?.[user.name]?.[command];
  if (answer !== undefined) return answer;
  return rootRulesAllow(user, command);
}

export const checkPasswordsReadable: Check = {
  ...CATALOGUE.RS055,
  evaluate(facts) {
    const requirepass = configValue(facts, 'requirepass');
    const masterauth = configValue(facts, 'masterauth');
    if (!requirepass && !masterauth) return unknown(configUnknown(facts, 'requirepass, masterauth'));
    const secrets = [requirepass, masterauth].filter((v) => v !== undefined && v.value !== '').map((v) => v?.name);
    if (secrets.length === 0)
      return skip('requirepass and masterauth are not set: CONFIG GET has no password to give away');
    const what = secrets.length > 1 ? `${secrets.join(' and ')} are set` : `${secrets[0]} is set`;
    const users = facts.users;
    if (!users) {
      if (!facts.live && !configValue(facts, 'aclfile')?.value)
        return pass(`${what}; no ACL users besides the default user, which may run every command anyway`);
      return unknown(whyUnobserved(facts, 'users', 'ACL users'));
    }
    // An empty admin list is the same as none given.
    const admins = facts.inventory?.adminUsers?.length ? facts.inventory.adminUsers : undefined;
    // Without an admin list, an admin is a user who may also change the configuration (CONFIG SET): it could
    // set the passwords anyway. A user who may only read it is a monitoring-style user.
    const readers = users.filter(
      (u) =>
        u.enabled &&
        !admins?.includes(u.name) &&
        may(facts, u, 'config|get') === true &&
        (admins !== undefined || may(facts, u, 'config|set') !== true),
    );
    if (readers.length > 0) {
      const names = readers.map((u) => printable(u.name, 40));
      const who = admins !== undefined ? 'not in the admin list' : 'may read but not change the configuration';
      return fail(
        `${readers.length > 1 ? 'users' : 'user'} ${listItems(names)} may run CONFIG GET (${who}) while ${what}: CONFIG GET returns ${secrets.length > 1 ? 'them' : 'it'} in plaintext`,
        readers.find((u) => u.location)?.location,
      );
    }
    return pass(`${what}; only admins may run CONFIG GET`);
  },
};

export const AUTHORIZATION_CHECKS: Check[] = [
  defaultUserPrivileged,
  nopassBroadUser,
  superuserSprawl,
  dangerousCommands,
  configSetForNonAdmins,
  replicationCommands,
  scriptingForNonAdmins,
  flushCommands,
  checkPasswordsReadable,
];
