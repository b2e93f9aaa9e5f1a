import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { resolveScheduledBackups } from '../backup/scheduled-backups.ts';
import { BackupScheduler, type ScheduledBackup } from '../backup/scheduler.ts';
import { readStackConfigFile, type StackConfig } from '../config/redoubt-yml.ts';
import { buildAllowList } from '../console/app/allowlist.ts';
import { createConsoleApp } from '../console/app/app.ts';
import { limitConnectionsPerClient } from '../console/app/connection-limit.ts';
import type { Gate } from '../console/app/gate.ts';
import { defaultWebRoot, StaticFiles } from '../console/app/static-files.ts';
import { type WebConfig, webConfig } from '../console/app/web-config.ts';
import { AuditLog, AuditLogError } from '../console/audit/audit-log.ts';
import { LoginThrottle } from '../console/auth/login-throttle.ts';
import { generatePassword } from '../console/auth/password-hash.ts';
import { sessionFile } from '../console/auth/session-file.ts';
import { DEFAULT_SESSION_LIMITS, SessionStore } from '../console/auth/sessions.ts';
import { createFirstAdmin } from '../console/auth/user-changes.ts';
import { UserDirectory } from '../console/auth/user-directory.ts';
import { UserFileError } from '../console/auth/user-file.ts';
import { consoleDataRoutes } from '../console/data/routes.ts';
import { readGivenTlsFiles } from '../console/tls/given-files.ts';
import { type ServerCertificate, selfSignedCertificate } from '../console/tls/self-signed.ts';
import { type FlagSpec, formatHelp, parseFlags, UsageError } from '../flags/flags.ts';
import { FileWriteError, makeDirectory } from '../fs/atomic-write.ts';
import { type DirectoryLock, DirectoryLockedError } from '../fs/directory-lock.ts';
import { type Alerting, startAlerting } from '../monitor/alerting/alerting-service.ts';
import type { ReceiverConfig } from '../monitor/alerting/notify/notifier.ts';
import { RuleFileError, type RuleGroupSpec } from '../monitor/alerting/rule-file.ts';
import { catalogueRuleGroups, loadRuleFiles } from '../monitor/alerting/rule-sources.ts';
import { DEFAULT_LIMITS } from '../monitor/api/context.ts';
import { ruleManagerView } from '../monitor/api/rules-view.ts';
import type { ApiCounters } from '../monitor/api/server.ts';
import { lockDataDirectory } from '../monitor/data-dir-lock.ts';
import { type History, openHistory } from '../monitor/history.ts';
import { Monitor } from '../monitor/monitor.ts';
import { storeFamilies, upSelfFamilies } from '../monitor/self-metrics.ts';
import { TargetPasswords } from '../monitor/target-passwords.ts';
import { buildUpConfig, DEFAULT_REDIS, defaultDataDir, isLoopbackHost, type UpConfig } from '../monitor/up-config.ts';
import { promqlEngine } from '../promql/engine.ts';
import { redactSecrets } from '../redis/errors.ts';
import { REDIS_JOB } from '../stack/prometheus.ts';
import { hideKnownSecrets } from '../text/known-secrets.ts';
import { shellQuote } from '../text/shell-quote.ts';
import { neutralise } from '../text/terminal.ts';
import { VERSION } from '../version.ts';
import { hidingIo } from './hiding-io.ts';
import type { CliIo } from './io.ts';
import { CLIENT_TLS_FLAGS } from './tls-flags.ts';

const USAGE = `Usage: redoubt up [--redis URL]… [--config redoubt.yml] [flags]
       redoubt up user add|passwd|role|del|list …   (the console's users; see redoubt up user --help)

The whole monitoring system in one process: scrapes every Redis it is given on one tick (the same metrics as
redoubt exporter), keeps their history, audits their security posture, serves a web console (login required)
and answers Prometheus's HTTP API (/api/v1/query, /api/v1/query_range, …) so Grafana can use it as a Prometheus
datasource.

Without arguments it watches ${DEFAULT_REDIS} and listens on 127.0.0.1:9122. Passwords come from REDIS_PASSWORD
or --redis.password-file, never from redoubt.yml. The first start creates the console user admin and prints its
password once (or takes REDOUBT_ADMIN_PASSWORD). The API takes a console session or REDOUBT_API_TOKEN (a bearer
token); without a token it answers local clients only and up listens on loopback only.`;

export const UP_FLAGS: FlagSpec[] = [
  {
    name: 'redis',
    type: 'repeated',
    help: `A Redis to watch (redis://, rediss://, unix://); repeat for several. Default: redis.targets of --config, else ${DEFAULT_REDIS}.`,
  },
  { name: 'config', type: 'string', default: '', help: 'redoubt.yml, the file redoubt stack reads (its up: section).' },
  { name: 'redis.user', type: 'string', env: ['REDIS_USER'], default: '', help: 'User for every target.' },
  {
    name: 'redis.password-file',
    type: 'string',
    env: ['REDIS_PASSWORD_FILE'],
    default: '',
    help: "JSON file of passwords by target URL (redis_exporter's format). REDIS_PASSWORD sets one for all.",
  },
  {
    name: 'web.listen-address',
    type: 'string',
    env: ['REDOUBT_WEB_LISTEN_ADDRESS'],
    help: 'host:port of the API (default up.listenAddress, else 127.0.0.1:9122).',
  },
  {
    name: 'web.token-file',
    type: 'string',
    default: '',
    help: 'File (mode 0600) holding the API bearer token, instead of REDOUBT_API_TOKEN.',
  },
  { name: 'web.basic-auth-user', type: 'string', env: ['REDOUBT_API_USER'], hidden: true, help: 'Removed.' },
  { name: 'web.basic-auth-password-file', type: 'string', hidden: true, help: 'Removed.' },
  {
    name: 'web.tls-cert-file',
    type: 'string',
    default: '',
    help: 'PEM certificate (chain) of the console and API: serve HTTPS. With --web.tls-key-file.',
  },
  { name: 'web.tls-key-file', type: 'string', default: '', help: 'Its private key (mode 0600).' },
  {
    name: 'web.self-signed',
    type: 'bool',
    default: false,
    help: 'Serve HTTPS with a self-signed certificate made once and kept in <data dir>/tls/ (its fingerprint is printed).',
  },
  {
    name: 'web.pages-dir',
    type: 'string',
    default: '',
    hidden: true,
    help: "Serve the console's pages from this directory instead of the built dist/web (for developing them).",
  },
  {
    name: 'web.allow',
    type: 'repeated',
    help: 'Only clients in this CIDR (10.0.0.0/8, 192.168.1.7, fd00::/8) may connect; repeat for several. Default: all.',
  },
  {
    name: 'data-dir',
    type: 'string',
    env: ['REDOUBT_DATA_DIR'],
    help: 'Where history lives (default up.dataDir, else $XDG_DATA_HOME/redoubt or ~/.local/share/redoubt).',
  },
  {
    name: 'scrape-interval',
    type: 'string',
    help: 'How often every target is scraped (default up.scrapeInterval, 10s).',
  },
  {
    name: 'security-interval',
    type: 'string',
    help: 'How often each target is audited (default up.securityInterval, 60s).',
  },
  { name: 'retention', type: 'string', help: 'How long raw samples are kept (default up.retention, 48h).' },
  {
    name: 'webhook-url',
    type: 'string',
    help: 'Where notifications go (default alertmanager.webhookUrl of --config).',
  },
  {
    name: 'rules',
    type: 'repeated',
    help: "A Prometheus rule file to evaluate instead of the catalogue's alert rules; repeat for several.",
  },
  { name: 'config-command', type: 'string', default: 'CONFIG', help: 'CONFIG command name; "-" skips CONFIG.' },
  {
    name: 'security.audit-commands',
    type: 'string',
    env: ['REDOUBT_SECURITY_AUDIT_COMMANDS'],
    default: 'auto',
    help: "What the background audit may send: least-privilege (INFO, CONFIG GET, COMMAND INFO), all (also ACL LIST, ACL LOG, ACL DRYRUN …; give the user the auditor's permissions), or auto: least-privilege for a named ACL user, all for the default user.",
  },
  { name: 'query.timeout', type: 'duration', default: 10_000, help: 'Longest evaluation of one API query.' },
  ...CLIENT_TLS_FLAGS.map((f) => ({ ...f, default: undefined })),
];

function loadConfigFile(path: string): { config: StackConfig; dir: string } {
  return { config: readStackConfigFile(path), dir: dirname(path) };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const where = `${host || '*'}:${port}`;
      if (err.code === 'EADDRINUSE')
        reject(new UsageError(`cannot listen on ${where}: the port is in use; pick another with --web.listen-address`));
      else if (err.code === 'EADDRNOTAVAIL') reject(new UsageError(`cannot listen on ${where}: no such local address`));
      else if (err.code === 'EACCES') reject(new UsageError(`cannot listen on ${where}: permission denied`));
      else reject(err);
    });
    server.listen(port, host || undefined, () => resolve());
  });
}

function lockDataDir(dir: string): DirectoryLock {
  try {
    makeDirectory(dir, 0o700);
    return lockDataDirectory(dir);
  } catch (err) {
    if (err instanceof DirectoryLockedError || err instanceof FileWriteError) throw new UsageError(err.message);
    throw err;
  }
}

/** ` --data-dir DIR` when `up` runs on another data directory than `redoubt up user` finds by default. */
function dataDirFlag(config: UpConfig, env: NodeJS.ProcessEnv): string {
  return resolve(config.dataDir) === resolve(defaultDataDir(env)) ? '' : ` --data-dir ${shellQuote(config.dataDir)}`;
}

function say(io: CliIo, line: string): void {
  io.stderr.write(`redoubt up: ${neutralise(redactSecrets(line))}\n`);
}

export async function runUp(argv: string[], io: CliIo): Promise<number> {
  if (argv[0] === 'user') return (await import('./up-user.ts')).runUpUser(argv.slice(1), io);
  const { values, help } = parseFlags(argv, UP_FLAGS, io.env);
  if (help) {
    io.stdout.write(formatHelp(USAGE, UP_FLAGS));
    return 0;
  }
  const file = values.config ? loadConfigFile(String(values.config)) : undefined;
  const config = buildUpConfig(values, io.env, file?.config, file?.dir);
  const web = webConfig(values, io.env);
  if (web.adminPassword) config.secrets.push(web.adminPassword);
  const rules = ruleGroups((values.rules as string[] | undefined) ?? []);
  const backups = resolveScheduledBackups(file?.config.up.backups ?? [], file?.dir ?? '.', config);
  // Everything up prints from here on has the secrets of its configuration hidden, including the passwords the
  // password file gains while it runs (TargetPasswords adds them): a server may echo one in an error.
  const hide = (text: string) => hideKnownSecrets(text, config.secrets);
  const lock = lockDataDir(config.dataDir);
  try {
    return await serve(config, web, hidingIo(io, hide), rules, backups);
  } catch (err) {
    if (err instanceof Error) err.message = hide(err.message);
    throw err;
  } finally {
    lock.release();
  }
}

/** The user's rule files (--rules), checked before anything starts, else the catalogue's alert rules. */
function ruleGroups(files: readonly string[]): RuleGroupSpec[] {
  if (files.length === 0) return catalogueRuleGroups();
  try {
    return loadRuleFiles(files);
  } catch (err) {
    if (err instanceof RuleFileError) throw new UsageError(neutralise(err.message));
    throw err;
  }
}

function watch(config: UpConfig, io: CliIo, history: History): Monitor {
  const passwords = config.passwordFile
    ? new TargetPasswords(
        config.passwordFile,
        { user: config.redisUser, password: config.envPassword },
        config.secrets,
        (line) => say(io, line),
      )
    : undefined;
  return new Monitor(config.targets, history, {
    beforeScrape: passwords ? (t) => passwords.refresh(t) : undefined,
    job: REDIS_JOB,
    scrapeIntervalMs: config.scrapeIntervalMs,
    scrapeTimeoutMs: config.scrapeTimeoutMs,
    securityIntervalMs: config.securityIntervalMs,
    configCommand: config.configCommand,
    auditCommands: config.auditCommands,
    tls: config.tls,
    onHealthChange: (h) => say(io, `${h.labels.instance} is ${h.health}${h.lastError ? `: ${h.lastError}` : ''}`),
  });
}

interface ConsoleServer {
  server: Server;
  sessions: SessionStore;
  scheme: 'http' | 'https';
  certificate?: ServerCertificate & { created?: boolean };
}

/** The first start's admin: REDOUBT_ADMIN_PASSWORD, or a generated password printed once. */
async function firstAdmin(config: UpConfig, web: WebConfig, io: CliIo, audit: AuditLog): Promise<void> {
  const password = web.adminPassword ?? generatePassword();
  let created: boolean;
  try {
    created = await createFirstAdmin(config.dataDir, password);
  } catch (err) {
    if (err instanceof UserFileError || err instanceof FileWriteError) throw new UsageError(err.message);
    throw err;
  }
  if (!created) {
    if (web.adminPassword) say(io, 'REDOUBT_ADMIN_PASSWORD is ignored: the console has its users already');
    return;
  }
  audit.write({
    user: 'redoubt up',
    clientAddress: 'local',
    action: 'user.add',
    target: 'admin',
    outcome: 'ok',
    detail: 'first start, role admin',
  });
  if (web.adminPassword) say(io, 'created the console user admin with the password in REDOUBT_ADMIN_PASSWORD');
  else
    io.stderr.write(
      `redoubt up: created the console user admin with the password ${password} (shown this once: keep it, or change it with "redoubt up user passwd admin${dataDirFlag(config, io.env)}")\n`,
    );
}

async function certificate(config: UpConfig, web: WebConfig): Promise<ConsoleServer['certificate']> {
  if (web.tlsCertFile && web.tlsKeyFile) return readGivenTlsFiles(web.tlsCertFile, web.tlsKeyFile);
  if (!web.selfSigned) return undefined;
  try {
    return await selfSignedCertificate(config.dataDir, [config.listenHost, hostname()]);
  } catch (err) {
    if (err instanceof FileWriteError) throw new UsageError(`--web.self-signed: ${err.message}`);
    throw err;
  }
}

/** The console, the API and /metrics on one listener, with its users, sessions, audit log and TLS. */
async function consoleServer(
  config: UpConfig,
  web: WebConfig,
  io: CliIo,
  parts: { history: History; monitor: Monitor; alerting: Alerting; counters: ApiCounters; backups: BackupScheduler },
): Promise<ConsoleServer> {
  const { history, monitor, alerting, counters, backups } = parts;
  const audit = new AuditLog(config.dataDir);
  try {
    audit.check();
  } catch (err) {
    if (err instanceof AuditLogError) throw new UsageError(err.message);
    throw err;
  }
  await firstAdmin(config, web, io, audit);
  const cert = await certificate(config, web);
  const gate: Gate = {
    tls: cert !== undefined,
    credentials: config.credentials,
    openLoopbackApi: !config.credentials.token && isLoopbackHost(config.listenHost),
    users: new UserDirectory(config.dataDir, (line) => say(io, line)),
    sessions: new SessionStore(
      DEFAULT_SESSION_LIMITS,
      Date.now,
      sessionFile(config.dataDir, (line) => say(io, line)),
    ),
  };
  const app = createConsoleApp({
    api: {
      ctx: {
        queryable: history,
        engine: promqlEngine,
        targets: () => monitor.health(),
        metadata: () => monitor.metadata(),
        alerting: ruleManagerView(alerting.manager),
        limits: { ...DEFAULT_LIMITS, queryTimeoutMs: config.queryTimeoutMs },
        scrapeIntervalMs: config.scrapeIntervalMs,
        scrapeTimeoutMs: config.scrapeTimeoutMs,
        now: Date.now,
      },
      version: VERSION,
      selfFamilies: () =>
        upSelfFamilies(VERSION, monitor, counters, () => [...storeFamilies(history.stats()), ...backups.families()]),
    },
    counters,
    gate,
    allow: buildAllowList(web.allow),
    throttle: new LoginThrottle(),
    audit,
    files: new StaticFiles(web.pagesDir || defaultWebRoot()),
    sessionAbsoluteMs: DEFAULT_SESSION_LIMITS.absoluteMs,
    routes: consoleDataRoutes(),
    deps: {
      monitor,
      history,
      alerting,
      engine: promqlEngine,
      scrapeIntervalMs: config.scrapeIntervalMs,
      now: Date.now,
    },
    log: (line) => say(io, line),
  });
  const server = (
    cert
      ? createAdaptorServer({
          fetch: app.fetch,
          createServer: createHttpsServer,
          serverOptions: { cert: cert.cert, key: cert.key, minVersion: 'TLSv1.2' },
        })
      : createAdaptorServer({ fetch: app.fetch, createServer: createHttpServer })
  ) as Server;
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  server.maxHeadersCount = 100;
  server.maxConnections = 512;
  limitConnectionsPerClient(server);
  return { server, sessions: gate.sessions, scheme: cert ? 'https' : 'http', certificate: cert };
}

/** Where the data lives, what is watched, where the console and the API are. */
function announce(io: CliIo, config: UpConfig, web: WebConfig, history: History, c: ConsoleServer): void {
  const addr = c.server.address() as AddressInfo;
  const host = addr.address.includes(':') ? `[${addr.address}]` : addr.address;
  const memoryOnly = history.durable ? '' : ' (history in memory only: a restart starts empty)';
  const access = config.credentials.token ? 'bearer token or console session' : 'loopback, no credentials';
  say(io, `data in ${config.dataDir}${memoryOnly}`);
  say(io, `watching ${config.targets.map((t) => t.instance).join(', ')} every ${config.scrapeIntervalMs / 1000}s`);
  const base = `${c.scheme}://${host}:${addr.port}`;
  say(io, `console on ${base}/ (users in ${config.dataDir}/users.json; audit log in ${config.dataDir}/audit.log)`);
  if (c.certificate)
    say(
      io,
      `TLS: ${web.selfSigned ? `self-signed certificate${c.certificate.created ? ' (new)' : ''} in ${config.dataDir}/tls` : web.tlsCertFile}, SHA-256 ${c.certificate.fingerprint}, valid until ${c.certificate.notAfter.toISOString().slice(0, 10)}`,
    );
  else if (!isLoopbackHost(config.listenHost))
    say(
      io,
      'warning: the console is reachable from other machines over plain HTTP: passwords and sessions cross the network in the clear; use --web.self-signed or --web.tls-cert-file',
    );
  if (web.allow.length > 0) say(io, `clients allowed from ${web.allow.join(', ')} only`);
  say(io, `Prometheus API on ${base}/api/v1/ (${access})`);
}

/** Where notifications go: alertmanager.webhookUrl (or --webhook-url), then up.notifiers. */
export function receivers(config: Pick<UpConfig, 'webhookUrl' | 'notifiers'>): ReceiverConfig[] {
  const out: ReceiverConfig[] = [];
  if (config.webhookUrl) out.push({ name: 'webhook', type: 'webhook', url: config.webhookUrl });
  config.notifiers.forEach((n, i) => {
    out.push({ name: `${n.type}-${i + 1}`, type: n.type, url: n.url });
  });
  return out;
}

/** The alert rules over the history, and the notifier (its state in the data directory). */
function alert(config: UpConfig, io: CliIo, history: History, externalURL: string, rules: RuleGroupSpec[]): Alerting {
  const to = receivers(config);
  return startAlerting({
    engine: promqlEngine,
    queryable: history,
    appendable: history,
    ruleGroups: rules,
    evaluationIntervalMs: config.scrapeIntervalMs,
    externalURL,
    notifier: to.length > 0 ? { receivers: to, externalURL } : undefined,
    stateDir: config.dataDir,
    log: (line) => say(io, line),
  });
}

async function serve(
  config: UpConfig,
  web: WebConfig,
  io: CliIo,
  rules: RuleGroupSpec[],
  scheduled: ScheduledBackup[],
): Promise<number> {
  const history = await openHistory(config.dataDir, {
    retentionMs: config.retentionMs,
    warn: (message) => say(io, message),
  });
  const monitor = watch(config, io, history);
  const host = config.listenHost.includes(':') ? `[${config.listenHost}]` : config.listenHost || 'localhost';
  const alerting = alert(config, io, history, `http://${host}:${config.listenPort}`, rules);
  const counters: ApiCounters = { requests: new Map(), durationSeconds: new Map(), unauthorized: 0 };
  const backups = new BackupScheduler(scheduled, {
    tls: config.tls,
    history,
    appendEveryMs: config.scrapeIntervalMs,
    say: (line) => say(io, line),
  });
  let served: ConsoleServer;
  try {
    served = await consoleServer(config, web, io, { history, monitor, alerting, counters, backups });
    await listen(served.server, config.listenHost, config.listenPort);
  } catch (err) {
    await alerting.stop();
    await history.close();
    throw err;
  }
  const server = served.server;
  announce(io, config, web, history, served);
  monitor.start();
  backups.start();
  const signal = await io.stopSignal;
  say(io, `${signal}: flushing and stopping`);
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  served.sessions.flush();
  await monitor.stop();
  await backups.stop();
  await alerting.stop();
  await history.flush();
  await history.close();
  return 0;
}
