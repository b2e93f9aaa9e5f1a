import { DEFAULT_USER_RULES, HARDENED_USERS, type HardenedUser, USER_SPECS, userRules } from '../catalog/acl-users.ts';
import { DEFAULT_LOGFILE, type Directive } from '../catalog/secure-conf.ts';
import { parseMemorySize } from '../redis/memory-size.ts';
import type { CommandTable } from '../security/acl-eval.ts';
import { neutralise } from '../text/terminal.ts';
import { describeUser, type LiveAclUser, sameRights } from './acl-diff.ts';

/** What `redoubt harden --redis` learned from a running server. */
export interface LiveState {
  version: string;
  /** INFO server config_file: empty when started without one (CONFIG REWRITE then has nowhere to write). */
  configFile: string;
  /** CONFIG GET values by parameter name. */
  config: Record<string, string>;
  users: LiveAclUser[];
  /**
   * Each user's rules as ACL LIST gives them (selectors merged into one argument, passwords as `#<sha256>`): what
   * `ACL SETUSER name reset …` takes to put the user back if an apply is rolled back. Never printed.
   */
  aclRules: Record<string, string[]>;
  /** ACL WHOAMI: the user this connection is. */
  whoami: string;
  commands: CommandTable;
  usedMemory?: number;
}

export interface LiveWishes {
  /** The hardened directives (from hardenedDirectives) to compare; runtime ones go to CONFIG SET. */
  directives: Directive[];
  /** Parameters the user asked for explicitly; the others are only changed when they are weaker than hardened. */
  explicit: { maxmemory: boolean; role: boolean; bind: boolean; tls: boolean };
}

export interface ConfigChange {
  name: string;
  current: string;
  hardened: string;
  /** The CONFIG SET value. */
  value: string;
  /** The CONFIG SET value that puts the server back as it was (CONFIG GET's raw answer). */
  restore: string;
  warning?: string;
}

export interface UserChange {
  name: string;
  current?: string;
  hardened: string;
  /** ACL SETUSER arguments after the name; `<password>` stands for the new password, filled in when applied. */
  args: string[];
  /** A password is generated for this user (created, or an existing user without one). */
  newPassword: boolean;
  /** `ACL SETUSER` arguments that put the user back as it was; undefined: it did not exist (ACL DELUSER). */
  restore?: string[];
  warning?: string;
}

export interface RestartChange {
  name: string;
  current: string;
  hardened: string;
}

export interface Plan {
  config: ConfigChange[];
  users: UserChange[];
  restart: RestartChange[];
  notes: string[];
  /** Changes left out, and why. */
  skipped: string[];
  whoami: string;
}

export const PASSWORD_PLACEHOLDER = '<password>';

/** Parameters that only change with a restart (or that harden leaves to redis.conf), compared for the notes. */
export const RESTART_PARAMS = [
  'bind',
  'port',
  'tls-port',
  'enable-debug-command',
  'enable-module-command',
  'enable-protected-configs',
  'aclfile',
  'logfile',
];

const SIZE_PARAMS = new Set(['maxmemory']);

function normalize(name: string, value: string): string {
  const v = value.trim().replace(/\s+/g, ' ');
  if (SIZE_PARAMS.has(name)) return String(parseMemorySize(v) ?? v);
  return v.toLowerCase();
}

/** client-output-buffer-limit as `class → "hard soft seconds"` in bytes; `slave` is `replica`. */
export function parseOutputBufferLimits(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  const t = value.trim().split(/\s+/);
  for (let i = 0; i + 3 < t.length; i += 4) {
    const cls = t[i].toLowerCase() === 'slave' ? 'replica' : t[i].toLowerCase();
    const [hard, soft] = [t[i + 1], t[i + 2]].map((s) => String(parseMemorySize(s) ?? s));
    out[cls] = `${hard} ${soft} ${t[i + 3]}`;
  }
  return out;
}

function configChanges(state: LiveState, wishes: LiveWishes): { changes: ConfigChange[]; notes: string[] } {
  const changes: ConfigChange[] = [];
  const notes: string[] = [];
  const runtime = wishes.directives.filter((d) => d.runtime);
  const outputLimits = runtime.filter((d) => d.name === 'client-output-buffer-limit');
  for (const d of runtime) {
    if (d.name === 'client-output-buffer-limit') continue;
    if (d.name === 'maxmemory' && !wishes.explicit.maxmemory) continue;
    if (['maxmemory-policy', 'save', 'appendonly', 'appendfsync'].includes(d.name) && !wishes.explicit.role) continue;
    const current = state.config[d.name];
    if (current === undefined) continue; // not on this version
    const value = d.args.join(' ');
    if (normalize(d.name, current) === normalize(d.name, value)) continue;
    const change: ConfigChange = { name: d.name, current, hardened: value, value, restore: current };
    if (d.name === 'maxmemory' && state.usedMemory !== undefined) {
      const bytes = parseMemorySize(value) ?? 0;
      if (bytes > 0 && state.usedMemory > bytes)
        change.warning = `the server already uses ${state.usedMemory} bytes, more than ${value}: it will ${
          normalize('maxmemory-policy', state.config['maxmemory-policy'] ?? '') === 'noeviction'
            ? 'refuse writes'
            : 'evict keys'
        } at once`;
    }
    changes.push(change);
  }
  const currentLimits = state.config['client-output-buffer-limit'];
  if (currentLimits !== undefined && outputLimits.length > 0) {
    const cur = parseOutputBufferLimits(currentLimits);
    const want = parseOutputBufferLimits(outputLimits.map((d) => d.args.join(' ')).join(' '));
    const differing = outputLimits.filter((d) => {
      const cls = d.args[0];
      return cur[cls] !== want[cls];
    });
    if (differing.length > 0) {
      const value = differing.map((d) => d.args.join(' ')).join(' ');
      const current = differing.map((d) => `${d.args[0]} ${cur[d.args[0]] ?? '(unset)'}`).join(' ');
      changes.push({ name: 'client-output-buffer-limit', current, hardened: value, value, restore: currentLimits });
    }
  }
  if (!wishes.explicit.maxmemory && normalize('maxmemory', state.config.maxmemory ?? '0') === '0')
    notes.push('maxmemory is 0 (no limit): pass --maxmemory SIZE (e.g. 512mb) to bound it.');
  if (!wishes.explicit.role)
    notes.push('maxmemory-policy and persistence are left as they are: pass --role cache|store to set them.');
  return { changes, notes };
}

const ALL_INTERFACES = new Set(['*', '0.0.0.0', '::', '::*', '-::*', '-*']);

function restartChanges(state: LiveState, wishes: LiveWishes): RestartChange[] {
  const out: RestartChange[] = [];
  const want = (name: string) => wishes.directives.find((d) => d.name === name);
  const add = (name: string, current: string | undefined, hardened: string) => {
    if (current === undefined || normalize(name, current) === normalize(name, hardened)) return;
    out.push({ name, current: current === '' ? '""' : current, hardened });
  };
  const bind = state.config.bind;
  if (bind !== undefined) {
    const exposed = bind === '' || bind.split(/\s+/).some((b) => ALL_INTERFACES.has(b));
    if (exposed || wishes.explicit.bind) add('bind', bind, want('bind')?.args.join(' ') ?? '');
  }
  if (wishes.explicit.tls) {
    add('port', state.config.port, '0');
    add('tls-port', state.config['tls-port'], want('tls-port')?.args[0] ?? '6379');
  }
  for (const name of ['enable-debug-command', 'enable-module-command', 'enable-protected-configs'])
    add(name, state.config[name], 'no');
  // No aclfile advice: a server without one keeps its users in redis.conf (CONFIG REWRITE writes them there), and
  // redis-server refuses to start with users in redis.conf and an aclfile both (planHardening's note says how to move).
  if (state.config.logfile === '') add('logfile', '', want('logfile')?.args[0] ?? DEFAULT_LOGFILE);
  return out;
}

/** `ACL SETUSER` arguments that give `name` exactly the hardened rules, keeping its passwords unless it has none. */
function setuserArgs(name: HardenedUser, existing: LiveAclUser | undefined, newPassword: boolean): string[] {
  const password = newPassword ? ['resetpass', `>${PASSWORD_PLACEHOLDER}`] : [];
  const reset = existing ? ['resetkeys', 'resetchannels', 'clearselectors'] : ['reset'];
  return [...reset, ...password, ...userRules(name)];
}

function hardenedDescription(name: HardenedUser, newPassword: boolean): string {
  const [on, ...rest] = userRules(name);
  return [on, newPassword ? '<new password, written to .env>' : '<passwords kept>', ...rest].join(' ');
}

/** Everything ACL LIST describes, cleared, except the sanitize-payload flags (which ACL LIST then sets again). */
const CLEAR_USER = ['resetpass', 'resetkeys', 'resetchannels', 'clearselectors', 'nocommands'];

/** What puts `name` back exactly: cleared, then its rules from ACL LIST; undefined when it does not exist. */
function restoreArgs(state: LiveState, name: string): string[] | undefined {
  const rules = state.aclRules[name];
  return rules ? [...CLEAR_USER, ...rules] : undefined;
}

function userChanges(state: LiveState): { changes: UserChange[]; notes: string[]; skipped: string[] } {
  const changes: UserChange[] = [];
  const notes: string[] = [];
  const skipped: string[] = [];
  const byName = new Map(state.users.map((u) => [u.name, u]));
  for (const name of HARDENED_USERS) {
    const cur = byName.get(name);
    const spec = USER_SPECS[name];
    const desired = {
      enabled: true,
      keys: spec.patterns.filter((p) => !p.startsWith('&')),
      channels: spec.patterns.filter((p) => p.startsWith('&')),
      commands: spec.commands,
    };
    const needsPassword = !cur || cur.nopass || cur.passwordCount === 0;
    if (cur && !needsPassword && sameRights(cur, desired, state.commands)) continue;
    changes.push({
      name,
      current: cur ? describeUser(cur) : undefined,
      hardened: hardenedDescription(name, needsPassword),
      args: setuserArgs(name, cur, needsPassword),
      newPassword: needsPassword,
      restore: cur ? restoreArgs(state, name) : undefined,
    });
  }
  const def = byName.get('default');
  const defaultHardened =
    def &&
    !def.enabled &&
    !def.nopass &&
    def.passwordCount === 0 &&
    def.keys.length + def.channels.length + def.selectors.length === 0 &&
    def.commands.join(' ') === '-@all';
  if (def && !defaultHardened) {
    const change: UserChange = {
      name: 'default',
      current: describeUser(def),
      hardened: `${DEFAULT_USER_RULES.join(' ')}`,
      // Not `reset`, which also sets sanitize-payload: a rollback could not take that flag back off.
      args: [...CLEAR_USER, ...DEFAULT_USER_RULES],
      newPassword: false,
      restore: restoreArgs(state, 'default'),
    };
    if (def.enabled)
      change.warning =
        'clients that send no user name (no AUTH, AUTH <password>, requirepass) use the default user and will be refused: move them to the app user (REDIS_APP_PASSWORD) first';
    changes.push(change);
  }
  // The connection's own user loses CONFIG and ACL rights when it is restricted: the rest then needs an admin
  // connection, which redoubt can only open with a password it knows (an admin it creates now).
  const self = changes.find((c) => c.name === state.whoami);
  if (self && self.name !== 'admin') {
    const admin = changes.find((c) => c.name === 'admin');
    if (!admin?.newPassword) {
      changes.splice(changes.indexOf(self), 1);
      skipped.push(
        `user ${self.name}: this connection is that user, and changing it would take away the rights needed to finish; connect as admin (--redis redis://admin@HOST:PORT with its password in REDIS_PASSWORD) to change it`,
      );
    }
  }
  const managed = new Set<string>([...HARDENED_USERS, 'default']);
  const others = state.users.filter((u) => !managed.has(u.name)).map((u) => u.name);
  if (others.length > 0)
    notes.push(`other users are left as they are: ${others.join(', ')} (check them with redoubt audit)`);
  return { changes, notes, skipped };
}

/** What `CONFIG SET` and `ACL SETUSER` would change, and what needs a restart. Pure. */
export function planHardening(state: LiveState, wishes: LiveWishes): Plan {
  const config = configChanges(state, wishes);
  const users = userChanges(state);
  const notes = [...config.notes, ...users.notes];
  if (state.config.aclfile === '' && state.configFile)
    notes.push(
      `the server has no aclfile: CONFIG REWRITE writes the users into its redis.conf (${state.configFile}) instead of ACL SAVE, and they work there. To keep them in an ACL file instead, move every "user" line out of redis.conf into that file (same syntax) and then add "aclfile PATH": redis-server refuses to start with users in both`,
    );
  if (!state.configFile)
    notes.push(
      'the server was started without a config file: the changes cannot be persisted and a restart undoes them',
    );
  return {
    config: config.changes,
    users: users.changes,
    restart: restartChanges(state, wishes),
    notes,
    skipped: users.skipped,
    whoami: state.whoami,
  };
}

export function planSize(plan: Plan): number {
  return plan.config.length + plan.users.length;
}

/**
 * The plan as a diff: `- current` / `+ hardened`, fit for a terminal (server text neutralised). Never shows a
 * password or a hash.
 */
export function renderPlan(plan: Plan, target: string, version: string): string {
  const lines = [`redoubt harden: ${target} (Redis ${version}, connected as ${plan.whoami})`, ''];
  if (planSize(plan) === 0)
    lines.push('Nothing to change at runtime: the settings and users are already hardened.', '');
  if (plan.config.length > 0) {
    lines.push(`CONFIG SET (${plan.config.length}):`);
    for (const c of plan.config) {
      lines.push(
        `- ${c.name} ${c.current === '' ? '""' : c.current}`,
        `+ ${c.name} ${c.hardened === '' ? '""' : c.hardened}`,
      );
      if (c.warning) lines.push(`  ! ${c.warning}`);
    }
    lines.push('');
  }
  if (plan.users.length > 0) {
    lines.push(`ACL SETUSER (${plan.users.length}):`);
    for (const u of plan.users) {
      if (u.current !== undefined) lines.push(`- user ${u.name} ${u.current}`);
      lines.push(`+ user ${u.name} ${u.hardened}`);
      if (u.warning) lines.push(`  ! ${u.warning}`);
    }
    lines.push('');
  }
  if (plan.restart.length > 0) {
    lines.push('Needs a restart: edit redis.conf (redoubt harden --out DIR writes a complete one):');
    for (const r of plan.restart) lines.push(`- ${r.name} ${r.current}`, `+ ${r.name} ${r.hardened}`);
    lines.push('');
  }
  for (const s of plan.skipped) lines.push(`skipped: ${s}`);
  for (const n of plan.notes) lines.push(`note: ${n}`);
  // User names, rules and config values come from the server: escape their control characters.
  return `${lines.map(neutralise).join('\n').replace(/\n+$/, '')}\n`;
}
