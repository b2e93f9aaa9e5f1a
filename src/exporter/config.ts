import type { FlagValues } from '../flags/flags.ts';
import { UsageError } from '../flags/flags.ts';
import { parseListenAddress } from '../flags/listen-address.ts';
import type { TlsOptions } from '../redis/connection.ts';
import { KeyPatternError, parseKeyPatterns } from '../redis/key-patterns.ts';
import { checkClientTlsFiles, checkTlsFile, checkTlsPair } from '../redis/tls-files.ts';
import type { AuditCommands } from '../scrape/audit-commands.ts';

/** Everything the exporter needs, validated, from flags and environment. */
export interface ExporterConfig {
  redisAddr: string;
  redisUser: string;
  redisPassword: string;
  passwordFile: string;
  namespace: string;
  listenHost: string | undefined;
  listenPort: number;
  telemetryPath: string;
  connectionTimeoutMs: number;
  scrapeTimeoutMs: number;
  configCommand: string | null;
  tls: TlsOptions;
  serverTls?: { certFile: string; keyFile: string; caFile?: string };
  basicAuth?: { username: string; password: string };
  includeSystemMetrics: boolean;
  redisOnlyMetrics: boolean;
  setClientName: boolean;
  pingOnConnect: boolean;
  latencyHistogram: boolean;
  /** 0: INFO latencystats every scrape. */
  latencyPercentilesIntervalMs: number;
  securityIntervalMs: number;
  checkKeys: string;
  checkSingleKeys: string;
  checkStreams: string;
  checkSingleStreams: string;
  countKeys: string;
  checkKeysBatchSize: number;
  maxCheckedKeys: number;
  /** Export string keys' values (redis_key_value, redis_key_value_as_string); off with --disable-exporting-key-values. */
  exportKeyValues: boolean;
  allowedTargets: string[];
  /** /scrape may reach targets that are neither --redis.addr nor allowlisted (no allowlist given). */
  allowAnyTarget: boolean;
  /** /scrape's key-check query parameters are accepted, within the configured flags. */
  allowQueryKeyChecks: boolean;
  /** What the background audit may send (see --security.audit-commands). */
  auditCommands: AuditCommands;
  disableScrapeEndpoint: boolean;
  logFormat: 'txt' | 'json';
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export function buildExporterConfig(v: FlagValues): ExporterConfig {
  const s = (k: string) => String(v[k] ?? '');
  const { host, port } = parseListenAddress(s('web.listen-address'));
  const path = s('web.telemetry-path') || '/metrics';
  if (!path.startsWith('/')) throw new UsageError(`--web.telemetry-path "${path}" must start with /`);
  const cert = s('tls-server-cert-file');
  const key = s('tls-server-key-file');
  if (Boolean(cert) !== Boolean(key))
    throw new UsageError('--tls-server-cert-file and --tls-server-key-file must be given together');
  const clientCert = s('tls-client-cert-file');
  const clientKey = s('tls-client-key-file');
  if (Boolean(clientCert) !== Boolean(clientKey))
    throw new UsageError('--tls-client-cert-file and --tls-client-key-file must be given together');
  const user = s('basic-auth-username');
  const pass = s('basic-auth-password');
  if (Boolean(user) !== Boolean(pass))
    throw new UsageError('--basic-auth-username and --basic-auth-password must be given together');
  const logFormat = s('log-format');
  if (logFormat !== 'txt' && logFormat !== 'json') throw new UsageError(`--log-format "${logFormat}": use txt or json`);
  let logLevel = s('log-level').toLowerCase();
  if (logLevel === 'warning') logLevel = 'warn';
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel))
    throw new UsageError(`--log-level "${logLevel}": use debug, info, warn or error`);
  const auditCommands = s('security.audit-commands');
  if (auditCommands !== 'auto' && auditCommands !== 'least-privilege' && auditCommands !== 'all')
    throw new UsageError(`--security.audit-commands "${auditCommands}": use auto, least-privilege or all`);
  const cfg = s('config-command');
  const timeout = Number(v['connection-timeout']);
  const scrapeTimeout = Number(v['scrape-timeout']);
  if (!(timeout > 0)) throw new UsageError('--connection-timeout must be greater than 0');
  if (!(scrapeTimeout > 0)) throw new UsageError('--scrape-timeout must be greater than 0');
  const batch = Number(v['check-keys-batch-size']);
  if (!(batch > 0)) throw new UsageError('--check-keys-batch-size must be greater than 0');
  for (const flag of ['check-keys', 'check-single-keys', 'check-streams', 'check-single-streams', 'count-keys'])
    validateKeyFlag(flag, s(flag));
  // Every TLS file that is set, read and parsed now (a TlsFileError, exit 2, names the flag): node:tls would only
  // fail at the first connection or handshake, and accepts a CA file without a certificate in it.
  const caFile = s('tls-ca-cert-file');
  const serverCa = s('tls-server-ca-cert-file');
  checkClientTlsFiles({ caFile, certFile: clientCert, keyFile: clientKey });
  checkTlsPair({ flag: 'tls-server-cert-file', path: cert }, { flag: 'tls-server-key-file', path: key });
  if (serverCa) checkTlsFile('tls-server-ca-cert-file', serverCa, 'ca');
  return {
    redisAddr: s('redis.addr'),
    redisUser: s('redis.user'),
    redisPassword: s('redis.password'),
    passwordFile: s('redis.password-file'),
    namespace: s('namespace'),
    listenHost: host,
    listenPort: port,
    telemetryPath: path,
    connectionTimeoutMs: timeout,
    scrapeTimeoutMs: scrapeTimeout,
    configCommand: cfg === '-' || cfg === '' ? null : cfg,
    tls: {
      caFile: caFile || undefined,
      certFile: clientCert || undefined,
      keyFile: clientKey || undefined,
      serverName: s('tls-server-name') || undefined,
      skipVerify: Boolean(v['skip-tls-verification']),
    },
    serverTls: cert ? { certFile: cert, keyFile: key, caFile: serverCa || undefined } : undefined,
    basicAuth: user ? { username: user, password: pass } : undefined,
    includeSystemMetrics: Boolean(v['include-system-metrics']),
    redisOnlyMetrics: Boolean(v['redis-only-metrics']),
    setClientName: Boolean(v['set-client-name']),
    pingOnConnect: Boolean(v['ping-on-connect']),
    securityIntervalMs: Number(v['security-interval']),
    latencyPercentilesIntervalMs: Number(v['latency-percentiles-interval']),
    latencyHistogram: Boolean(v['include-latency-histogram-metrics']) && !v['exclude-latency-histogram-metrics'],
    checkKeys: s('check-keys'),
    checkSingleKeys: s('check-single-keys'),
    checkStreams: s('check-streams'),
    checkSingleStreams: s('check-single-streams'),
    countKeys: s('count-keys'),
    checkKeysBatchSize: batch,
    maxCheckedKeys: Number(v['max-checked-keys']),
    exportKeyValues: !v['disable-exporting-key-values'],
    allowedTargets: (v['scrape.allowed-targets'] as string[] | undefined) ?? [],
    allowAnyTarget: Boolean(v['scrape.allow-any-target']),
    allowQueryKeyChecks: Boolean(v['scrape.allow-query-key-checks']),
    auditCommands,
    disableScrapeEndpoint: Boolean(v['disable-scrape-endpoint']),
    logFormat,
    logLevel: (v.debug ? 'debug' : logLevel) as ExporterConfig['logLevel'],
  };
}

/** Checks a key/stream pattern flag up front so a typo fails at startup, not inside every scrape. */
export function validateKeyFlag(flag: string, value: string): void {
  try {
    parseKeyPatterns(value, { flag });
  } catch (err) {
    if (err instanceof KeyPatternError) throw new UsageError(err.message);
    throw err;
  }
}
