import type { Plan, UserChange } from './plan.ts';

/**
 * The order `harden --apply` changes a live server in, as data. What can cut off a client comes last: the default
 * user (clients that log in without a user name) and the connection's own user, then `protected-mode yes`, which
 * denies every non-loopback client while the default user has no password. Before any of those, the admin user is
 * created and logged in as, over the same address: if that login fails, nothing that can lock anyone out has
 * happened, and the admin user is taken back.
 */

/** `own`: the connection the operator gave; `admin`: a second one as the admin user (its password just generated). */
export type Via = 'own' | 'admin';

export type ApplyEntry =
  | {
      kind: 'command';
      what: string;
      via: Via;
      /** The command; `<password>` in an ACL SETUSER argument stands for `user`'s new password. */
      command: string[];
      /** The command that puts back what this one changed. */
      undo: string[];
      user?: string;
    }
  | { kind: 'open-admin' };

function userEntry(u: UserChange, via: Via): ApplyEntry {
  return {
    kind: 'command',
    what: `ACL SETUSER ${u.name}`,
    via,
    command: ['ACL', 'SETUSER', u.name, ...u.args],
    undo: u.restore ? ['ACL', 'SETUSER', u.name, ...u.restore] : ['ACL', 'DELUSER', u.name],
    user: u.name,
  };
}

/** The connection's own user, when the plan restricts it (then the rest needs an admin connection). */
export function selfChange(plan: Plan): UserChange | undefined {
  return plan.users.find((u) => u.name === plan.whoami && u.name !== 'admin');
}

export function orderApply(plan: Plan): ApplyEntry[] {
  const self = selfChange(plan);
  const admin = plan.users.find((u) => u.name === 'admin');
  const def = plan.users.find((u) => u.name === 'default' && u !== self);
  const late = plan.config.filter((c) => c.name === 'protected-mode');
  const entries: ApplyEntry[] = [];
  if (admin) entries.push(userEntry(admin, 'own'));
  if (self) entries.push({ kind: 'open-admin' });
  for (const u of plan.users) if (u !== admin && u !== self && u !== def) entries.push(userEntry(u, 'own'));
  for (const c of plan.config)
    if (!late.includes(c))
      entries.push({
        kind: 'command',
        what: `CONFIG SET ${c.name}`,
        via: 'own',
        command: ['CONFIG', 'SET', c.name, c.value],
        undo: ['CONFIG', 'SET', c.name, c.restore],
      });
  if (def) entries.push(userEntry(def, 'own'));
  if (self) entries.push(userEntry(self, 'admin'));
  for (const c of late)
    entries.push({
      kind: 'command',
      what: `CONFIG SET ${c.name}`,
      via: self ? 'admin' : 'own',
      command: ['CONFIG', 'SET', c.name, c.value],
      undo: ['CONFIG', 'SET', c.name, c.restore],
    });
  return entries;
}
