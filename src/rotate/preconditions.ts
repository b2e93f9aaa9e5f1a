import { parseVersion } from '../redis/capabilities.ts';
import type { ServerFacts } from './server-facts.ts';

/**
 * Every precondition of a rotation, checked over what was read from the servers before anything changes: a pure
 * function, so each refusal has a unit test. Problems stop the rotation (nothing is changed); warnings are shown.
 */
export interface ServerPlan {
  display: string;
  /** How the server keeps its users: an aclfile (ACL SAVE) or redis.conf `user` lines / requirepass. */
  persist: 'ACL SAVE' | 'CONFIG REWRITE';
  /** A replica that authenticates to its master as this user: masterauth changes with the password. */
  masterauth: boolean;
  /** CONFIG REWRITE is needed (no aclfile, or masterauth changed). */
  configRewrite: boolean;
  /** The default user's password comes from requirepass (no aclfile): --finish uses CONFIG SET requirepass. */
  requirepass: boolean;
  /** --finish: the old password is already gone from this server. */
  done: boolean;
}

export interface CheckResult {
  plans: ServerPlan[];
  problems: string[];
  warnings: string[];
}

/** Whether a replica authenticates to its master as `user` (masteruser, or the default user with masterauth). */
function replicatesAs(f: ServerFacts, user: string): boolean {
  return f.role === 'replica' && f.masterauthHash !== '' && (f.masteruser || 'default') === user;
}

export function userProblems(f: ServerFacts, user: string): string[] {
  const at = `on ${f.display}`;
  if (f.version && parseVersion(f.version) < 6)
    return [`${f.display} runs Redis ${f.version}, which has no ACL: rotating without downtime needs Redis 6 or later`];
  if (f.aclError)
    return [
      `cannot read the user "${user}" ${at} (ACL GETUSER): ${f.aclError}. Connect as a user allowed ACL GETUSER, ACL SETUSER and ACL SAVE (an admin user)`,
    ];
  if (f.configError)
    return [
      `cannot read the configuration ${at} (CONFIG GET): ${f.configError}. rotate needs it to know where the server keeps its users (aclfile or redis.conf)`,
    ];
  if (!f.user)
    return [`the user "${user}" does not exist ${at}; create it first (redoubt harden --redis, or ACL SETUSER)`];
  if (f.setUserError)
    return [
      `the connecting user "${f.whoami}" may not change "${user}" ${at} (ACL SETUSER): ${f.setUserError}. Connect as an admin user`,
    ];
  if (f.user.nopass)
    return [
      `the user "${user}" has nopass ${at}: any password logs it in, so there is nothing to rotate; give it a password first (ACL SETUSER ${user} resetpass >password)`,
    ];
  return [];
}

export function persistPlan(f: ServerFacts, user: string, problems: string[]): ServerPlan {
  const masterauth = replicatesAs(f, user);
  const aclfile = f.aclfile !== '';
  const plan: ServerPlan = {
    display: f.display,
    persist: aclfile ? 'ACL SAVE' : 'CONFIG REWRITE',
    masterauth,
    configRewrite: !aclfile || masterauth,
    requirepass: !aclfile && user === 'default' && f.requirepass,
    done: false,
  };
  if (f.configSetError && (masterauth || plan.requirepass))
    problems.push(
      `the connecting user "${f.whoami}" may not run CONFIG SET on ${f.display}, which ${masterauth ? 'the new masterauth' : '--finish (requirepass)'} needs: ${f.configSetError}`,
    );
  if (plan.configRewrite && f.configFile === '')
    problems.push(
      aclfile
        ? `${f.display} replicates as "${user}" (masterauth) but runs without a config file, so the new masterauth would be lost at its next restart (CONFIG REWRITE cannot work); start it with a redis.conf`
        : `${f.display} keeps its users neither in an aclfile nor in a config file (it was started without one): the new password would be lost at the next restart. Start it with a redis.conf or an aclfile first`,
    );
  return plan;
}

/** Preconditions of adding the new password (the first half). */
export function checkStart(facts: ServerFacts[], user: string, newHash: string): CheckResult {
  const problems: string[] = [];
  const warnings: string[] = [];
  const plans: ServerPlan[] = [];
  for (const f of facts) {
    const own = userProblems(f, user);
    if (own.length > 0) {
      problems.push(...own);
      continue;
    }
    const hashes = f.user?.hashes ?? [];
    if (hashes.length === 0)
      problems.push(
        `the user "${user}" has no password on ${f.display}${f.user?.enabled ? '' : ' (and is off)'}; there is nothing to rotate`,
      );
    else if (hashes.length > 1)
      problems.push(
        `the user "${user}" already has ${hashes.length} passwords on ${f.display}: a rotation may be in progress (finish it with redoubt rotate --finish and its --state-file; one that was interrupted: --resume or --abort with its --state-file). If one was interrupted and its pending-rotation file is gone too, keep the password your .env / password file holds and remove the other: ACL GETUSER ${user} lists their SHA-256 (printf %s PASSWORD | sha256sum names yours), ACL SETUSER ${user} !<sha256> removes one, then ACL SAVE`,
      );
    else if (hashes[0] === newHash)
      problems.push(`the new password is already the password of "${user}" on ${f.display}; choose another one`);
    if (!f.user?.enabled)
      problems.push(
        `the user "${user}" is off on ${f.display}: nobody can log in as it, so the new password could not be checked; turn it on (ACL SETUSER ${user} on) or leave it`,
      );
    const plan = persistPlan(f, user, problems);
    if (f.role === 'replica' && f.masterauthHash !== '' && plan.masterauth && f.masterauthHash !== hashes[0]) {
      plan.masterauth = false;
      plan.configRewrite = plan.persist === 'CONFIG REWRITE';
      warnings.push(
        `${f.display} replicates as "${user}" but its masterauth is not that user's current password: left alone`,
      );
    }
    plans.push(plan);
  }
  const distinct = new Set(facts.map((f) => f.user?.hashes[0]).filter(Boolean));
  if (problems.length === 0 && distinct.size > 1)
    problems.push(
      `the user "${user}" has different passwords on ${facts.map((f) => f.display).join(', ')}: rotate the servers that share a password together, one group at a time`,
    );
  warnings.push(...unlistedReplicas(facts));
  return { plans, problems, warnings };
}

/** Replicas a master reports that were not given with --redis: their copy of the user is not rotated. */
function unlistedReplicas(facts: ServerFacts[]): string[] {
  const given = new Set(facts.map((f) => hostPort(f.display)));
  const out: string[] = [];
  for (const f of facts)
    for (const r of f.replicas)
      if (!given.has(`${r.host}:${r.port}`) && !(isLoopback(r.host) && given.has(`127.0.0.1:${r.port}`)))
        out.push(
          `${f.display} has a replica at ${r.host}:${r.port} that was not given with --redis: its users are its own (ACL is not replicated), so rotate it too`,
        );
  return out;
}

function hostPort(display: string): string {
  const m = /^[a-z]+:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+):(\d+)/.exec(display);
  if (!m) return display;
  const host = m[1].replace(/^\[|\]$/g, '');
  return `${isLoopback(host) ? '127.0.0.1' : host}:${m[2]}`;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** Preconditions of removing the old password (the second half). */
export function checkFinish(facts: ServerFacts[], user: string, oldHash: string, newHash: string): CheckResult {
  const problems: string[] = [];
  const warnings: string[] = [];
  const plans: ServerPlan[] = [];
  for (const f of facts) {
    const own = userProblems(f, user);
    if (own.length > 0) {
      problems.push(...own);
      continue;
    }
    const hashes = f.user?.hashes ?? [];
    const plan = persistPlan(f, user, problems);
    if (!hashes.includes(newHash))
      problems.push(
        `the new password is not a password of "${user}" on ${f.display}: removing the old one would lock "${user}" out there. Check ACL GETUSER ${user}; start again with redoubt rotate`,
      );
    plan.done = !hashes.includes(oldHash);
    if (replicatesAs(f, user) && f.masterauthHash === oldHash)
      problems.push(
        `${f.display} still authenticates to its master with the old password (masterauth): it could not re-sync after the old one is removed. Set masterauth to the new password first`,
      );
    plan.masterauth = false;
    plan.configRewrite = plan.persist === 'CONFIG REWRITE';
    plans.push(plan);
  }
  return { plans, problems, warnings };
}
