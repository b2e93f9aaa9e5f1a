import { unlinkSync } from 'node:fs';
import { readRegularFile } from '../fs/read-file.ts';
import type { PendingRotation } from './pending-file.ts';
import { type CheckResult, persistPlan, type ServerPlan, userProblems } from './preconditions.ts';
import { type CredentialFile, persist, persistWhat, type RotationServer, rewriteCredentialFile } from './rotation.ts';
import type { ServerFacts } from './server-facts.ts';
import type { Step } from './steps.ts';

/**
 * --resume and --abort: what a rotation killed half-way (kill -9, power loss) left, taken from its pending file.
 * Both are checked over what the servers hold now, and both can be run again if they are themselves interrupted
 * (every step is idempotent: adding a hash ACL already has, removing one it has not, writing the same file).
 */
export type Recovery = 'resume' | 'abort';

/** The plan of one server as the interrupted start made it: masterauth changes where it recorded the old one. */
function recoveryPlan(f: ServerFacts, user: string, pending: PendingRotation, problems: string[]): ServerPlan {
  const plan = persistPlan(f, user, problems);
  plan.masterauth = Object.hasOwn(pending.masterauthBefore, f.display);
  plan.configRewrite = plan.persist === 'CONFIG REWRITE' || plan.masterauth;
  return plan;
}

/** Preconditions: the user is there and may be changed; --abort never removes the last password of a user. */
export function checkRecovery(facts: ServerFacts[], pending: PendingRotation, mode: Recovery): CheckResult {
  const { user, oldHash, newHash } = pending.state;
  const problems: string[] = [];
  const plans: ServerPlan[] = [];
  for (const f of facts) {
    const own = userProblems(f, user);
    if (own.length > 0) {
      problems.push(...own);
      continue;
    }
    const hashes = f.user?.hashes ?? [];
    if (mode === 'abort' && hashes.includes(newHash) && !hashes.includes(oldHash))
      problems.push(
        `the old password of "${user}" is no longer on ${f.display}, so removing the new one would lock "${user}" out there: finish the rotation with --resume instead`,
      );
    if (mode === 'resume' && !hashes.includes(newHash) && !hashes.includes(oldHash))
      problems.push(
        `"${user}" has neither the old nor the new password on ${f.display}: its passwords changed since the rotation was interrupted. Check ACL GETUSER ${user}, then --abort`,
      );
    plans.push(recoveryPlan(f, user, pending, problems));
  }
  return { plans, problems, warnings: [] };
}

/** What a credential file holds now, as --abort sees it: written by the rotation, not yet, or changed since. */
export function fileNow(f: CredentialFile): 'written' | 'untouched' | 'changed' {
  const now = readRegularFile(f.path);
  if (now !== undefined && now.toString('utf8') === f.after) return 'written';
  if (now === undefined ? f.before === undefined : f.before !== undefined && now.equals(f.before)) return 'untouched';
  return 'changed';
}

export interface AbortInputs {
  servers: RotationServer[];
  pending: PendingRotation;
  files: CredentialFile[];
  /** The state file, when the interrupted start had already written it (its hash is the pending one). */
  statePath?: string;
  pendingPath: string;
}

function serverUndo(s: RotationServer, pending: PendingRotation): Step[] {
  const { user, newHash } = pending.state;
  const steps: Step[] = [];
  if (s.facts.user?.hashes.includes(newHash))
    steps.push({
      what: `remove the new password of "${user}" on ${s.facts.display} (ACL SETUSER ${user} !<sha256>)`,
      run: async () => void (await s.conn.call('ACL', 'SETUSER', user, `!${newHash}`)),
    });
  if (s.plan.masterauth)
    steps.push({
      what: `put the old masterauth back on ${s.facts.display}`,
      run: async () =>
        void (await s.conn.call('CONFIG', 'SET', 'masterauth', pending.masterauthBefore[s.facts.display])),
    });
  steps.push({ what: `save ${s.facts.display} (${persistWhat(s.plan)})`, run: () => persist(s.conn, s.plan) });
  return steps;
}

/** Undo everything the interrupted start may have done, then forget it: servers, masterauth, files, state. */
export function abortSteps(i: AbortInputs): Step[] {
  const steps = i.servers.flatMap((s) => serverUndo(s, i.pending));
  for (const f of i.files.filter((x) => fileNow(x) === 'written'))
    steps.push({
      what: f.before ? `put back what ${f.label} held` : `remove ${f.label} (rotate created it)`,
      run: async () => (f.before ? rewriteCredentialFile(f, f.before) : unlinkSync(f.path)),
    });
  const statePath = i.statePath;
  if (statePath) steps.push({ what: `remove the rotation state ${statePath}`, run: async () => unlinkSync(statePath) });
  steps.push({
    what: `remove the pending-rotation file ${i.pendingPath}`,
    run: async () => unlinkSync(i.pendingPath),
  });
  return steps;
}

/** Steps without their undo: a recovery that fails keeps its pending file, to be run again (or the other one). */
export function withoutUndo(steps: Step[]): Step[] {
  return steps.map(({ what, run }) => ({ what, run }));
}
