import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { DEFAULT_STACK_CONFIG, type StackConfig, type UpNotifier } from '../config/redoubt-yml.ts';
import { type FlagValues, UsageError } from '../flags/flags.ts';
import { parseListenAddress } from '../flags/listen-address.ts';
import type { TlsOptions } from '../redis/connection.ts';
import { loadPasswordFile, resolveCredentials } from '../redis/password-file.ts';
import { parseTarget, redactRaw, withCredentials } from '../redis/target.ts';
import { checkClientTlsFiles } from '../redis/tls-files.ts';
import type { AuditCommands } from '../scrape/audit-commands.ts';
import type { ApiCredentials } from './api/auth.ts';
import { parsePromDuration } from './api/params.ts';
import type { WatchSpec } from './monitor.ts';

/** Everything `redoubt up` runs with, from flags, environment and redoubt.yml (in that order of precedence). */
export interface UpConfig {
  targets: WatchSpec[];
  listenHost: string;
  listenPort: number;
  dataDir: string;
  scrapeIntervalMs: number;
  scrapeTimeoutMs: number;
  securityIntervalMs: number;
  retentionMs: number;
  queryTimeoutMs: number;
  /** Where notifications go by default (alertmanager.webhookUrl or --webhook-url); '' for nowhere. */
  webhookUrl: string;
  notifiers: UpNotifier[];
  credentials: ApiCredentials;
  tls: TlsOptions;
  configCommand: string | null;
  /** What the background audit may send (--security.audit-commands). */
  auditCommands: AuditCommands;
  /** --redis.password-file ('' without one), watched while up runs; the user and password given beside it. */
  passwordFile: string;
  redisUser: string;
  envPassword?: string;
  /** Every secret in the configuration: up hides them in everything it prints (src/text/known-secrets.ts). */
  secrets: string[];
}

export const DEFAULT_REDIS = 'redis://127.0.0.1:6379';
const UNSET_WEBHOOK = DEFAULT_STACK_CONFIG.alertmanager.webhookUrl;

/** $XDG_DATA_HOME/redoubt, or ~/.local/share/redoubt: the same history whichever directory `up` starts in. */
export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_DATA_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'redoubt');
  return join(env.HOME || homedir(), '.local', 'share', 'redoubt');
}

/** Whether an address only this machine can reach listens there. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined || host === '') return false;
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * A secret from a file that only its owner may read (a token or a password), trimmed of its line end. A file
 * others can read is refused: the secret it holds is no longer one.
 */
export function readSecretFile(flag: string, path: string): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      `--${flag} ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'ELOOP' ? 'a symbolic link (not followed)' : `cannot read it (${code})`}`,
    );
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UsageError(`--${flag} ${path}: not a regular file`);
    if ((st.mode & 0o077) !== 0)
      throw new UsageError(
        `--${flag} ${path}: readable by others (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}); run chmod 600 ${path}`,
      );
    const text = readFileSync(fd, 'utf8').replace(/\r?\n$/, '');
    if (text === '' || /[\r\n]/.test(text)) throw new UsageError(`--${flag} ${path}: must hold one non-empty line`);
    return text;
  } finally {
    closeSync(fd);
  }
}

function durationMs(what: string, text: string): number {
  const ms = parsePromDuration(text.trim()) ?? (/^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) * 1000 : undefined);
  if (ms === undefined || !(ms > 0))
    throw new UsageError(`${what} "${text}" is not a duration; use e.g. 10s, 1m or 48h`);
  return ms;
}

/** The password in a URL's user:password@ part, decoded; '' when none. */
function urlPassword(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return '';
  }
}

const MIN_TOKEN_CHARS = 16;

/** The API's bearer token, from the environment or a 0600 file. Basic auth is gone: it is refused by name. */
function apiCredentials(v: FlagValues, env: NodeJS.ProcessEnv): ApiCredentials {
  const out: ApiCredentials = {};
  const tokenFile = String(v['web.token-file'] ?? '');
  if (env.REDOUBT_API_TOKEN !== undefined) {
    if (env.REDOUBT_API_TOKEN.trim() === '') throw new UsageError('REDOUBT_API_TOKEN is set but empty');
    if (tokenFile) throw new UsageError('give the API token once: REDOUBT_API_TOKEN or --web.token-file, not both');
    out.token = env.REDOUBT_API_TOKEN.trim();
  } else if (tokenFile) out.token = readSecretFile('web.token-file', tokenFile);
  // The token is an admin's key, and wrong tokens are not throttled: a short one could be guessed over the network.
  if (out.token !== undefined && out.token.length < MIN_TOKEN_CHARS)
    throw new UsageError(
      `the API token has ${out.token.length} characters; it needs at least ${MIN_TOKEN_CHARS}: make one with "openssl rand -hex 24"`,
    );
  if (v['web.basic-auth-user'] || v['web.basic-auth-password-file'] || env.REDOUBT_API_PASSWORD)
    throw new UsageError(
      'the API no longer takes basic auth: set REDOUBT_API_TOKEN (or --web.token-file) and give Grafana the header "Authorization: Bearer <token>"',
    );
  return out;
}

/** The targets: --redis (repeatable) or redis.targets, each with its credentials and its instance label. */
function watchSpecs(v: FlagValues, env: NodeJS.ProcessEnv, file: StackConfig | undefined): WatchSpec[] {
  const flagged = (v.redis as string[] | undefined) ?? [];
  const fromFile = file && file.redis.targets !== DEFAULT_STACK_CONFIG.redis.targets ? file.redis.targets : [];
  const raw = flagged.length > 0 ? flagged : fromFile.length > 0 ? fromFile : [DEFAULT_REDIS];
  const passwordFile = String(v['redis.password-file'] ?? '');
  const passwords = passwordFile ? loadPasswordFile(passwordFile) : new Map<string, string>();
  const seen = new Set<string>();
  return raw.map((text) => {
    const bare = parseTarget(text);
    // The instance label is the address as written (as Prometheus's relabelling gives it), never a password.
    const instance = bare.password !== undefined ? redactRaw(text.trim()) : text.trim();
    if (seen.has(instance)) throw new UsageError(`--redis ${instance} is given twice`);
    seen.add(instance);
    const { user, password } = resolveCredentials(bare, {
      user: String(v['redis.user'] ?? ''),
      password: env.REDIS_PASSWORD,
      passwords,
    });
    return { target: withCredentials(bare, user, password), instance, given: bare };
  });
}

/** Resolves flags, environment and the parsed redoubt.yml (when --config was given) into one configuration. */
export function buildUpConfig(v: FlagValues, env: NodeJS.ProcessEnv, file?: StackConfig, configDir = '.'): UpConfig {
  const up = file?.up ?? DEFAULT_STACK_CONFIG.up;
  const pick = (flag: string, fromFile: string) => {
    const f = v[flag];
    return f !== undefined && f !== '' ? String(f) : fromFile;
  };
  const listen = pick('web.listen-address', up.listenAddress);
  const { host, port } = parseListenAddress(listen);
  const credentials = apiCredentials(v, env);
  if (!credentials.token && !isLoopbackHost(host))
    throw new UsageError(
      `--web.listen-address ${listen} is reachable from other machines and the API has no credentials: set REDOUBT_API_TOKEN (or --web.token-file), or listen on 127.0.0.1`,
    );
  const scrapeIntervalMs = durationMs('--scrape-interval', pick('scrape-interval', up.scrapeInterval));
  if (scrapeIntervalMs < 1000) throw new UsageError('--scrape-interval must be 1s or more');
  const securityIntervalMs = durationMs('--security-interval', pick('security-interval', up.securityInterval));
  if (securityIntervalMs < scrapeIntervalMs)
    throw new UsageError('--security-interval must not be shorter than --scrape-interval');
  const dataDir = pick('data-dir', up.dataDir ? resolve(configDir, up.dataDir) : '') || defaultDataDir(env);
  const webhook = pick(
    'webhook-url',
    file && file.alertmanager.webhookUrl !== UNSET_WEBHOOK ? file.alertmanager.webhookUrl : '',
  );
  if (webhook && !/^https?:\/\//i.test(webhook))
    throw new UsageError('--webhook-url must be an http:// or https:// URL');
  const fileTls = file?.redis;
  const tls: TlsOptions = {
    caFile: pick('tls-ca-cert-file', fileTls?.tlsCaFile ? resolve(configDir, fileTls.tlsCaFile) : '') || undefined,
    certFile:
      pick('tls-client-cert-file', fileTls?.tlsClientCertFile ? resolve(configDir, fileTls.tlsClientCertFile) : '') ||
      undefined,
    keyFile:
      pick('tls-client-key-file', fileTls?.tlsClientKeyFile ? resolve(configDir, fileTls.tlsClientKeyFile) : '') ||
      undefined,
    serverName: String(v['tls-server-name'] || '') || undefined,
    skipVerify: v['skip-tls-verification'] === true,
  };
  // Read and parsed now: a missing or wrong file is a start-up error naming it, not a target that never connects.
  checkClientTlsFiles(tls);
  const targets = watchSpecs(v, env, file);
  const configCommand = String(v['config-command'] ?? 'CONFIG');
  const auditCommands = String(v['security.audit-commands'] ?? 'auto');
  if (auditCommands !== 'auto' && auditCommands !== 'least-privilege' && auditCommands !== 'all')
    throw new UsageError(`--security.audit-commands "${auditCommands.slice(0, 40)}": use auto, least-privilege or all`);
  // Notification URLs are secrets whole (a Slack webhook URL is its own credential), and so is a password in one.
  const urls = [webhook, ...up.notifiers.map((n) => n.url)].filter(Boolean);
  const secrets = [credentials.token, env.REDIS_PASSWORD, ...urls];
  for (const u of urls) secrets.push(urlPassword(u));
  for (const t of targets) secrets.push(t.target.password);
  return {
    targets,
    listenHost: host ?? '',
    listenPort: port,
    dataDir: resolve(dataDir),
    scrapeIntervalMs,
    scrapeTimeoutMs: Math.min(Math.floor(scrapeIntervalMs * 0.8), 10_000),
    securityIntervalMs,
    retentionMs: durationMs('--retention', pick('retention', up.retention)),
    queryTimeoutMs: Number(v['query.timeout'] ?? 10_000),
    webhookUrl: webhook,
    notifiers: up.notifiers,
    credentials,
    tls,
    configCommand: configCommand === '-' || configCommand === '' ? null : configCommand,
    auditCommands,
    passwordFile: String(v['redis.password-file'] ?? ''),
    redisUser: String(v['redis.user'] ?? ''),
    envPassword: env.REDIS_PASSWORD,
    secrets: secrets.filter((s): s is string => Boolean(s)),
  };
}
