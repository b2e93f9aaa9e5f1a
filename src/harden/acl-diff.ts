/**
 * Compares ACL users by what they may do rather than by how their rules are spelled: Redis rewrites rules into its
 * own form (`+@read +@write -@dangerous` comes back from ACL LIST as `+@string +@hash … -flushall -keys`), so a
 * text comparison would report a change on every run. Both sides are evaluated against the server's own command
 * table (`COMMAND`), the way acl.c sets its command bits.
 */

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
  /** Selectors `(…)` (Redis 7), as written. */
  selectors: string[];
  /** Other flags (sanitize-payload …). */
  flags: string[];
}

/** Splits an ACL rule line on spaces, keeping selectors `( … )` together. */
export function splitAclRules(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (const ch of line) {
    if (ch === '(') depth++;
    if (ch === ')') depth = Math.max(0, depth - 1);
    if (ch === ' ' && depth === 0) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

/** Parses one `ACL LIST` line: `user app on #<hash> ~* &* -@all +@read …`. */
export function parseAclListLine(line: string): LiveAclUser | undefined {
  const tokens = splitAclRules(line.trim());
  if (tokens[0] !== 'user' || tokens.length < 2) return undefined;
  const u: LiveAclUser = {
    name: tokens[1],
    enabled: false,
    nopass: false,
    passwordCount: 0,
    keys: [],
    channels: [],
    commands: [],
    selectors: [],
    flags: [],
  };
  for (const t of tokens.slice(2)) {
    if (t === 'on') u.enabled = true;
    else if (t === 'off') u.enabled = false;
    else if (t === 'nopass') u.nopass = true;
    else if (t.startsWith('#') || t.startsWith('>')) u.passwordCount++;
    else if (t === 'allkeys') u.keys.push('~*');
    else if (t === 'resetkeys') u.keys = [];
    else if (t.startsWith('~') || /^%[RW]+~/.test(t)) u.keys.push(t);
    else if (t === 'allchannels') u.channels.push('&*');
    else if (t === 'resetchannels') u.channels = [];
    else if (t.startsWith('&')) u.channels.push(t);
    else if (t === 'allcommands') u.commands.push('+@all');
    else if (t === 'nocommands') u.commands.push('-@all');
    else if (t.startsWith('+') || t.startsWith('-')) u.commands.push(t);
    else if (t.startsWith('(')) u.selectors.push(t);
    else u.flags.push(t);
  }
  return u;
}

export function parseAclList(reply: unknown): LiveAclUser[] {
  if (!Array.isArray(reply)) return [];
  return reply.map((l) => parseAclListLine(String(l))).filter((u): u is LiveAclUser => u !== undefined);
}

/** A command or subcommand (`config|get`) and its ACL categories (without '@'). */
interface CommandEntry {
  categories: Set<string>;
  subcommands: string[];
}

export type CommandTable = Map<string, CommandEntry>;

/** Reads the reply of `COMMAND`: name at 0, ACL categories at 6, subcommands at 9 (Redis 7). */
export function parseCommandTable(reply: unknown): CommandTable {
  const table: CommandTable = new Map();
  const add = (entry: unknown): string | undefined => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') return undefined;
    const name = entry[0].toLowerCase();
    const cats = Array.isArray(entry[6]) ? entry[6].map((c) => String(c).replace(/^@/, '').toLowerCase()) : [];
    const subs = Array.isArray(entry[9]) ? entry[9].map(add).filter((s): s is string => s !== undefined) : [];
    table.set(name, { categories: new Set(cats), subcommands: subs });
    return name;
  };
  if (Array.isArray(reply)) for (const e of reply) add(e);
  return table;
}

/**
 * The commands (and subcommands) a list of command rules allows, or undefined when a rule cannot be evaluated
 * here (first-argument rules such as `+select|0`, or a command this server does not have).
 */
export function allowedCommands(rules: string[], table: CommandTable): Set<string> | undefined {
  const allowed = new Set<string>();
  const setCommand = (name: string, allow: boolean) => {
    // A whole command: the container and all of its subcommands (ACLChangeSelectorPerm).
    const e = table.get(name);
    if (!e) return;
    for (const n of [name, ...e.subcommands]) allow ? allowed.add(n) : allowed.delete(n);
  };
  for (const rule of rules) {
    const allow = rule.startsWith('+');
    const body = rule.slice(1).toLowerCase();
    if (body === '@all') {
      allowed.clear();
      if (allow) for (const n of table.keys()) allowed.add(n);
    } else if (body.startsWith('@')) {
      const cat = body.slice(1);
      // Every command and subcommand in the category; a matching container brings its subcommands along.
      for (const [name, e] of table) if (e.categories.has(cat)) setCommand(name, allow);
    } else if (body.includes('|')) {
      const container = body.slice(0, body.indexOf('|'));
      if (!table.get(container)?.subcommands.includes(body)) return undefined;
      allow ? allowed.add(body) : allowed.delete(body);
    } else {
      if (!table.has(body)) return undefined;
      setCommand(body, allow);
    }
  }
  return allowed;
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
