import { unlinkSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { EXPORTER_FLAGS } from '../exporter/flags.ts';
import { type FlagSpec, type FlagValues, formatHelp, parseFlags, UsageError } from '../flags/flags.ts';
import { FileWriteError } from '../fs/atomic-write.ts';
import { DirectoryLock, DirectoryLockedError } from '../fs/directory-lock.ts';
import type { RedisConnection, TlsOptions } from '../redis/connection.ts';
import { parseTarget } from '../redis/target.ts';
import { ENV_KEY } from '../rotate/credential-files.ts';
import {
  type CredentialWrites,
  checkDirectory,
  planCredentialWrites,
  readNewPasswordBack,
} from '../rotate/credential-writes.ts';
import { hideSecrets } from '../rotate/hide-secrets.ts';
import { newPassword, passwordHash } from '../rotate/new-password.ts';
import { describeServers, renderNextSteps } from '../rotate/next-steps.ts';
import { readOldPasswordUse, renderOldPasswordUse } from '../rotate/old-password-users.ts';
import { pendingFrom, pendingPathFor, removePending, writePending } from '../rotate/pending-file.ts';
import { checkFinish, checkStart } from '../rotate/preconditions.ts';
import { finishSteps, type RotationServer, startSteps } from '../rotate/rotation.ts';
import { type RotationState, readState, writeState } from '../rotate/state-file.ts';
import { renderSteps, runSteps, type StepReport } from '../rotate/steps.ts';
import { neutralise } from '../text/terminal.ts';
import { hidingIo } from './hiding-io.ts';
import type { CliIo } from './io.ts';
import { interruptedRotation, recoverRotation } from './rotate-recovery.ts';
import {
  afterEachStep,
  checkPersist,
  connecting,
  connectingTo,
  connectSecrets,
  DEFAULT_STATE_FILE,
  openAll,
  readAllFacts,
  report,
  stateFlag,
  withPlans,
} from './rotate-servers.ts';
import { CLIENT_TLS_FLAGS } from './tls-flags.ts';

const USAGE = `Usage: redoubt rotate --redis URL [--redis URL]… [--user NAME] (--dotenv FILE --env-key KEY | --password-file FILE)… [--grace 1h]
       redoubt rotate --status
       redoubt rotate --finish
       redoubt rotate --resume | --abort

Rotates an ACL user's password without downtime. On every server given (a master and its replicas) it adds the new
password beside the old one (ACL SETUSER user #<sha256>), sets masterauth on replicas that replicate as that user,
saves (ACL SAVE, or CONFIG REWRITE where users live in redis.conf), logs in with the new password, and writes it to
the .env entry and/or redis_exporter password file you name. Both passwords work during the grace period. Then
--finish (or the end of --grace) removes the old one and saves again. --status shows who may still use the old one.

The new password is generated (40 letters and digits) or read from --new-password-file; it is never printed.
Everything is checked before anything changes; a step that fails undoes the ones before it. Before the first server
changes, the new password is written to a pending-rotation file beside the state file (0600; removed once the .env /
password file hold it): if rotate is killed half-way, the next run says so, and --resume finishes the rotation while
--abort undoes it.`;

const MAX_GRACE_MS = 30 * 24 * 3600 * 1000;

export const ROTATE_FLAGS: FlagSpec[] = [
  { name: 'redis', type: 'repeated', default: [], help: 'A server to rotate on (master and replicas): repeat it.' },
  { name: 'redis.user', type: 'string', env: ['REDIS_USER'], default: '', help: 'ACL user to connect as.' },
  {
    name: 'redis.password',
    type: 'string',
    env: ['REDIS_PASSWORD'],
    default: '',
    help: 'Password to connect with (prefer the environment variable to the command line).',
  },
  EXPORTER_FLAGS.find((f) => f.name === 'redis.password-file') as FlagSpec,
  ...CLIENT_TLS_FLAGS,
  {
    name: 'user',
    type: 'string',
    default: '',
    help: 'The ACL user whose password changes; default: the user connecting (default when none).',
  },
  { name: 'new-password-file', type: 'string', default: '', help: 'Take the new password from this file.' },
  // Not --env-file: Node 20 takes any argument starting with --env-file as its own, even after the script name
  // (nodejs/node#54232), and exits 9 when the file does not exist yet.
  { name: 'dotenv', type: 'string', default: '', help: 'A .env file to write the new password to (--env-key).' },
  { name: 'env-key', type: 'string', default: '', help: 'The variable in --dotenv: REDIS_PASSWORD.' },
  {
    name: 'password-file',
    type: 'string',
    default: '',
    help: "A redis_exporter password file (JSON) to write the new password to: the user's entries for the servers.",
  },
  {
    name: 'password-key',
    type: 'repeated',
    default: [],
    help: 'The entry of --password-file to set (redis://user@host:port); default: the ones for the user.',
  },
  {
    name: 'grace',
    type: 'duration',
    default: 0,
    help: 'Stay, show who uses the old password, and remove it after this long (1h, 30m). Without it: --finish.',
  },
  { name: 'finish', type: 'bool', default: false, help: 'Remove the old password (the second half).' },
  { name: 'status', type: 'bool', default: false, help: 'Show who may still use the old password.' },
  {
    name: 'resume',
    type: 'bool',
    default: false,
    help: 'Finish a rotation that was interrupted (killed, power loss) after it began changing servers.',
  },
  {
    name: 'abort',
    type: 'bool',
    default: false,
    help: 'Undo a rotation that was interrupted: remove the new password from every server, put masterauth back.',
  },
  {
    name: 'state-file',
    type: 'string',
    default: DEFAULT_STATE_FILE,
    help: 'Where the rotation keeps its state between the halves (0600, no password).',
  },
];

/** Test seams: act between steps (tests break a server there), and how long a grace report waits. */
export interface RotateDeps {
  afterStep?: (what: string) => Promise<void>;
  reportEveryMs?: number;
}

function checkUserName(user: string): void {
  if (user.length > 256 || !/^[\x21-\x7e]+$/.test(user))
    throw new UsageError(`--user "${neutralise(user)}" is not an ACL user name (printable characters, no spaces)`);
}

/** Every flag checked before a connection is made: one line and exit 2 for anything wrong. */
function checkCombinations(values: FlagValues): void {
  const modes = [values.finish, values.status, values.resume, values.abort].filter(Boolean).length;
  if (modes > 1) throw new UsageError('--finish, --status, --resume and --abort are separate steps: give one of them');
  if (modes > 0 && (values.dotenv || values['password-file'] || values.grace))
    throw new UsageError(
      '--dotenv, --password-file and --grace belong to the start of a rotation; --finish, --status, --resume and --abort read what it recorded',
    );
  const grace = Number(values.grace);
  if (grace < 0 || grace > MAX_GRACE_MS) throw new UsageError('--grace must be between 1s and 720h');
  if (Boolean(values.dotenv) !== Boolean(values['env-key']))
    throw new UsageError('--dotenv and --env-key go together: the file, and the variable in it (REDIS_PASSWORD)');
  if (values['env-key'] && !ENV_KEY.test(String(values['env-key'])))
    throw new UsageError(`--env-key "${neutralise(String(values['env-key']))}" is not a variable name (A-Z, 0-9, _)`);
  if ((values['password-key'] as string[]).length > 0 && !values['password-file'])
    throw new UsageError('--password-key names an entry of --password-file: give the file too');
  for (const k of values['password-key'] as string[]) parseTarget(k);
  if (modes === 0 && !values.dotenv && !values['password-file'])
    throw new UsageError(
      'the new password must go somewhere, and redoubt never prints it: pass --dotenv FILE --env-key KEY and/or --password-file FILE',
    );
}

export async function runRotate(argv: string[], io: CliIo, deps: RotateDeps = {}): Promise<number> {
  const { values, help } = parseFlags(argv, ROTATE_FLAGS, io.env);
  if (help) {
    io.stdout.write(formatHelp(USAGE, ROTATE_FLAGS));
    return 0;
  }
  checkCombinations(values);
  const secrets: string[] = [];
  const hiding = hidingIo(io, (text) => hideSecrets(text, secrets));
  let lock: DirectoryLock | undefined;
  try {
    if (!values.status) lock = lockRotation(resolve(String(values['state-file'])));
    if (values.resume || values.abort)
      return await recoverRotation(values.resume ? 'resume' : 'abort', values, hiding, deps, secrets);
    const interrupted = interruptedRotation(resolve(String(values['state-file'])));
    if (interrupted) throw interrupted;
    if (values.finish || values.status) return await continueRotation(values, hiding, deps, secrets);
    return await startRotation(values, hiding, deps, secrets);
  } catch (err) {
    if (err instanceof FileWriteError) throw new UsageError(hideSecrets(err.message, secrets));
    if (err instanceof Error) err.message = hideSecrets(err.message, secrets);
    throw err;
  } finally {
    lock?.release();
  }
}

/**
 * One rotation at a time per state file: a second `rotate` or `--finish` started while one runs (or waits out its
 * grace period) is refused before it reads anything, so two never interleave their writes of the same .env and state.
 * A lock left by a killed rotation is taken over (its process is gone).
 */
function lockRotation(statePath: string): DirectoryLock {
  try {
    return DirectoryLock.acquire(dirname(statePath), `${basename(statePath)}.lock`, {
      program: 'redoubt rotate',
      choice: '--state-file',
    });
  } catch (err) {
    if (err instanceof DirectoryLockedError)
      throw new UsageError(
        `another redoubt rotate (pid ${err.pid}) is in progress on ${statePath}: wait for it to end (or stop it), then run this again`,
      );
    throw err;
  }
}

/** The state the first half records: hashes, servers, where the password went, no password. */
function initialState(user: string, servers: RotationServer[], newHash: string, graceMs: number, w: CredentialWrites) {
  const denied = servers.filter((s) => s.facts.deniedAuth !== undefined);
  const state: RotationState = {
    version: 1,
    user,
    servers: servers.map((s) => s.facts.display),
    oldHash: servers[0].facts.user?.hashes[0] ?? '',
    newHash,
    startedAt: new Date().toISOString(),
    graceUntil: graceMs > 0 ? new Date(Date.now() + graceMs).toISOString() : '',
    envFile: w.env,
    passwordFile: w.passwords,
    deniedAuthAtStart: Object.fromEntries(denied.map((s) => [s.facts.display, s.facts.deniedAuth as number])),
  };
  return state;
}

/** The masterauth of each replica the rotation changes, as it was (what --abort puts back). */
function masterauthBefore(servers: RotationServer[]): Record<string, string> {
  return Object.fromEntries(
    servers.filter((s) => s.plan.masterauth).map((s) => [s.facts.display, s.facts.masterauthForRollback]),
  );
}

/** A start that failed and was rolled back: the pending file goes, unless an undo failed (then --abort retries). */
function rolledBack(undone: StepReport[], pendingPath: string, statePath: string, io: CliIo): number {
  if (undone.every((s) => s.ok)) removePending(pendingPath);
  else
    io.stdout.write(
      `\n${pendingPath} is kept: once the failures above are fixed, redoubt rotate --abort${stateFlag(statePath)} undoes what is left.\n`,
    );
  return 1;
}

/** Everything the first half needs from the flags and files, checked before a connection is made. */
function startInputs(values: FlagValues) {
  const urls = values.redis as string[];
  if (urls.length === 0) throw new UsageError('pass --redis URL for each server (master and replicas); see --help');
  const c = connecting(urls, values);
  const user = String(values.user || '') || c.connectUser;
  checkUserName(user);
  const statePath = resolve(String(values['state-file']));
  checkDirectory(statePath);
  if (readState(statePath))
    throw new UsageError(
      `a rotation is in progress (${statePath}): finish it with redoubt rotate --finish, or pass another --state-file`,
    );
  const password = newPassword(String(values['new-password-file'] || '') || undefined);
  const writes = planCredentialWrites(
    {
      envFile: String(values.dotenv || '') || undefined,
      envKey: String(values['env-key'] || '') || undefined,
      passwordFile: String(values['password-file'] || '') || undefined,
      passwordKeys: values['password-key'] as string[],
    },
    c.targets,
    user,
    password,
  );
  return { c, user, statePath, password, newHash: passwordHash(password), writes };
}

async function startRotation(values: FlagValues, io: CliIo, deps: RotateDeps, secrets: string[]): Promise<number> {
  const { c, user, statePath, password, newHash, writes } = startInputs(values);
  secrets.push(password, ...connectSecrets(c));
  const conns = await openAll(c);
  try {
    const facts = await readAllFacts(conns, user);
    const check = checkStart(facts, user, newHash);
    const servers = withPlans(conns, facts, check);
    if (!report(io, check) || !(await checkPersist(servers, io))) return 2;
    io.stdout.write(describeServers(user, servers));
    const state = initialState(user, servers, newHash, Number(values.grace), writes);
    // Before the first server changes: what --resume / --abort need if this process dies half-way.
    const pendingPath = pendingPathFor(statePath);
    writePending(pendingPath, pendingFrom(state, password, masterauthBefore(servers), writes.files));
    const steps = startSteps({
      servers,
      user,
      newPassword: password,
      newHash,
      tls: c.tls,
      files: writes.files,
      statePath,
      writeState: () => writeState(statePath, state),
      removeState: () => unlinkSync(statePath),
      pendingPath,
      removePending: () => removePending(pendingPath),
    });
    const result = await runSteps(steps, afterEachStep(io, deps.afterStep));
    io.stdout.write(renderSteps(result));
    if (result.rolledBack) return rolledBack(result.rolledBack, pendingPath, statePath, io);
    const requirepass = servers.filter((s) => s.plan.requirepass).map((s) => s.facts.display);
    io.stdout.write(renderNextSteps(state, requirepass, stateFlag(statePath)));
    if (!state.graceUntil) return 0;
    return await waitAndFinish(servers, state, statePath, password, c.tls, io, deps);
  } finally {
    await Promise.all(conns.map((conn) => conn.close()));
  }
}

async function waitAndFinish(
  servers: RotationServer[],
  state: RotationState,
  statePath: string,
  password: string,
  tls: TlsOptions,
  io: CliIo,
  deps: RotateDeps,
): Promise<number> {
  const conns = servers.map((s) => s.conn);
  const until = Date.parse(state.graceUntil);
  let stopped = false;
  void io.stopSignal.then(() => {
    stopped = true;
  });
  while (!stopped && Date.now() < until) {
    const wait = Math.min(until - Date.now(), deps.reportEveryMs ?? 60_000);
    let timer: NodeJS.Timeout | undefined;
    // (the timer is cleared on Ctrl-C: a pending one would keep the process alive for the rest of the grace period)
    await Promise.race([new Promise((r) => (timer = setTimeout(r, wait))), io.stopSignal]);
    clearTimeout(timer);
    // At the end of the grace period the report is finishOn's, just before the removal: not twice.
    if (stopped || Date.now() >= until) break;
    await writeUseReport(conns, state, io);
  }
  if (stopped) {
    io.stdout.write(
      `\nStopped waiting: both passwords still work. Remove the old one with redoubt rotate --finish${stateFlag(statePath)}\n`,
    );
    return 0;
  }
  return finishOn(conns, state, statePath, password, tls, io, deps);
}

/** Writes the report; false when a server's CLIENT LIST, ACL LOG or INFO could not be read (then --status exits 1). */
async function writeUseReport(conns: RedisConnection[], state: RotationState, io: CliIo): Promise<boolean> {
  // (to the millisecond: ACL LOG entries from just before the start must not round into the rotation)
  const exact = Math.max(0, (Date.now() - Date.parse(state.startedAt)) / 1000);
  const ago = Math.round(exact);
  const uses = [];
  for (const conn of conns) uses.push(await readOldPasswordUse(conn, state.user, exact));
  io.stdout.write(
    `\n${new Date().toISOString()} who may still use the old password of "${neutralise(state.user)}" (rotation started ${ago}s ago):\n`,
  );
  io.stdout.write(renderOldPasswordUse(uses, state.user, false, state.deniedAuthAtStart));
  return uses.every((u) => u.unreadable.length === 0);
}

/** --status and --finish: the state file, and the servers it names with the credentials given now. */
async function continueRotation(values: FlagValues, io: CliIo, deps: RotateDeps, secrets: string[]): Promise<number> {
  const statePath = resolve(String(values['state-file']));
  const state = readState(statePath);
  if (!state)
    throw new UsageError(
      `no rotation in progress: ${statePath} does not exist (start one with redoubt rotate --redis URL …, or pass --state-file)`,
    );
  const c = connectingTo(state.servers, values);
  if (values.user && values.user !== state.user)
    throw new UsageError(
      `the rotation in ${statePath} is of the user "${neutralise(state.user)}", not "${neutralise(String(values.user))}"`,
    );
  const password = readNewPasswordBack(state, String(values['new-password-file'] || '') || undefined);
  secrets.push(...connectSecrets(c), ...(password ? [password] : []));
  const conns = await openAll(c);
  try {
    if (!values.status) return await finishOn(conns, state, statePath, password, c.tls, io, deps);
    return (await writeUseReport(conns, state, io)) ? 0 : 1;
  } finally {
    await Promise.all(conns.map((conn) => conn.close()));
  }
}

/** A requirepass server needs the new password in clear at --finish: a problem when it could not be read back. */
function clearPasswordProblem(servers: RotationServer[], state: RotationState, password: string | undefined) {
  const need = servers.filter((s) => s.plan.requirepass && !s.plan.done);
  if (need.length === 0 || password !== undefined) return [];
  const where = [state.envFile?.path, state.passwordFile?.path].filter(Boolean).join(' or ');
  return [
    `${need.map((s) => s.facts.display).join(', ')} take the password from requirepass, which --finish sets to the new password, but it is no longer in ${where}: pass it with --new-password-file FILE`,
  ];
}

async function finishOn(
  conns: RedisConnection[],
  state: RotationState,
  statePath: string,
  password: string | undefined,
  tls: TlsOptions,
  io: CliIo,
  deps: RotateDeps,
): Promise<number> {
  const facts = await readAllFacts(conns, state.user);
  const check = checkFinish(facts, state.user, state.oldHash, state.newHash);
  const servers = withPlans(conns, facts, check);
  if (check.problems.length === 0) check.problems.push(...clearPasswordProblem(servers, state, password));
  if (!report(io, check) || !(await checkPersist(servers, io))) return 2;
  await writeUseReport(conns, state, io);
  io.stdout.write(`\nRemoving the old password of "${neutralise(state.user)}":\n`);
  const { oldHash, newHash, user } = state;
  const steps = finishSteps({ servers, user, oldHash, newHash, newPassword: password, tls });
  const result = await runSteps(steps, afterEachStep(io, deps.afterStep));
  io.stdout.write(renderSteps(result));
  if (result.rolledBack) return 1;
  unlinkSync(statePath);
  io.stdout.write(
    `\nDone: only the new password of "${neutralise(user)}" works for new logins. Connections opened with the old one stay open until they reconnect; failed logins show in ACL LOG.\n`,
  );
  return 0;
}
