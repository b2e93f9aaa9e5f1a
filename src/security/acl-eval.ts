/**
 * Whether an ACL user may run a command, decided the way Redis 7 decides it (acl.c: `ACLSetSelector`,
 * `ACLSelectorCheckCmd`), from the user's rules and a command table:
 *
 * - rules apply in order to a set of allowed commands (one bit per command and per subcommand);
 * - `+@all`/`allcommands` allows everything, including commands that appear later (modules); `-@all`/
 *   `nocommands` clears everything;
 * - `+@cat`/`-@cat` sets every command in the category — and when a container command is in it (CONFIG, CLIENT …
 *   are all @slow), every one of its subcommands too: `-@all +@slow` grants CONFIG SET, `+@all -@slow` takes
 *   away CLIENT ID. Then each subcommand in the category;
 * - `+cmd`/`-cmd` sets the command and all its subcommands; `+cmd|sub`/`-cmd|sub` one subcommand;
 * - `+cmd|arg` for a command without subcommands allows only that first argument (`+select|0`);
 * - commands flagged no_auth (AUTH, HELLO) are always allowed;
 * - a user's selectors each grant on their own: the user may run a command when its root rules or any selector
 *   allow it.
 *
 * Only command permissions are evaluated: key and channel patterns, on/off and passwords are not (ACL DRYRUN
 * answers the same question for a user with `~* &*`).
 */

import type { AclUser } from '../redis/acl-user.ts';
import table70 from './data/command-table-7.0.json' with { type: 'json' };

export interface CommandInfo {
  /** COMMAND INFO arity: n = exactly n arguments including the name (and subcommand), -n = at least n. */
  arity: number;
  /** COMMAND INFO flags (admin, noscript, no_auth, write …), sorted. */
  flags: string[];
  /** ACL categories without '@', sorted. */
  categories: string[];
  /** COMMAND DOCS group (server, scripting, connection …). */
  group?: string;
  /** Container commands (config, client, acl …): full names of their subcommands ('config|get'), sorted. */
  subcommands?: string[];
}

/** A server's commands, from COMMAND INFO, COMMAND DOCS and ACL CAT. */
export interface CommandTable {
  redisVersion: string;
  /** ACL CAT: every category name. */
  categories: string[];
  /** By full name in lower case: 'get', 'config', 'config|get'. */
  commands: Record<string, CommandInfo>;
}

/** The Redis 7.0.15 command table (src/security/data/command-table-7.0.json, from scripts/gen-command-table.ts). */
export const REDIS_7_0_COMMAND_TABLE: CommandTable = table70 as CommandTable;

/** The command table the audit evaluates ACL rules against when the server's own is not known. */
export function loadCommandTable(): CommandTable {
  return REDIS_7_0_COMMAND_TABLE;
}

function lower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

// ---------------------------------------------------------------------------------------------------------------
// Building a table from a server's replies (the generator, or a live server of another version).

function pairs(value: unknown): Map<string, unknown> {
  const m = new Map<string, unknown>();
  if (Array.isArray(value)) for (let i = 0; i + 1 < value.length; i += 2) m.set(lower(String(value[i])), value[i + 1]);
  else if (value instanceof Map) for (const [k, v] of value) m.set(lower(String(k)), v);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) m.set(lower(k), v);
  return m;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map((v) => String(v)) : [];
}

function sortedObject<T>(o: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k];
  return out;
}

/**
 * A command table from a server's `COMMAND INFO` (no arguments: every command), `COMMAND DOCS`, `ACL CAT` and
 * `redis_version` replies (RESP2 shapes, as RedisConnection returns them). Deterministic: everything sorted. Without an
 * `ACL CAT` reply (undefined) the categories are those the commands carry; without `COMMAND DOCS` there are no
 * groups.
 */
export function buildCommandTable(
  commandInfo: unknown,
  commandDocs: unknown,
  aclCat: unknown,
  redisVersion: string,
): CommandTable {
  const commands: Record<string, CommandInfo> = {};
  const groups = new Map<string, string>();
  for (const [name, doc] of pairs(commandDocs)) {
    const d = pairs(doc);
    if (d.has('group')) groups.set(name, String(d.get('group')));
    for (const [sub, subDoc] of pairs(d.get('subcommands'))) {
      const sd = pairs(subDoc);
      if (sd.has('group')) groups.set(sub, String(sd.get('group')));
    }
  }
  const add = (entry: unknown): string | undefined => {
    if (!Array.isArray(entry) || entry.length < 7) return undefined;
    const name = lower(String(entry[0]));
    const info: CommandInfo = {
      arity: Number(entry[1]),
      flags: strings(entry[2]).map(lower).sort(),
      categories: strings(entry[6])
        .map((c) => lower(c.replace(/^@/, '')))
        .sort(),
    };
    const group = groups.get(name);
    if (group !== undefined) info.group = group;
    const subs = Array.isArray(entry[9]) ? entry[9] : [];
    const subNames = subs.map(add).filter((s): s is string => s !== undefined);
    if (subNames.length > 0) info.subcommands = subNames.sort();
    commands[name] = info;
    return name;
  };
  if (Array.isArray(commandInfo)) for (const entry of commandInfo) add(entry);
  const categories =
    aclCat === undefined ? [...new Set(Object.values(commands).flatMap((c) => c.categories))] : strings(aclCat);
  return {
    redisVersion,
    categories: categories.map(lower).sort(),
    commands: sortedObject(commands),
  };
}

/** The table as JSON, one command per line (reviewable diffs), ending with a newline. */
export function commandTableJson(table: CommandTable): string {
  const names = Object.keys(table.commands).sort();
  const lines = names.map((n) => `    ${JSON.stringify(n)}: ${JSON.stringify(table.commands[n])}`);
  return `{\n  "redisVersion": ${JSON.stringify(table.redisVersion)},\n  "categories": ${JSON.stringify(
    table.categories,
  )},\n  "commands": {\n${lines.join(',\n')}\n  }\n}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation.

/** One selector's permissions after its rules: the server's command bitmap and first-args. */
interface CompiledRules {
  /** SELECTOR_FLAG_ALLCOMMANDS: set by +@all, cleared by any rule that removes a command. */
  allCommands: boolean;
  /** The reserved "future commands" bit: set by +@all, cleared only by -@all (commands not in the table). */
  future: boolean;
  allowed: Set<string>;
  /** command → allowed first arguments (lower case), from `+select|0`. */
  firstArgs: Map<string, Set<string>>;
  problems: string[];
}

/** lookupCommandBySdsLogic (strict): 'get', 'config', 'config|get'; undefined for 'get|x', 'a|b|c', unknown. */
function lookup(table: CommandTable, name: string): { name: string; info: CommandInfo } | undefined {
  const parts = name.split('|');
  if (parts.length > 2) return undefined;
  const base = table.commands[parts[0]];
  if (!base || parts[0].includes('|')) return undefined;
  if (parts.length === 1) return { name: parts[0], info: base };
  if (!base.subcommands) return undefined;
  const info = table.commands[name];
  return info ? { name, info } : undefined;
}

function compileRules(rules: readonly string[], table: CommandTable): CompiledRules {
  const c: CompiledRules = {
    allCommands: false,
    future: false,
    allowed: new Set(),
    firstArgs: new Map(),
    problems: [],
  };
  const setBit = (name: string, allow: boolean) => {
    if (allow) c.allowed.add(name);
    else {
      c.allowed.delete(name);
      c.allCommands = false;
    }
  };
  // ACLChangeSelectorPerm: the command, its first-args reset, and every subcommand.
  const changePerm = (name: string, info: CommandInfo, allow: boolean) => {
    setBit(name, allow);
    c.firstArgs.delete(name);
    for (const sub of info.subcommands ?? []) setBit(sub, allow);
  };
  for (const raw of rules) {
    const rule = lower(raw);
    if (rule === '+@all' || rule === 'allcommands') {
      c.allowed = new Set(Object.keys(table.commands));
      c.allCommands = true;
      c.future = true;
      c.firstArgs.clear();
      continue;
    }
    if (rule === '-@all' || rule === 'nocommands') {
      c.allowed.clear();
      c.allCommands = false;
      c.future = false;
      c.firstArgs.clear();
      continue;
    }
    const allow = rule[0] === '+';
    if ((rule[0] !== '+' && rule[0] !== '-') || rule.length < 2) {
      c.problems.push(`'${raw}' is not a command rule`);
      continue;
    }
    if (rule[1] === '@') {
      const category = rule.slice(2);
      if (!table.categories.includes(category)) {
        c.problems.push(`unknown ACL category '@${category}'`);
        continue;
      }
      for (const [name, info] of Object.entries(table.commands)) {
        if (name.includes('|') || info.flags.includes('module')) continue;
        if (info.categories.includes(category)) changePerm(name, info, allow);
        for (const sub of info.subcommands ?? []) {
          const subInfo = table.commands[sub];
          if (subInfo?.categories.includes(category)) changePerm(sub, subInfo, allow);
        }
      }
      continue;
    }
    const name = rule.slice(1);
    if (!allow || !name.includes('|')) {
      const cmd = lookup(table, name);
      if (!cmd) c.problems.push(`unknown command '${name}'`);
      else changePerm(cmd.name, cmd.info, allow);
      continue;
    }
    const cut = name.lastIndexOf('|');
    const parentName = name.slice(0, cut);
    const arg = name.slice(cut + 1);
    const parent = lookup(table, parentName);
    if (!parent) c.problems.push(`unknown command '${parentName}'`);
    else if (parentName.includes('|')) c.problems.push(`'${raw}': first-args of a subcommand cannot be allowed`);
    else if (arg === '') c.problems.push(`'${raw}': empty subcommand`);
    else if (parent.info.subcommands) {
      const sub = lookup(table, name);
      if (!sub) c.problems.push(`unknown command '${name}'`);
      else changePerm(sub.name, sub.info, true);
    } else {
      const set = c.firstArgs.get(parent.name) ?? new Set<string>();
      set.add(arg);
      c.firstArgs.set(parent.name, set);
    }
  }
  return c;
}

const compiledCache = new WeakMap<CommandTable, Map<string, CompiledRules>>();

function compiled(rules: readonly string[], table: CommandTable): CompiledRules {
  let byRules = compiledCache.get(table);
  if (!byRules) {
    byRules = new Map();
    compiledCache.set(table, byRules);
  }
  const key = rules.join('\u0000');
  let c = byRules.get(key);
  if (!c) {
    c = compileRules(rules, table);
    if (byRules.size > 10_000) byRules.clear();
    byRules.set(key, c);
  }
  return c;
}

/** ACLSelectorCheckCmd, command part. */
function selectorAllows(c: CompiledRules, name: string, info: CommandInfo, firstArg: string | undefined): boolean {
  if (c.allCommands || info.flags.includes('no_auth')) return true;
  if (c.allowed.has(name)) return true;
  return firstArg !== undefined && (c.firstArgs.get(name)?.has(firstArg) ?? false);
}

function ruleSets(user: AclUser): Array<readonly string[]> {
  return [user.commandRules, ...(user.selectors ?? []).map((s) => s.commandRules)];
}

/**
 * Whether `user`'s rules let it run `command`, exactly as Redis 7 decides (see the top of this file). `command` in
 * ACL form, case-insensitive: 'flushall', 'config|set', 'function|load'; 'select|0' asks about one first argument
 * of a command without subcommands. A container alone ('config') asks whether any of its subcommands is allowed.
 * A command the table does not know (a module's) is allowed only to users whose last +@all/-@all was +@all, as in
 * Redis. Ignores on/off, passwords and key/channel patterns.
 */
export function userCan(user: AclUser, command: string, table: CommandTable): boolean {
  const name = lower(command.trim()).replace(/\s+/g, '|');
  const sets = ruleSets(user).map((rules) => compiled(rules, table));
  const direct = lookup(table, name);
  if (direct) {
    const subs = direct.info.subcommands;
    if (subs && !name.includes('|'))
      return subs.some((s) => sets.some((c) => selectorAllows(c, s, table.commands[s], undefined)));
    return sets.some((c) => selectorAllows(c, direct.name, direct.info, undefined));
  }
  const cut = name.indexOf('|');
  if (cut > 0 && name.indexOf('|', cut + 1) < 0) {
    const parent = lookup(table, name.slice(0, cut));
    if (parent && !parent.info.subcommands) {
      const arg = name.slice(cut + 1);
      return sets.some((c) => selectorAllows(c, parent.name, parent.info, arg));
    }
  }
  return sets.some((c) => c.future);
}

/**
 * The commands and subcommands (full names: 'get', 'config', 'config|get') a list of command rules allows, or
 * undefined when the rules hold something a set of names cannot say or the table does not know: a first-argument
 * rule (`+select|0`), an unknown command or category. For comparing two spellings of the same rights.
 */
export function allowedCommands(rules: readonly string[], table: CommandTable): Set<string> | undefined {
  const c = compiled(rules, table);
  if (c.problems.length > 0 || c.firstArgs.size > 0) return undefined;
  return new Set(c.allowed);
}

/**
 * What in a user's command rules the server would refuse against this table (unknown command or category, a
 * first-arg of a subcommand …) — rules an aclfile or `user` line may not contain. Empty when all are valid.
 */
export function aclRuleProblems(user: AclUser, table: CommandTable): string[] {
  return ruleSets(user).flatMap((rules) => compileRules(rules, table).problems);
}

/** Every command and subcommand name in the table that can be run ('config|get', not the container 'config'). */
export function runnableCommands(table: CommandTable): string[] {
  return Object.entries(table.commands)
    .filter(([, info]) => !info.subcommands)
    .map(([name]) => name)
    .sort();
}
