import { unlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { type FlagValues, UsageError } from '../flags/flags.ts';
import { planCredentialWrites } from '../rotate/credential-writes.ts';
import { describeServers, renderNextSteps } from '../rotate/next-steps.ts';
import { credentialFilesOf, type PendingRotation, pendingPathFor, readPending } from '../rotate/pending-file.ts';
import { abortSteps, checkRecovery, fileNow, type Recovery, withoutUndo } from '../rotate/recovery.ts';
import { type RotationServer, startSteps } from '../rotate/rotation.ts';
import { type RotationState, readState, writeState } from '../rotate/state-file.ts';
import { renderSteps, runSteps } from '../rotate/steps.ts';
import { neutralise } from '../text/terminal.ts';
import type { CliIo } from './io.ts';
import {
  afterEachStep,
  type Connecting,
  checkPersist,
  connectingTo,
  connectSecrets,
  openAll,
  readAllFacts,
  report,
  stateFlag,
  withPlans,
} from './rotate-servers.ts';

/**
 * `redoubt rotate --resume` and `--abort`: a start that was killed after it began changing servers left its
 * pending file (src/rotate/pending-file.ts, with the new password); these finish it or undo it.
 */
export interface RecoveryDeps {
  afterStep?: (what: string) => Promise<void>;
}

/** The refusal every other mode gives while a pending file is there: what happened and the two ways out. */
export function interruptedRotation(statePath: string): UsageError | undefined {
  const pendingPath = pendingPathFor(statePath);
  const pending = readPending(pendingPath);
  if (!pending) return undefined;
  const flag = stateFlag(statePath);
  return new UsageError(
    `a rotation of "${neutralise(pending.state.user)}" started at ${pending.state.startedAt} was interrupted before it finished (${pendingPath} holds its new password): run redoubt rotate --resume${flag} to finish it (writes the new password where it was to go, checks it, records the state), or redoubt rotate --abort${flag} to undo it (removes the new password from every server)`,
  );
}

export async function recoverRotation(
  mode: Recovery,
  values: FlagValues,
  io: CliIo,
  deps: RecoveryDeps,
  secrets: string[],
): Promise<number> {
  const statePath = resolve(String(values['state-file']));
  const pendingPath = pendingPathFor(statePath);
  const pending = readPending(pendingPath);
  if (!pending)
    throw new UsageError(
      `no interrupted rotation to ${mode}: ${pendingPath} does not exist (pass the --state-file the rotation was started with)`,
    );
  secrets.push(pending.newPassword, ...Object.values(pending.masterauthBefore).filter(Boolean));
  const { user } = pending.state;
  if (values.user && values.user !== user)
    throw new UsageError(
      `the interrupted rotation is of the user "${neutralise(user)}", not "${neutralise(String(values.user))}"`,
    );
  const c = connectingTo(pending.state.servers, values);
  secrets.push(...connectSecrets(c));
  const conns = await openAll(c);
  try {
    const facts = await readAllFacts(conns, user);
    const check = checkRecovery(facts, pending, mode);
    const servers = withPlans(conns, facts, check);
    if (!report(io, check) || !(await checkPersist(servers, io))) return 2;
    io.stdout.write(describeServers(user, servers));
    const run = { servers, pending, statePath, pendingPath, c, io, deps };
    return mode === 'resume' ? await resume(run) : await abort(run);
  } finally {
    await Promise.all(conns.map((conn) => conn.close()));
  }
}

interface Run {
  servers: RotationServer[];
  pending: PendingRotation;
  statePath: string;
  pendingPath: string;
  c: Connecting;
  io: CliIo;
  deps: RecoveryDeps;
}

/** A recovery step failed: nothing is undone, the pending file stays, and both ways out stay open. */
function failed(r: Run, steps: ReturnType<typeof renderSteps>, mode: Recovery): number {
  r.io.stdout.write(steps);
  r.io.stdout.write(
    `\nThe ${mode} stopped at the step marked FAILED; nothing was undone and ${r.pendingPath} is kept. Fix what it says, then run redoubt rotate --${mode}${stateFlag(r.statePath)} again${mode === 'resume' ? ' (or --abort)' : ''}.\n`,
  );
  return 1;
}

/** Add (where missing), verify, masterauth, save, files, state, then the pending file goes: the start, completed. */
async function resume(r: Run): Promise<number> {
  const { state: recorded, newPassword } = r.pending;
  const state: RotationState = { ...recorded, graceUntil: '' };
  const writes = planCredentialWrites(
    {
      envFile: state.envFile?.path,
      envKey: state.envFile?.key,
      passwordFile: state.passwordFile?.path,
      passwordKeys: state.passwordFile?.keys ?? [],
    },
    r.c.targets,
    state.user,
    newPassword,
  );
  r.io.stdout.write(`Finishing the interrupted rotation of "${neutralise(state.user)}":\n`);
  const steps = startSteps({
    servers: r.servers,
    user: state.user,
    newPassword,
    newHash: state.newHash,
    tls: r.c.tls,
    files: writes.files,
    statePath: r.statePath,
    writeState: () => writeState(r.statePath, state),
    removeState: () => unlinkSync(r.statePath),
    pendingPath: r.pendingPath,
    removePending: () => unlinkSync(r.pendingPath),
  });
  const result = await runSteps(withoutUndo(steps), afterEachStep(r.io, r.deps.afterStep));
  if (result.rolledBack) return failed(r, renderSteps({ steps: result.steps }), 'resume');
  r.io.stdout.write(renderSteps(result));
  const requirepass = r.servers.filter((s) => s.plan.requirepass).map((s) => s.facts.display);
  r.io.stdout.write(renderNextSteps(state, requirepass, stateFlag(r.statePath)));
  return 0;
}

/** Remove the new password everywhere, masterauth and the files back, then forget the rotation. */
async function abort(r: Run): Promise<number> {
  const files = credentialFilesOf(r.pending);
  for (const f of files.filter((x) => fileNow(x) === 'changed'))
    r.io.stderr.write(
      `redoubt rotate: warning: ${neutralise(f.label)} changed since the rotation began: left as it is (check that it does not hold the new password)\n`,
    );
  const recorded = readState(r.statePath);
  const steps = abortSteps({
    servers: r.servers,
    pending: r.pending,
    files,
    statePath: recorded?.newHash === r.pending.state.newHash ? r.statePath : undefined,
    pendingPath: r.pendingPath,
  });
  r.io.stdout.write(`Undoing the interrupted rotation of "${neutralise(r.pending.state.user)}":\n`);
  const result = await runSteps(steps, afterEachStep(r.io, r.deps.afterStep));
  if (result.rolledBack) return failed(r, renderSteps({ steps: result.steps }), 'abort');
  r.io.stdout.write(renderSteps(result));
  r.io.stdout.write(
    `\nAborted: the new password is gone from every server; "${neutralise(r.pending.state.user)}" logs in with its old password only, as before the rotation.\n`,
  );
  return 0;
}
