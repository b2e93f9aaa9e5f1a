/**
 * The ACL side of a live audit, as pure functions over replies: `ACL LIST` lines → AclUser, `ACL LOG` entries,
 * `ACL DRYRUN` answers, and whether a user's own rules let it run a command (so the audit does not send a command
 * it would only be refused, which would add an entry to the server's ACL LOG and errorstats on every audit).
 */
import { createHash } from 'node:crypto';
import type { AclLogEntry, AclUser } from './facts.ts';

export interface ParsedAclLine {
  user: AclUser;
  /** Selector groups as written, e.g. '(~app:* +get)' (Redis 7.0+): permissions on top of the root rules. */
  selectors: string[];
}

/** Splits an ACL rule line into tokens, keeping a parenthesised selector together as one token. */
function aclTokens(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i])) i++;
    if (i >= line.length) break;
    let j = i;
    if (line[i] === '(') {
      const close = line.indexOf(')', i);
      j = close < 0 ? line.length : close + 1;
    } else {
      while (j < line.length && !/\s/.test(line[j])) j++;
    }
    out.push(line.slice(i, j));
    i = j;
  }
  return out;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/**
 * One `ACL LIST` line (`user alice on #<sha256> ~app:* resetchannels -@all +get`) → AclUser. A minimal reader of
 * the normalised form the server prints; the full rule grammar (files, includes, errors) is src/redis/acl-rules.ts.
 */
export function parseAclListLine(line: string): ParsedAclLine | undefined {
  const tokens = aclTokens(line.trim());
  if (tokens.length < 2 || tokens[0].toLowerCase() !== 'user') return undefined;
  const user: AclUser = {
    name: tokens[1],
    enabled: false,
    nopass: false,
    passwordHashes: [],
    plaintextPasswords: [],
    keyPatterns: [],
    channelPatterns: [],
    commandRules: [],
  };
  const selectors: string[] = [];
  for (const t of tokens.slice(2)) {
    const lower = t.toLowerCase();
    if (t.startsWith('(')) selectors.push(t);
    else if (lower === 'on') user.enabled = true;
    else if (lower === 'off') user.enabled = false;
    else if (lower === 'nopass') {
      user.nopass = true;
      user.passwordHashes = [];
      user.plaintextPasswords = [];
    } else if (lower === 'resetpass') {
      user.nopass = false;
      user.passwordHashes = [];
      user.plaintextPasswords = [];
    } else if (t.startsWith('#')) {
      user.passwordHashes.push(t.slice(1).toLowerCase());
      user.nopass = false;
    } else if (t.startsWith('>')) {
      user.plaintextPasswords.push(t.slice(1));
      user.passwordHashes.push(sha256(t.slice(1)));
      user.nopass = false;
    } else if (t.startsWith('~') || t.startsWith('%')) user.keyPatterns.push(t);
    else if (lower === 'allkeys') user.keyPatterns.push('~*');
    else if (lower === 'resetkeys') user.keyPatterns = [];
    else if (t.startsWith('&')) user.channelPatterns.push(t.slice(1));
    else if (lower === 'allchannels') user.channelPatterns = ['*'];
    else if (lower === 'resetchannels') user.channelPatterns = [];
    else if (lower === 'allcommands') user.commandRules.push('+@all');
    else if (lower === 'nocommands') user.commandRules.push('-@all');
    else if (t.startsWith('+') || t.startsWith('-')) user.commandRules.push(lower);
    // sanitize-payload, skip-sanitize-payload, clearselectors: nothing an audit reads.
  }
  return { user, selectors };
}

/** `ACL LIST` reply → users (and their selectors by name). */
export function parseAclList(reply: unknown): { users: AclUser[]; selectors: Record<string, string[]> } {
  const users: AclUser[] = [];
  const selectors: Record<string, string[]> = {};
  if (!Array.isArray(reply)) return { users, selectors };
  for (const line of reply) {
    const parsed = parseAclListLine(String(line));
    if (!parsed) continue;
    users.push(parsed.user);
    if (parsed.selectors.length > 0) selectors[parsed.user.name] = parsed.selectors;
  }
  return { users, selectors };
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
 * Whether root rules (normalised, in order, as ACL LIST prints them) allow `command` (ACL form: 'config|get'),
 * given the command's ACL categories. undefined when the rules cannot tell (selectors may grant it).
 */
export function rulesAllow(
  rules: readonly string[],
  command: string,
  categories: readonly string[],
  hasSelectors = false,
): boolean | undefined {
  const [parent] = command.split('|');
  let allowed = false;
  for (const rule of rules) {
    const sign = rule[0];
    const what = rule.slice(1).toLowerCase();
    let hit: boolean;
    if (what === '@all') hit = true;
    else if (what.startsWith('@')) hit = categories.includes(what.slice(1));
    else hit = what === parent || what === command;
    if (hit) allowed = sign === '+';
  }
  if (allowed) return true;
  return hasSelectors ? undefined : false;
}
