import { lstatSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import {
  envName,
  generatePassword,
  generatePasswords,
  HARDENED_USERS,
  type HardenedUser,
  type HardenPasswords,
  mergeEnv,
  renderEnv,
  renderUsersAcl,
} from '../catalog/acl-users.ts';
import {
  DEFAULT_BIND,
  DEFAULT_MAXMEMORY,
  DEFAULT_PORT,
  hardenedDirectives,
  type Role,
  renderRedisConf,
  type SecureConfOptions,
} from '../catalog/secure-conf.ts';
import { generateTlsBundle } from '../certificates/tls-bundle.ts';
import { EXPORTER_FLAGS } from '../exporter/flags.ts';
import { type FlagSpec, type FlagValues, formatHelp, parseFlags, UsageError } from '../flags/flags.ts';
import { FileWriteError, makeDirectory, writeFileAtomic } from '../fs/atomic-write.ts';
import { readRegularFile } from '../fs/read-file.ts';
import { bindWarnings } from '../harden/bind-check.ts';
import { type ApplyReport, type ApplyStep, applyPlan, readLiveState } from '../harden/live.ts';
import { planHardening, planSize, renderPlan } from '../harden/plan.ts';
import { checkBindAddress, checkHostname, checkMaxmemory, HardenInputError } from '../harden/sizes.ts';
import { loadPasswordFile, resolveCredentials } from '../redis/password-file.ts';
import { RespConnection } from '../redis/resp-connection.ts';
import { makeTarget, parseTarget, type RedisTarget, withCredentials } from '../redis/target.ts';
import { shellQuote } from '../text/shell-quote.ts';
import { neutralise } from '../text/terminal.ts';
import type { CliIo } from './io.ts';
import { CLIENT_TLS_FLAGS, clientTlsFromFlags } from './tls-flags.ts';

const USAGE = `Usage: redoubt harden --out DIR [--role cache|store] [--tls] [--bind ADDR]… [--maxmemory SIZE] [--force]
       redoubt harden --redis URL [--role cache|store] [--maxmemory SIZE] [--out DIR] [--apply [--yes]]

With --out: writes DIR/redis-secure.conf, DIR/users.acl (default user off; admin, app, exporter, backup and auditor
users, passwords as SHA-256), DIR/.env (their generated passwords, mode 0600) and, with --tls, DIR/tls/ (a private
CA, server and client certificates). Existing files are never overwritten without --force.

With --redis: shows, as a diff, what CONFIG SET and ACL SETUSER would change on a running server, and what needs a
restart. --apply applies it (asking on a terminal, otherwise only with --yes), then persists it with CONFIG REWRITE
and ACL SAVE where the server allows. New users get generated passwords, written to --out DIR/.env.`;

export const HARDEN_FLAGS: FlagSpec[] = [
  { name: 'out', type: 'string', default: '', help: 'Directory to write the hardened files to (created if missing).' },
  {
    name: 'role',
    type: 'string',
    default: '',
    help: 'cache (evict least recently used keys, no persistence) or store (refuse writes when full, AOF + RDB). Default with --out: store; with --redis: leave policy and persistence alone.',
  },
  {
    name: 'tls',
    type: 'bool',
    default: false,
    help: 'TLS only (port 0, tls-port), with client certificates: generates a CA, server and client certificates in DIR/tls/.',
  },
  {
    name: 'bind',
    type: 'list',
    default: [],
    help: 'Address to listen on besides 127.0.0.1 and ::1; repeat the flag for several.',
  },
  {
    name: 'hostname',
    type: 'list',
    default: [],
    help: 'With --tls: a DNS name clients use, added to the server certificate; repeatable.',
  },
  {
    name: 'port',
    type: 'int',
    default: DEFAULT_PORT,
    help: 'Port clients connect to (the TLS port with --tls).',
  },
  {
    name: 'maxmemory',
    type: 'string',
    default: '',
    help: `Memory limit: 512mb, 2gb or bytes. Default with --out: ${DEFAULT_MAXMEMORY}; with --redis: left alone.`,
  },
  { name: 'force', type: 'bool', default: false, help: 'Overwrite existing files (new passwords and keys).' },
  { name: 'redis', type: 'string', default: '', help: 'A running server to harden: redis://[user@]host:port.' },
  { name: 'redis.user', type: 'string', env: ['REDIS_USER'], default: '', help: 'ACL user for --redis.' },
  {
    name: 'redis.password',
    type: 'string',
    env: ['REDIS_PASSWORD'],
    default: '',
    help: 'Password for --redis (prefer the environment variable to the command line).',
  },
  // The exporter's flag itself (same name, variable and wording), so harden can reuse the exporter's password file.
  EXPORTER_FLAGS.find((f) => f.name === 'redis.password-file') as FlagSpec,
  ...CLIENT_TLS_FLAGS,
  { name: 'apply', type: 'bool', default: false, help: 'With --redis: apply the changes shown.' },
  { name: 'yes', type: 'bool', default: false, help: 'With --apply: do not ask for confirmation.' },
];

/** Test seams: fixed passwords, and the confirmation prompt. */
export interface HardenDeps {
  passwords?: HardenPasswords;
  /** Whether a person can answer a question; default: stdin and stdout are terminals. */
  interactive?: boolean;
  confirm?: (question: string) => Promise<boolean>;
}

/** `--bind a --bind b,c`: every occurrence, where the flag parser keeps only the last. */
function collectRepeated(argv: string[], specs: FlagSpec[], name: string): string[] {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') break;
    if (!arg.startsWith('-') || arg === '-') continue;
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const flag = eq >= 0 ? body.slice(0, eq) : body;
    const spec = byName.get(flag);
    if (!spec) continue;
    let raw: string | undefined;
    if (eq >= 0) raw = body.slice(eq + 1);
    else if (spec.type !== 'bool') raw = argv[++i];
    if (flag === name && raw !== undefined) out.push(...raw.split(/[,\s]+/).filter(Boolean));
  }
  return out;
}

interface Inputs {
  role?: Role;
  maxmemory?: string;
  bind: string[];
  hostnames: string[];
  port: number;
}

function readInputs(argv: string[], values: FlagValues): Inputs {
  const role = String(values.role ?? '').toLowerCase();
  if (role !== '' && role !== 'cache' && role !== 'store')
    throw new UsageError(
      `--role "${values.role}" is not a role; use cache (evicts keys when full, no persistence) or store (keeps data: refuses writes when full, append-only file)`,
    );
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError(`--port ${values.port} is not a TCP port; use 1-65535`);
  const maxmemory = String(values.maxmemory ?? '');
  try {
    const extra = collectRepeated(argv, HARDEN_FLAGS, 'bind').map(checkBindAddress);
    const bind = [...DEFAULT_BIND];
    for (const b of extra) if (!bind.includes(b) && !bind.includes(`-${b}`)) bind.push(b);
    return {
      role: role === '' ? undefined : (role as Role),
      maxmemory: maxmemory === '' ? undefined : checkMaxmemory(maxmemory),
      bind,
      hostnames: collectRepeated(argv, HARDEN_FLAGS, 'hostname').map(checkHostname),
      port,
    };
  } catch (err) {
    if (err instanceof HardenInputError) throw new UsageError(err.message);
    throw err;
  }
}

/** Whether anything (a file, a directory, a link, even a dangling one) is at `path`. */
function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function refuseExisting(paths: string[], dir: string): void {
  const existing = paths.filter(present);
  if (existing.length === 0) return;
  const names = existing.map((p) => p.slice(dir.length + 1)).join(', ');
  throw new UsageError(
    `${existing.length === 1 ? `${existing[0]} exists` : `these files exist in ${dir}: ${names}`}; refusing to overwrite ${
      existing.length === 1 ? 'it' : 'them'
    } (they may hold secrets that servers and clients use). Pass --force to replace them with new passwords${
      existing.some((p) => p.includes('/tls/')) ? ' and keys' : ''
    }, or choose another --out directory.`,
  );
}

interface OutFile {
  path: string;
  data: string;
  mode: number;
  what: string;
}

async function writeOut(dirArg: string, inputs: Inputs, tls: boolean, force: boolean, deps: HardenDeps, io: CliIo) {
  const dir = resolve(dirArg);
  const role = inputs.role ?? 'store';
  const passwords = deps.passwords ?? generatePasswords();
  const tlsDir = join(dir, 'tls');
  const tlsPaths = {
    certFile: join(tlsDir, 'server.crt'),
    keyFile: join(tlsDir, 'server.key'),
    caFile: join(tlsDir, 'ca.crt'),
  };
  const confOptions: SecureConfOptions = {
    role,
    bind: inputs.bind,
    port: inputs.port,
    maxmemory: inputs.maxmemory ?? DEFAULT_MAXMEMORY,
    aclFile: join(dir, 'users.acl'),
    tls: tls ? tlsPaths : undefined,
  };
  const tlsFiles = ['ca.crt', 'ca.key', 'server.crt', 'server.key', 'client.crt', 'client.key'];
  const targets = [
    ...(tls ? tlsFiles.map((f) => join(tlsDir, f)) : []),
    ...['users.acl', '.env', 'redis-secure.conf'].map((f) => join(dir, f)),
  ];
  if (!force) refuseExisting(targets, dir);
  const files: OutFile[] = [];
  if (tls) {
    const bundle = await generateTlsBundle({ names: [...inputs.bind, ...inputs.hostnames] });
    const until = bundle.notAfter.toISOString().slice(0, 10);
    files.push(
      {
        path: tlsPaths.caFile,
        data: bundle.caCert,
        mode: 0o644,
        what: 'CA certificate: clients verify the server with it',
      },
      {
        path: join(tlsDir, 'ca.key'),
        data: bundle.caKey,
        mode: 0o600,
        what: 'CA key: signs more client certificates; keep it offline',
      },
      {
        path: tlsPaths.certFile,
        data: bundle.serverCert,
        mode: 0o644,
        what: `server certificate for ${[...bundle.serverNames.dns, ...bundle.serverNames.ip].join(', ')} (until ${until})`,
      },
      { path: tlsPaths.keyFile, data: bundle.serverKey, mode: 0o600, what: 'server key' },
      {
        path: join(tlsDir, 'client.crt'),
        data: bundle.clientCert,
        mode: 0o644,
        what: `client certificate (until ${until})`,
      },
      { path: join(tlsDir, 'client.key'), data: bundle.clientKey, mode: 0o600, what: 'client key' },
    );
  }
  files.push(
    {
      path: join(dir, 'users.acl'),
      data: renderUsersAcl(passwords),
      mode: 0o600,
      what: `users: default off; ${HARDENED_USERS.join(', ')} (passwords as SHA-256)`,
    },
    {
      path: join(dir, '.env'),
      data: renderEnv(passwords),
      mode: 0o600,
      what: 'their passwords, as REDIS_<USER>_PASSWORD',
    },
    {
      path: join(dir, 'redis-secure.conf'),
      data: renderRedisConf(confOptions),
      mode: 0o640,
      what: `Redis configuration (role ${role}, maxmemory ${confOptions.maxmemory}${tls ? ', TLS only' : ''})`,
    },
  );
  makeDirectory(dir, 0o750);
  if (tls) makeDirectory(tlsDir, 0o750, dir);
  for (const f of files) writeFileAtomic(f.path, f.data, { mode: f.mode, overwrite: force });

  const out: string[] = [`redoubt harden: wrote a hardened Redis setup to ${dir}`];
  for (const f of files)
    out.push(`  ${f.path.slice(dir.length + 1).padEnd(18)} ${f.mode.toString(8).padStart(4, '0')}  ${f.what}`);
  out.push('', ...nextSteps(dir, confOptions, tls));
  io.stdout.write(`${out.join('\n')}\n`);
}

function nextSteps(dir: string, o: SecureConfOptions, tls: boolean): string[] {
  const q = (p: string) => shellQuote(join(dir, p));
  const conf = q('redis-secure.conf');
  const host = tls ? 'localhost' : '127.0.0.1';
  const url = `${tls ? 'rediss' : 'redis'}://${host}:${o.port}`;
  const cliTls = tls
    ? ` --tls --cacert ${q('tls/ca.crt')} --cert ${q('tls/client.crt')} --key ${q('tls/client.key')}`
    : '';
  // The exporter and the audit take the same client TLS flags (src/cli/tls-flags.ts).
  const clientTls = tls
    ? ` \\\n       --tls-ca-cert-file ${q('tls/ca.crt')} --tls-client-cert-file ${q('tls/client.crt')} --tls-client-key-file ${q('tls/client.key')}`
    : '';
  return [
    'Next steps:',
    `  1. redis-server must be able to read ${dir} (and write users.acl, for ACL SAVE), and to write`,
    `     dir ${o.dir ?? '/var/lib/redis'} and logfile ${o.logFile ?? '/var/log/redis/redis-server.log'}; as root: chown -R redis:redis ${shellQuote(dir)}`,
    '  2. Start Redis with it:',
    `       redis-server ${conf}`,
    '     or, for the Debian/Ubuntu service, make it the last line of /etc/redis/redis.conf and restart the service',
    '     (the service cannot read files under /home: keep the directory under /etc/redis):',
    `       include ${conf}`,
    '  3. Connect with a user and its password from .env (REDISCLI_AUTH keeps it off the command line):',
    `       set -a; . ${q('.env')}; set +a`,
    `       REDISCLI_AUTH="$REDIS_ADMIN_PASSWORD" redis-cli --user admin -p ${o.port}${tls ? ` -h ${host}` : ''}${cliTls} ping`,
    `     Applications use the app user: ${url.replace('://', '://app:$REDIS_APP_PASSWORD@')}`,
    '  4. Scrape it with the exporter user:',
    `       REDIS_USER=exporter REDIS_PASSWORD="$REDIS_EXPORTER_PASSWORD" redoubt exporter --redis.addr ${url}${clientTls}`,
    '  5. Audit it, as files now and live once it runs:',
    `       redoubt audit --config ${conf} --acl-file ${q('users.acl')}`,
    `       REDIS_PASSWORD="$REDIS_AUDITOR_PASSWORD" redoubt audit --redis ${url.replace('://', '://auditor@')}${clientTls}`,
  ];
}

function renderApplyReport(report: ApplyReport): string {
  const step = (s: ApplyStep) => `  ${s.ok ? 'ok    ' : 'FAILED'} ${s.what}${s.error ? `: ${s.error}` : ''}`;
  const lines = ['', 'Applied:', ...report.steps.map(step)];
  if (report.rolledBack) {
    const clean = report.rolledBack.every((s) => s.ok);
    lines.push(
      '',
      clean
        ? 'Rolled back: the server is as it was, and nothing was persisted (redis.conf and the ACL file are untouched):'
        : 'Rolling back FAILED for the steps below: check the server (CONFIG GET, ACL LIST) before anything else; nothing was persisted:',
      ...report.rolledBack.map(step),
    );
  }
  for (const n of report.notPersisted) lines.push(`not persisted: ${n}`);
  return `${lines.join('\n')}\n`;
}

async function askYesNo(io: CliIo, question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: io.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

async function hardenLive(values: FlagValues, inputs: Inputs, deps: HardenDeps, io: CliIo): Promise<number> {
  const bare = parseTarget(String(values.redis));
  const tls = clientTlsFromFlags(values);
  const file = String(values['redis.password-file'] || '');
  // A missing or malformed file is a PasswordFileError (a ConfigError: exit 2) naming the file, never a password.
  const { user, password } = resolveCredentials(bare, {
    user: String(values['redis.user'] || ''),
    password: String(values['redis.password'] || ''),
    passwords: file ? loadPasswordFile(file) : undefined,
  });
  if (file && !password)
    io.stderr.write(
      `redoubt harden: the password file ${file} (--redis.password-file) has no password for ${makeTarget(bare.scheme, bare.host, bare.port, bare.path, 0, user).display}; connecting without a password\n`,
    );
  const target: RedisTarget = withCredentials(bare, user, password);
  const outDir = values.out ? resolve(String(values.out)) : undefined;
  const directives = hardenedDirectives({
    role: inputs.role ?? 'store',
    bind: inputs.bind,
    port: inputs.port,
    maxmemory: inputs.maxmemory ?? DEFAULT_MAXMEMORY,
    aclFile: outDir ? join(outDir, 'users.acl') : '/etc/redis/users.acl',
    tls: values.tls ? { certFile: 'tls/server.crt', keyFile: 'tls/server.key', caFile: 'tls/ca.crt' } : undefined,
  });
  const options = { connectTimeoutMs: 10000, tls, clientName: 'redoubt-harden' };
  const conn = new RespConnection(target, options);
  try {
    const state = await readLiveState(conn, directives);
    const plan = planHardening(state, {
      directives,
      explicit: {
        maxmemory: inputs.maxmemory !== undefined,
        role: inputs.role !== undefined,
        bind: inputs.bind.length > 2,
        tls: values.tls === true,
      },
    });
    io.stdout.write(renderPlan(plan, target.display, state.version));
    const size = planSize(plan);
    if (!values.apply) {
      if (size > 0)
        io.stdout.write('\nDry run: nothing was changed. Apply it with --apply (and --yes when not on a terminal).\n');
      return 0;
    }
    if (size === 0) return 0;

    const creating = plan.users.filter((u) => u.newPassword).map((u) => u.name as HardenedUser);
    const envPath = outDir ? join(outDir, '.env') : undefined;
    if (creating.length > 0) {
      if (!envPath)
        throw new UsageError(
          `users ${creating.join(', ')} need new passwords, and redoubt never prints passwords: pass --out DIR to have them written to DIR/.env (mode 0600)`,
        );
      if (!values.force && present(envPath))
        throw new UsageError(
          `${envPath} exists; refusing to change it. Pass --force to add the new passwords to it (its other lines are kept), or choose another --out directory.`,
        );
    }
    if (!values.yes) {
      const interactive = deps.interactive ?? (process.stdin.isTTY === true && io.stdout === process.stdout);
      if (!interactive)
        throw new UsageError(
          `refusing to change ${target.display} without confirmation: pass --yes to apply the changes above`,
        );
      const confirm = deps.confirm ?? ((q: string) => askYesNo(io, q));
      if (!(await confirm(`\nApply these ${size} changes to ${target.display}? [y/N] `))) {
        io.stdout.write('Nothing was changed.\n');
        return 1;
      }
    }

    const passwords: Partial<HardenPasswords> = {};
    for (const u of creating) passwords[u] = deps.passwords?.[u] ?? generatePassword();
    if (envPath && creating.length > 0) {
      makeDirectory(outDir as string, 0o750);
      // Before the server knows the passwords: a failure after this point leaves them somewhere safe.
      const existing = readRegularFile(envPath)?.toString('utf8');
      writeFileAtomic(envPath, existing ? mergeEnv(existing, passwords) : renderEnv(passwords), {
        mode: 0o600,
        overwrite: true,
      });
      io.stdout.write(`\nwrote ${envPath} (0600): ${creating.map(envName).join(', ')}\n`);
    }
    const open = async (t: RedisTarget) => {
      const c = new RespConnection(t, options);
      try {
        await c.ready();
      } catch (err) {
        await c.close();
        throw err;
      }
      return c;
    };
    const report = await applyPlan(conn, plan, {
      passwords,
      configFile: state.configFile,
      aclFile: state.config.aclfile ?? '',
      connectAsAdmin: (password) =>
        open(withCredentials({ ...target, username: undefined, password: undefined }, 'admin', password)),
      connectAgain: () => open(target),
    });
    // Step names and errors quote the server (user names, replies): each line's control characters are escaped.
    io.stdout.write(renderApplyReport(report).split('\n').map(neutralise).join('\n'));
    return report.rolledBack === undefined && report.notPersisted.length === 0 ? 0 : 1;
  } finally {
    await conn.close();
  }
}

export async function runHarden(argv: string[], io: CliIo, deps: HardenDeps = {}): Promise<number> {
  const { values, help } = parseFlags(argv, HARDEN_FLAGS, io.env);
  if (help) {
    io.stdout.write(formatHelp(USAGE, HARDEN_FLAGS));
    return 0;
  }
  const inputs = readInputs(argv, values);
  const extra = inputs.bind.filter((b) => !DEFAULT_BIND.includes(b));
  for (const w of bindWarnings(extra, localAddresses())) io.stderr.write(`redoubt harden: warning: ${w}\n`);
  try {
    return await hardenCommand(values, inputs, deps, io);
  } catch (err) {
    // A path that cannot be written (a link, a file where a directory should be, /proc) is the user's to fix.
    if (err instanceof FileWriteError) throw new UsageError(err.message);
    throw err;
  }
}

/** This host's interface addresses, for the --bind warnings. */
function localAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .map((i) => i?.address ?? '')
    .filter(Boolean);
}

async function hardenCommand(values: FlagValues, inputs: Inputs, deps: HardenDeps, io: CliIo): Promise<number> {
  if (values.redis) return hardenLive(values, inputs, deps, io);
  if (!values.out)
    throw new UsageError(
      'pass --out DIR to write a hardened redis.conf, users.acl and .env, or --redis URL to harden a running server; see --help',
    );
  if (values.apply || values.yes) throw new UsageError('--apply and --yes go with --redis URL');
  if (inputs.hostnames.length > 0 && !values.tls)
    throw new UsageError('--hostname names the server certificate: it goes with --tls');
  await writeOut(String(values.out), inputs, values.tls === true, values.force === true, deps, io);
  return 0;
}
