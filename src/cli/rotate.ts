import { statSync, unlinkSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EXPORTER_FLAGS } from '../exporter/flags.ts';
import { type FlagSpec, type FlagValues, formatHelp, parseFlags, UsageError } from '../flags/flags.ts';
import { FileWriteError } from '../fs/atomic-write.ts';
import { readRegularFile } from '../fs/read-file.ts';
import type { TlsOptions } from '../redis/connection.ts';
import { loadPasswordFile, lookupPassword, type PasswordMap, resolveCredentials } from '../redis/password-file.ts';
import { RespConnection } from '../redis/resp-connection.ts';
import { parseTarget, type RedisTarget, withCredentials } from '../redis/target.ts';
import {
  ENV_KEY,
  passwordFileKeys,
  readEnvEntry,
  setEnvEntry,
  setPasswordEntries,
} from '../rotate/credential-files.ts';
import { newPassword, passwordHash, readNewPassword } from '../rotate/new-password.ts';
import { readOldPasswordUse, renderOldPasswordUse } from '../rotate/old-password-users.ts';
import { type CheckResult, checkFinish, checkStart, type ServerPlan } from '../rotate/preconditions.ts';
import {
  type CredentialFile,
  fileMode,
  finishSteps,
  persist,
  persistWhat,
  type RotationServer,
  startSteps,
} from '../rotate/rotation.ts';
import { readServerFacts } from '../rotate/server-facts.ts';
import { type RotationState, readState, writeState } from '../rotate/state-file.ts';
import { renderSteps, runSteps } from '../rotate/steps.ts';
import { shellQuote } from '../text/shell-quote.ts';
import { neutralise } from '../text/terminal.ts';
import type { CliIo } from './io.ts';
import { CLIENT_TLS_FLAGS, clientTlsFromFlags } from './tls-flags.ts';

const USAGE = `Usage: redoubt rotate --redis URL [--redis URL]… [--user NAME] (--env-file FILE --env-key KEY | --password-file FILE)… [--grace 1h]
       redoubt rotate --status
       redoubt rotate --finish

Rotates an ACL user's password without downtime. On every server given (a master and its replicas) it adds the new
password beside the old one (ACL SETUSER user #<sha256>), sets masterauth on replicas that replicate as that user,
saves (ACL SAVE, or CONFIG REWRITE where users live in redis.conf), logs in with the new password, and writes it to
the .env entry and/or redis_exporter password file you name. Both passwords work during the grace period. Then
--finish (or the end of --grace) removes the old one and saves again. --status shows who may still use the old one.

The new password is generated (40 letters and digits) or read from --new-password-file; it is never printed.
Everything is checked before anything changes; a step that fails undoes the ones before it.`;

const DEFAULT_STATE_FILE = '.redoubt-rotate.json';
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
  { name: 'env-file', type: 'string', default: '', help: 'A .env file to write the new password to (--env-key).' },
  { name: 'env-key', type: 'string', default: '', help: 'The variable in --env-file: REDIS_PASSWORD.' },
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

interface Connecting {
  targets: RedisTarget[];
  tls: TlsOptions;
  connectUser: string;
}

/** The servers with the credentials to connect with, as the exporter takes them. */
function connecting(urls: string[], values: FlagValues): Connecting {
  const file = String(values['redis.password-file'] || '');
  const passwords: PasswordMap | undefined = file ? loadPasswordFile(file) : undefined;
  const targets = urls.map((url) => {
    const bare = parseTarget(url);
    const { user, password } = resolveCredentials(bare, {
      user: String(values['redis.user'] || ''),
      password: String(values['redis.password'] || ''),
      passwords,
    });
    return withCredentials(bare, user, password);
  });
  const seen = new Set<string>();
  for (const t of targets) {
    if (seen.has(t.display.replace(/\/\/[^@/]*@/, '//')))
      throw new UsageError(`${t.display} is given twice with --redis`);
    seen.add(t.display.replace(/\/\/[^@/]*@/, '//'));
  }
  return { targets, tls: clientTlsFromFlags(values), connectUser: targets[0]?.username ?? 'default' };
}

function checkUserName(user: string): void {
  if (user.length > 256 || !/^[\x21-\x7e]+$/.test(user))
    throw new UsageError(`--user "${neutralise(user)}" is not an ACL user name (printable characters, no spaces)`);
}

/** Every flag checked before a connection is made: one line and exit 2 for anything wrong. */
function checkCombinations(values: FlagValues): void {
  const modes = [values.finish, values.status].filter(Boolean).length;
  if (modes > 1) throw new UsageError('--finish and --status are separate steps: give one of them');
  if (modes > 0 && (values['env-file'] || values['password-file'] || values.grace))
    throw new UsageError(
      '--env-file, --password-file and --grace belong to the start of a rotation; --finish and --status read what it recorded',
    );
  const grace = Number(values.grace);
  if (grace < 0 || grace > MAX_GRACE_MS) throw new UsageError('--grace must be between 1s and 720h');
  if (Boolean(values['env-file']) !== Boolean(values['env-key']))
    throw new UsageError('--env-file and --env-key go together: the file, and the variable in it (REDIS_PASSWORD)');
  if (values['env-key'] && !ENV_KEY.test(String(values['env-key'])))
    throw new UsageError(`--env-key "${neutralise(String(values['env-key']))}" is not a variable name (A-Z, 0-9, _)`);
  if ((values['password-key'] as string[]).length > 0 && !values['password-file'])
    throw new UsageError('--password-key names an entry of --password-file: give the file too');
  for (const k of values['password-key'] as string[]) parseTarget(k);
  if (modes === 0 && !values['env-file'] && !values['password-file'])
    throw new UsageError(
      'the new password must go somewhere, and redoubt never prints it: pass --env-file FILE --env-key KEY and/or --password-file FILE',
    );
}

export async function runRotate(argv: string[], io: CliIo, deps: RotateDeps = {}): Promise<number> {
  const { values, help, positionals } = parseFlags(argv, ROTATE_FLAGS, io.env);
  if (help) {
    io.stdout.write(formatHelp(USAGE, ROTATE_FLAGS));
    return 0;
  }
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument "${positionals[0]}"; flags take the form --name value, see --help`);
  checkCombinations(values);
  try {
    if (values.finish || values.status) return await continueRotation(values, io, deps);
    return await startRotation(values, io, deps);
  } catch (err) {
    if (err instanceof FileWriteError) throw new UsageError(err.message);
    throw err;
  }
}

/** Reads an existing file we are about to rewrite (a link or a directory is refused). */
function current(path: string): Buffer | undefined {
  return readRegularFile(path);
}

function credentialFiles(values: FlagValues, targets: RedisTarget[], user: string, password: string): CredentialFile[] {
  const files: CredentialFile[] = [];
  const envFile = String(values['env-file'] || '');
  if (envFile) {
    const path = resolve(envFile);
    const before = current(path);
    const key = String(values['env-key']);
    files.push({
      path,
      label: `${envFile} (${key})`,
      before,
      beforeMode: fileMode(path),
      after: setEnvEntry(before?.toString('utf8') ?? '', key, password),
    });
  }
  const pwFile = String(values['password-file'] || '');
  if (pwFile) {
    const path = resolve(pwFile);
    const before = current(path);
    const map = before ? loadPasswordFile(path) : new Map<string, string>();
    const keys = passwordFileKeys(map, targets, user, values['password-key'] as string[]);
    files.push({
      path,
      label: `${pwFile} (${keys.length} entr${keys.length === 1 ? 'y' : 'ies'})`,
      before,
      beforeMode: fileMode(path),
      after: setPasswordEntries(map, keys, password),
    });
  }
  for (const f of files)
    if (!statSync(dirname(f.path), { throwIfNoEntry: false })?.isDirectory())
      throw new UsageError(`the directory of ${f.path} does not exist; create it first or choose another path`);
  return files;
}

async function openAll(c: Connecting): Promise<RespConnection[]> {
  const conns = c.targets.map((t) => new RespConnection(t, { connectTimeoutMs: 10000, tls: c.tls }));
  try {
    await Promise.all(conns.map((conn) => conn.ready()));
  } catch (err) {
    await Promise.all(conns.map((conn) => conn.close()));
    throw err;
  }
  return conns;
}

async function gather(conns: RespConnection[], user: string): Promise<RotationServer[]> {
  const out: RotationServer[] = [];
  for (const conn of conns) {
    const facts = await readServerFacts(conn, user);
    out.push({ conn, facts, plan: undefined as unknown as ServerPlan });
  }
  return out;
}

function report(io: CliIo, check: CheckResult): boolean {
  for (const w of check.warnings) io.stderr.write(`redoubt rotate: warning: ${neutralise(w)}\n`);
  if (check.problems.length === 0) return true;
  io.stderr.write(
    `redoubt rotate: nothing was changed, because:\n${check.problems.map((p) => `  - ${neutralise(p)}`).join('\n')}\n`,
  );
  return false;
}

/** The last precondition: the server can write its files now (the later save would write the same). */
async function checkPersist(servers: RotationServer[], io: CliIo): Promise<boolean> {
  const problems: string[] = [];
  for (const s of servers) {
    try {
      await persist(s.conn, s.plan);
    } catch (err) {
      problems.push(
        `${s.facts.display} cannot save (${persistWhat(s.plan)}): ${(err as Error).message}. Fix its aclfile / redis.conf (the file and its directory must be writable by redis-server)`,
      );
    }
  }
  return report(io, { plans: [], problems, warnings: [] });
}

function describeServer(s: RotationServer): string {
  const where = s.plan.persist === 'ACL SAVE' ? `users in ${s.facts.aclfile}` : `users in ${s.facts.configFile}`;
  const role = s.facts.role === 'replica' ? `replica${s.plan.masterauth ? ', replicates as this user' : ''}` : 'master';
  return `  ${s.facts.display}: Redis ${s.facts.version}, ${role}, ${where} (${persistWhat(s.plan)})${s.plan.requirepass ? ', password from requirepass' : ''}`;
}

async function startRotation(values: FlagValues, io: CliIo, deps: RotateDeps): Promise<number> {
  const urls = values.redis as string[];
  if (urls.length === 0) throw new UsageError('pass --redis URL for each server (master and replicas); see --help');
  const c = connecting(urls, values);
  const user = String(values.user || '') || c.connectUser;
  checkUserName(user);
  const statePath = resolve(String(values['state-file']));
  if (readState(statePath))
    throw new UsageError(
      `a rotation is in progress (${statePath}): finish it with redoubt rotate --finish, or pass another --state-file`,
    );
  const password = newPassword(String(values['new-password-file'] || '') || undefined);
  const newHash = passwordHash(password);
  const files = credentialFiles(values, c.targets, user, password);
  const conns = await openAll(c);
  try {
    const servers = await gather(conns, user);
    const check = checkStart(
      servers.map((s) => s.facts),
      user,
      newHash,
    );
    servers.forEach((s, i) => {
      s.plan = check.plans[i];
    });
    if (!report(io, check) || !(await checkPersist(servers, io))) return 2;
    io.stdout.write(
      `redoubt rotate: the password of "${neutralise(user)}" on\n${servers.map((s) => neutralise(describeServer(s))).join('\n')}\n\n`,
    );
    const state: RotationState = {
      version: 1,
      user,
      servers: servers.map((s) => s.facts.display),
      oldHash: servers[0].facts.user?.hashes[0] ?? '',
      newHash,
      startedAt: new Date().toISOString(),
      graceUntil: values.grace ? new Date(Date.now() + Number(values.grace)).toISOString() : '',
      envFile: values['env-file'] ? { path: files[0].path, key: String(values['env-key']) } : undefined,
      passwordFile: values['password-file']
        ? { path: files[files.length - 1].path, keys: passwordKeysOf(files[files.length - 1]) }
        : undefined,
      deniedAuthAtStart: Object.fromEntries(
        servers
          .filter((s) => s.facts.deniedAuth !== undefined)
          .map((s) => [s.facts.display, s.facts.deniedAuth as number]),
      ),
    };
    const steps = startSteps({
      servers,
      user,
      newPassword: password,
      newHash,
      tls: c.tls,
      files,
      statePath,
      writeState: () => writeState(statePath, state),
      removeState: () => unlinkSync(statePath),
    });
    const result = await runSteps(steps, deps.afterStep);
    io.stdout.write(renderSteps(result));
    if (result.rolledBack) return 1;
    io.stdout.write(nextSteps(servers, user, state, statePath, values));
    if (!values.grace) return 0;
    return await waitAndFinish(servers, state, statePath, password, c.tls, io, deps);
  } finally {
    await Promise.all(conns.map((conn) => conn.close()));
  }
}

function passwordKeysOf(file: CredentialFile): string[] {
  const before = file.before ? Object.keys(JSON.parse(file.before.toString('utf8'))) : [];
  const after = JSON.parse(file.after) as Record<string, string>;
  const beforeMap = file.before ? (JSON.parse(file.before.toString('utf8')) as Record<string, string>) : {};
  return Object.keys(after).filter((k) => !before.includes(k) || beforeMap[k] !== after[k]);
}

function stateFlag(statePath: string): string {
  return statePath === resolve(DEFAULT_STATE_FILE) ? '' : ` --state-file ${shellQuote(statePath)}`;
}

function nextSteps(
  servers: RotationServer[],
  user: string,
  state: RotationState,
  statePath: string,
  values: FlagValues,
): string {
  const sf = stateFlag(statePath);
  const u = neutralise(user);
  const lines = [
    '',
    `Both passwords of "${u}" work now. Next:`,
    `  1. Restart or reload every client of "${u}" so it reads the new password (${[state.envFile ? `${state.envFile.key} in ${state.envFile.path}` : '', state.passwordFile ? state.passwordFile.path : ''].filter(Boolean).join(', ')}).`,
    '     Connections already open keep working, even after the old password is removed; they need the new one when they reconnect.',
    `     redoubt exporter re-reads its --redis.password-file when the file changes.`,
    `  2. Watch who may still use the old password:  redoubt rotate --status${sf}`,
    values.grace
      ? `  3. The old password is removed at ${state.graceUntil} (this command waits; Ctrl-C stops waiting, then run redoubt rotate --finish${sf}).`
      : `  3. Remove the old password when they all have the new one:  redoubt rotate --finish${sf}`,
  ];
  for (const s of servers.filter((x) => x.plan.requirepass))
    lines.push(
      '',
      `Note on ${neutralise(s.facts.display)}: it has no aclfile and the default user's password comes from requirepass.`,
      '  CONFIG REWRITE has written a `user default … #<sha256> #<sha256>` line with both passwords to its redis.conf, beside',
      '  `requirepass`, which still holds the old password: after a restart the `user default` line wins (both passwords',
      '  work), but CONFIG GET requirepass shows the old one, and a CONFIG SET requirepass by anyone would drop the new one.',
      '  --finish runs CONFIG SET requirepass with the new password (dropping the old) and CONFIG REWRITE: redis.conf then',
      '  holds the new password in `requirepass` (in clear, as requirepass always is) and its hash in the `user default` line.',
    );
  return `${lines.join('\n')}\n`;
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
    if (stopped) break;
    await writeUseReport(servers, state, false, io);
  }
  if (stopped) {
    io.stdout.write(
      `\nStopped waiting: both passwords still work. Remove the old one with redoubt rotate --finish${stateFlag(statePath)}\n`,
    );
    return 0;
  }
  return finishOn(servers, state, statePath, password, tls, io, deps);
}

async function writeUseReport(servers: RotationServer[], state: RotationState, removed: boolean, io: CliIo) {
  const ago = Math.max(0, Math.round((Date.now() - Date.parse(state.startedAt)) / 1000));
  const uses = [];
  for (const s of servers) uses.push(await readOldPasswordUse(s.conn, state.user, ago));
  io.stdout.write(
    `\n${new Date().toISOString()} who may still use the old password of "${neutralise(state.user)}" (rotation started ${ago}s ago):\n`,
  );
  io.stdout.write(renderOldPasswordUse(uses, state.user, removed, state.deniedAuthAtStart));
}

/** The new password read back from where the rotation wrote it, if it is still there and still the same. */
function newPasswordBack(state: RotationState, values: FlagValues): string | undefined {
  const candidates: Array<string | undefined> = [];
  const given = String(values['new-password-file'] || '');
  if (given) candidates.push(readNewPassword(given));
  if (state.envFile) {
    const text = readRegularFile(state.envFile.path)?.toString('utf8');
    if (text) candidates.push(readEnvEntry(text, state.envFile.key));
  }
  if (state.passwordFile && readRegularFile(state.passwordFile.path)) {
    const map = loadPasswordFile(state.passwordFile.path);
    for (const k of state.passwordFile.keys) candidates.push(map.get(k) ?? lookupPassword(map, parseTarget(k)));
  }
  return candidates.find((p) => p !== undefined && passwordHash(p) === state.newHash);
}

async function continueRotation(values: FlagValues, io: CliIo, deps: RotateDeps): Promise<number> {
  const statePath = resolve(String(values['state-file']));
  const state = readState(statePath);
  if (!state)
    throw new UsageError(
      `no rotation in progress: ${statePath} does not exist (start one with redoubt rotate --redis URL …, or pass --state-file)`,
    );
  const given = values.redis as string[];
  const c = connecting(given.length > 0 ? given : state.servers, values);
  const shown = (t: RedisTarget) => t.display.replace(/\/\/[^@/]*@/, '//');
  const expected = new Set(state.servers.map((s) => shown(parseTarget(s))));
  if (c.targets.length !== expected.size || c.targets.some((t) => !expected.has(shown(t))))
    throw new UsageError(`--redis must name the servers of the rotation: ${state.servers.join(', ')}`);
  if (values.user && values.user !== state.user)
    throw new UsageError(
      `the rotation in ${statePath} is of the user "${neutralise(state.user)}", not "${neutralise(String(values.user))}"`,
    );
  const conns = await openAll(c);
  try {
    const servers = await gather(conns, state.user);
    if (values.status) {
      await writeUseReport(servers, state, false, io);
      return 0;
    }
    return await finishOn(servers, state, statePath, newPasswordBack(state, values), c.tls, io, deps);
  } finally {
    await Promise.all(conns.map((conn) => conn.close()));
  }
}

async function finishOn(
  servers: RotationServer[],
  state: RotationState,
  statePath: string,
  password: string | undefined,
  tls: TlsOptions,
  io: CliIo,
  deps: RotateDeps,
): Promise<number> {
  for (const s of servers) s.facts = await readServerFacts(s.conn, state.user);
  const check = checkFinish(
    servers.map((s) => s.facts),
    state.user,
    state.oldHash,
    state.newHash,
  );
  servers.forEach((s, i) => {
    s.plan = check.plans[i];
  });
  const needClear = servers.filter((s) => s.plan?.requirepass && !s.plan.done);
  if (needClear.length > 0 && password === undefined)
    check.problems.push(
      `${needClear.map((s) => s.facts.display).join(', ')} take the password from requirepass, which --finish sets to the new password, but it is no longer in ${[state.envFile?.path, state.passwordFile?.path].filter(Boolean).join(' or ')}: pass it with --new-password-file FILE`,
    );
  if (!report(io, check) || !(await checkPersist(servers, io))) return 2;
  await writeUseReport(servers, state, false, io);
  io.stdout.write(`\nRemoving the old password of "${neutralise(state.user)}":\n`);
  const steps = finishSteps({
    servers,
    user: state.user,
    oldHash: state.oldHash,
    newHash: state.newHash,
    newPassword: password,
    tls,
  });
  const result = await runSteps(steps, deps.afterStep);
  io.stdout.write(renderSteps(result));
  if (result.rolledBack) return 1;
  unlinkSync(statePath);
  io.stdout.write(
    `\nDone: only the new password of "${neutralise(state.user)}" works for new logins. Connections opened with the old one stay open until they reconnect; failed logins show in ACL LOG.\n`,
  );
  return 0;
}
