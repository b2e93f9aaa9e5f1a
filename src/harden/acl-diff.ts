/**
 * Compares ACL users by what they may do rather than by how their rules are spelled: Redis rewrites rules into its
 * own form (`+@read +@write -@dangerous` comes back from ACL LIST as `+@string +@hash … -flushall -keys`), so a
 * text comparison would report a change on every run. Both sides are evaluated against the server's own command
 * table (`COMMAND INFO`), by the audit's evaluator (src/security/acl-eval.ts), which sets command bits as acl.c does.
 */

import type { AclUser } from '../redis/acl-user.ts';
import { allowedCommands, type CommandTable } from '../security/acl-eval.ts';

/** One user as `ACL LIST` shows it, split into parts; password hashes are counted, never kept. */
export interface LiveAclUser {
  name: string;
  enabled: boolean;
  nopass: boolean;
  passwordCount: number;
  /** '~*', '%R~app:*' …; `allkeys` is '~*'. */
  keys: string[];
  /** '&*' …; `allchannels` is '&*'. */
  channels: string[];
  /** Command rules in order, `allcommands` as '+@all', `nocommands` as '-@all'. */
  commands: string[];
  /** Selectors `(…)` (Redis 7), as ACL LIST writes them. */
  selectors: string[];
  /** 'sanitize-payload' or 'skip-sanitize-payload'. */
  flags: string[];
}

/**
 * The parts of a user (as src/redis/acl-rules.ts parses an `ACL LIST` line) the plan compares and shows; password
 * hashes become a count. Channels and selectors are written the way ACL LIST writes them.
 */
export function liveAclUser(user: AclUser): LiveAclUser {
  return {
    name: user.name,
    enabled: user.enabled,
    nopass: user.nopass,
    passwordCount: user.passwordHashes.length,
    keys: [...user.keyPatterns],
    channels: user.channelPatterns.map((c) => `&${c}`),
    commands: [...user.commandRules],
    selectors: (user.selectors ?? []).map(
      (s) =>
        `(${[
          ...s.keyPatterns,
          ...(s.channelPatterns.includes('*') ? ['&*'] : ['resetchannels', ...s.channelPatterns.map((c) => `&${c}`)]),
          ...s.commandRules,
        ].join(' ')})`,
    ),
    // A user without skip-sanitize-payload has its payloads sanitised.
    flags: [user.skipSanitizePayload ? 'skip-sanitize-payload' : 'sanitize-payload'],
  };
}

function sameSet(a: Iterable<string>, b: Iterable<string>): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

/** Whether a user already allows exactly what the desired rules allow (passwords aside). */
export function sameRights(
  current: LiveAclUser,
  desired: { enabled: boolean; keys: string[]; channels: string[]; commands: string[] },
  table: CommandTable,
): boolean {
  if (current.enabled !== desired.enabled) return false;
  if (current.selectors.length > 0) return false;
  if (!sameSet(current.keys, desired.keys) || !sameSet(current.channels, desired.channels)) return false;
  const a = allowedCommands(current.commands, table);
  const b = allowedCommands(desired.commands, table);
  return a !== undefined && b !== undefined && sameSet(a, b);
}

/** A user for display, with passwords reduced to a count: `on <1 password> ~* &* +@all`. */
export function describeUser(u: LiveAclUser): string {
  const parts = [u.enabled ? 'on' : 'off'];
  if (u.nopass) parts.push('nopass');
  else
    parts.push(
      u.passwordCount === 0 ? '<no password>' : `<${u.passwordCount} password${u.passwordCount > 1 ? 's' : ''}>`,
    );
  parts.push(...u.keys, ...(u.channels.length ? u.channels : ['resetchannels']), ...u.commands, ...u.selectors);
  return parts.join(' ');
}
