import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
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
import { createApiServer } from '../monitor/api/server.ts';
import { lockDataDirectory } from '../monitor/data-dir-lock.ts';
import { type History, openHistory } from '../monitor/history.ts';
import { Monitor } from '../monitor/monitor.ts';
import { storeFamilies, upSelfFamilies } from '../monitor/self-metrics.ts';
import { buildUpConfig, DEFAULT_REDIS, type UpConfig } from '../monitor/up-config.ts';
import { promqlEngine } from '../promql/engine.ts';
import { scrub } from '../redis/errors.ts';
import { parseStackConfig, type StackConfig, StackConfigError } from '../stack/config.ts';
import { REDIS_JOB } from '../stack/prometheus.ts';
import { neutralise } from '../text/terminal.ts';
import { VERSION } from '../version.ts';
import type { CliIo } from './io.ts';
import { CLIENT_TLS_FLAGS } from './tls-flags.ts';

const USAGE = `Usage: redoubt up [--redis URL]… [--config redoubt.yml] [flags]

The whole monitoring system in one process: scrapes every Redis it is given on one tick (the same metrics as
redoubt exporter), keeps their history, audits their security posture, and answers Prometheus's HTTP API
(/api/v1/query, /api/v1/query_range, …) so Grafana can use it as a Prometheus datasource.

Without arguments it watches ${DEFAULT_REDIS} and listens on 127.0.0.1:9122. Passwords come from REDIS_PASSWORD
or --redis.password-file, never from redoubt.yml. The API asks for REDOUBT_API_TOKEN (a bearer token) or basic
auth when one is set; without one it listens on loopback only.`;

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
  {
    name: 'web.basic-auth-user',
    type: 'string',
    env: ['REDOUBT_API_USER'],
    default: '',
    help: 'Basic-auth user of the API; its password from REDOUBT_API_PASSWORD or --web.basic-auth-password-file.',
  },
  { name: 'web.basic-auth-password-file', type: 'string', default: '', help: 'File (mode 0600) holding it.' },
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
  { name: 'query.timeout', type: 'duration', default: 10_000, help: 'Longest evaluation of one API query.' },
  ...CLIENT_TLS_FLAGS.map((f) => ({ ...f, default: undefined })),
];

function loadConfigFile(path: string): { config: StackConfig; dir: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new StackConfigError(`cannot read --config ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  return { config: parseStackConfig(text, path), dir: dirname(path) };
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

function say(io: CliIo, config: UpConfig, line: string): void {
  io.stderr.write(`redoubt up: ${neutralise(scrub(line, config.secrets))}\n`);
}

export async function runUp(argv: string[], io: CliIo): Promise<number> {
  const { values, help } = parseFlags(argv, UP_FLAGS, io.env);
  if (help) {
    io.stdout.write(formatHelp(USAGE, UP_FLAGS));
    return 0;
  }
  const file = values.config ? loadConfigFile(String(values.config)) : undefined;
  const config = buildUpConfig(values, io.env, file?.config, file?.dir);
  const rules = ruleGroups((values.rules as string[] | undefined) ?? []);
  const lock = lockDataDir(config.dataDir);
  try {
    return await serve(config, io, rules);
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
  return new Monitor(config.targets, history, {
    job: REDIS_JOB,
    scrapeIntervalMs: config.scrapeIntervalMs,
    scrapeTimeoutMs: config.scrapeTimeoutMs,
    securityIntervalMs: config.securityIntervalMs,
    configCommand: config.configCommand,
    tls: config.tls,
    onHealthChange: (h) =>
      say(io, config, `${h.labels.instance} is ${h.health}${h.lastError ? `: ${h.lastError}` : ''}`),
  });
}

function apiServer(
  config: UpConfig,
  history: History,
  monitor: Monitor,
  alerting: Alerting,
  counters: ApiCounters,
): Server {
  return createApiServer(
    {
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
      credentials: config.credentials,
      version: VERSION,
      selfFamilies: () => upSelfFamilies(VERSION, monitor, counters, () => storeFamilies(history.stats())),
    },
    counters,
  );
}

/** Where the data lives, what is watched, where the API is. */
function announce(io: CliIo, config: UpConfig, history: History, server: Server): void {
  const addr = server.address() as AddressInfo;
  const host = addr.address.includes(':') ? `[${addr.address}]` : addr.address;
  const memoryOnly = history.durable ? '' : ' (history in memory only: a restart starts empty)';
  const access =
    config.credentials.token || config.credentials.basic ? 'credentials required' : 'loopback, no credentials';
  say(io, config, `data in ${config.dataDir}${memoryOnly}`);
  say(
    io,
    config,
    `watching ${config.targets.map((t) => t.instance).join(', ')} every ${config.scrapeIntervalMs / 1000}s`,
  );
  say(io, config, `Prometheus API on http://${host}:${addr.port}/api/v1/ (${access})`);
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
    log: (line) => say(io, config, line),
  });
}

async function serve(config: UpConfig, io: CliIo, rules: RuleGroupSpec[]): Promise<number> {
  const history = await openHistory(config.dataDir, {
    retentionMs: config.retentionMs,
    warn: (message) => say(io, config, message),
  });
  const monitor = watch(config, io, history);
  const host = config.listenHost.includes(':') ? `[${config.listenHost}]` : config.listenHost || 'localhost';
  const alerting = alert(config, io, history, `http://${host}:${config.listenPort}`, rules);
  const counters: ApiCounters = { requests: new Map(), durationSeconds: new Map(), unauthorized: 0 };
  const server = apiServer(config, history, monitor, alerting, counters);
  try {
    await listen(server, config.listenHost, config.listenPort);
  } catch (err) {
    await alerting.stop();
    await history.close();
    throw err;
  }
  announce(io, config, history, server);
  monitor.start();
  const signal = await io.stopSignal;
  say(io, config, `${signal}: flushing and stopping`);
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await monitor.stop();
  await alerting.stop();
  await history.flush();
  await history.close();
  return 0;
}
