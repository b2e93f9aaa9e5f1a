/**
 * The ACL side of a live audit, as pure functions over replies: `ACL LIST` lines → AclUser, `ACL LOG` entries,
 * `ACL DRYRUN` answers, and whether a user's own rules let it run a command (so the audit does not send a command
 * it would only be refused, which would add an entry to the server's ACL LOG and errorstats on every audit).
 */
import { AclParseError, parseAclListLine } from '../redis/acl-rules.ts';
import type { AclUser } from '../redis/acl-user.ts';
import { type CommandTable, loadCommandTable, userCan } from './acl-eval.ts';
import type { AclLogEntry } from './facts.ts';

/**
 * An `ACL LIST` reply → users, each line read by src/redis/acl-rules.ts. A line that is not a `user …` line, or
 * holds a rule Redis itself would refuse, is left out.
 */
export function aclUsersFromReply(reply: unknown): AclUser[] {
  if (!Array.isArray(reply)) return [];
  const users: AclUser[] = [];
  for (const line of reply) {
    try {
      users.push(parseAclListLine(String(line)));
    } catch (err) {
      if (!(err instanceof AclParseError)) throw err;
    }
  }
  return users;
}

function pairs(value: unknown): Map<string, unknown> {
  const m = new Map<string, unknown>();
  if (Array.isArray(value)) for (let i = 0; i + 1 < value.length; i += 2) m.set(String(value[i]), value[i + 1]);
  return m;
}

/** `addr=1.2.3.4:5678` from an ACL LOG client-info string. */
function clientAddr(clientInfo: unknown): string | undefined {
  const m = /(?:^|\s)addr=(\S+)/.exec(String(clientInfo ?? ''));
  return m ? m[1] : undefined;
}

/** `ACL LOG <n>` reply (RESP2: one flat field/value list per entry) → entries, newest first as the server sends. */
export function parseAclLog(reply: unknown): AclLogEntry[] {
  if (!Array.isArray(reply)) return [];
  const out: AclLogEntry[] = [];
  for (const raw of reply) {
    const e = pairs(raw);
    if (!e.has('reason')) continue;
    const entry: AclLogEntry = {
      reason: String(e.get('reason')),
      context: String(e.get('context') ?? ''),
      object: String(e.get('object') ?? ''),
      username: String(e.get('username') ?? ''),
      count: Number(e.get('count') ?? 1),
      ageSeconds: Number(e.get('age-seconds') ?? 0),
    };
    const addr = clientAddr(e.get('client-info'));
    if (addr) entry.clientAddr = addr;
    out.push(entry);
  }
  return out;
}

/**
 * An `ACL DRYRUN` answer → whether the user may run the command: 'OK' yes; "no permissions to run" no; a key or
 * channel refusal ("no permissions to access …") still means the command itself is granted (the probe's key name
 * is arbitrary). Anything else (an error reply, e.g. the command is renamed or unknown) → undefined.
 */
export function dryRunAllowed(reply: { ok: true; value: unknown } | { ok: false; error: Error }): boolean | undefined {
  if (!reply.ok) return undefined;
  const text = String(reply.value);
  if (text === 'OK') return true;
  if (/no permissions to run/i.test(text)) return false;
  if (/no permissions to access/i.test(text)) return true;
  return undefined;
}

/**
 * Whether a user's root rules let it run `command` (ACL form: 'config|get'), evaluated by acl-eval.ts against
 * `table` (default: the bundled Redis 7.0 one). undefined when they do not but the user has selectors: the server
 * (ACL DRYRUN) then decides.
 */
export function rootRulesAllow(
  user: AclUser,
  command: string,
  table: CommandTable = loadCommandTable(),
): boolean | undefined {
  const { selectors, ...root } = user;
  if (userCan(root, command, table)) return true;
  return selectors && selectors.length > 0 ? undefined : false;
}
