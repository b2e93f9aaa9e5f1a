/** Who may run what: the permission scan the authorization, hardening, vulnerability and availability checks share. */

import { newAclUser } from '../../redis/acl-rules.ts';
import type { AclUser } from '../../redis/acl-user.ts';
import { type CommandTable, loadCommandTable, userCan } from '../acl-eval.ts';
import { type CheckResult, fail, pass, skip, unknown } from '../check.ts';
import type { Facts } from '../facts.ts';
import { listNames } from '../finding-text.ts';
import { resolveUsers, type UsersView } from './acl-users.ts';
import { isBefore7, isSentinel } from './server-version.ts';
import { setting } from './settings.ts';

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
