import { isIP } from 'node:net';
import { EXPORTER_FLAGS } from '../exporter/flags.ts';
import { type FlagSpec, type FlagValues, formatHelp, parseFlags, UsageError } from '../flags/flags.ts';
import { FileWriteError, writeFileAtomic } from '../fs/atomic-write.ts';
import { AclParseError } from '../redis/acl-rules.ts';
import { RedisError, TargetError } from '../redis/errors.ts';
import { ConfigError, loadPasswordFile, resolveCredentials } from '../redis/password-file.ts';
import { RedisConfParseError } from '../redis/redis-conf.ts';
import { RespConnection } from '../redis/resp-connection.ts';
import { makeTarget, parseTarget, withCredentials } from '../redis/target.ts';
import { type AuditReport, buildReport, severityAtLeast } from '../security/audit.ts';
import type { Severity } from '../security/check.ts';
import { ALL_CHECKS } from '../security/checks/index.ts';
import { AuditIncompleteError, incompleteness } from '../security/coverage.ts';
import type { Facts } from '../security/facts.ts';
import { factsFromFiles } from '../security/file-facts.ts';
import { collectLiveFacts } from '../security/live-facts.ts';
import { type GivenCredentials, LOGIN_REFUSED_KINDS, LoginRefusedError } from '../security/login-refused.ts';
import { mergeReports } from '../security/merge.ts';
import { renderJson } from '../security/report/json.ts';
import { renderSarif } from '../security/report/sarif.ts';
import { renderTable } from '../security/report/table.ts';
import { neutralise } from '../text/terminal.ts';
import type { CliIo } from './io.ts';
import { CLIENT_TLS_FLAGS, clientTlsFromFlags } from './tls-flags.ts';

export const AUDIT_FLAGS: FlagSpec[] = [
  {
    name: 'redis',
    type: 'string',
    env: ['REDOUBT_REDIS'],
    default: '',
    help: 'Audit this live server: redis://[user@]host:port, rediss://…, unix:///path.',
  },
  {
    name: 'redis.user',
    type: 'string',
    env: ['REDIS_USER'],
    default: '',
    help: 'ACL user to log in as (the least it needs is in the README: the "auditor" user).',
  },
  {
    name: 'redis.password',
    type: 'string',
    env: ['REDIS_PASSWORD'],
    default: '',
    help: 'Password to log in with (prefer the REDIS_PASSWORD environment variable).',
  },
  // The exporter's flag itself (same name, variable and wording), so an audit can reuse the exporter's password file.
  EXPORTER_FLAGS.find((f) => f.name === 'redis.password-file') as FlagSpec,
  {
    name: 'config',
    type: 'string',
    default: '',
    help: 'Audit this redis.conf (its includes and aclfile are followed); no server needed.',
  },
  {
    name: 'acl-file',
    type: 'string',
    default: '',
    help: 'Audit this ACL file (default: the aclfile named in --config).',
  },
  { name: 'format', type: 'string', default: 'table', help: 'Output format: table, json or sarif.' },
  {
    name: 'output',
    type: 'string',
    default: '',
    help: 'Write the report to this file (atomically) instead of stdout.',
  },
  {
    name: 'fail-on',
    type: 'string',
    default: '',
    help: 'Exit 1 when a check at or above this severity fails: critical, high, medium or low.',
  },
  { name: 'show-passed', type: 'bool', default: false, help: 'Table format: also list passed and skipped checks.' },
  {
    name: 'config-command',
    type: 'string',
    default: '',
    help: 'The new name of CONFIG when it was renamed with rename-command.',
  },
  {
    name: 'allow-partial',
    type: 'bool',
    default: false,
    help: "Report a live audit that could not log in, or judged under a third of the checks (an outsider's view), instead of exiting 2; its score is marked partial.",
  },
  { name: 'connection-timeout', type: 'duration', default: 10000, help: 'Time allowed for the whole live audit.' },
  ...CLIENT_TLS_FLAGS,
  {
    name: 'scan-keys',
    type: 'bool',
    default: false,
    help: 'Also sample key names and short string heads for signs of compromise (RS054; SCAN, read-only, bounded).',
  },
  {
    name: 'local',
    type: 'bool',
    default: false,
    help: 'The server runs on this host: check its process user and file permissions (RS048, RS049, RS045).',
  },
  {
    name: 'admin-users',
    type: 'list',
    default: ['admin'],
    help: 'Users allowed to hold admin permissions (not reported by the permission checks).',
  },
  {
    name: 'allowed-peers',
    type: 'list',
    default: [],
    help: 'Expected replication peers (host, host:port or an IPv4 CIDR) for RS041.',
  },
  {
    name: 'expected-role',
    type: 'string',
    default: '',
    help: 'The role this instance should have: master or replica (RS041).',
  },
];

const USAGE = `Usage: redoubt audit (--redis URL | --config redis.conf [--acl-file users.acl]) [flags]

Audits a live Redis, its configuration files, or both, against checks RS001–RS056 (read-only: it never
changes the server). Exit codes: 0 no failing check at or above --fail-on, 1 at least one, 2 the audit could
not run (a live audit that could not log in, or could judge under a third of the checks, counts as not run
unless --allow-partial is given).`;

const FAIL_ON: Severity[] = ['critical', 'high', 'medium', 'low'];

/**
 * --output: through the one atomic writer (random temporary name, never a link followed). The report file is the
 * audit's own, named on the command line, so an existing regular file is replaced (CI writes it on every run).
 */
function writeReport(path: string, content: string, io: CliIo): boolean {
  try {
    writeFileAtomic(path, content, { mode: 0o644, overwrite: true });
    return true;
  } catch (err) {
    if (!(err instanceof FileWriteError)) throw err;
    io.stderr.write(`redoubt audit: --output: ${err.message}\n`);
    return false;
  }
}

/** The operator's inventory from --admin-users, --allowed-peers and --expected-role: the same for live and file facts. */
function inventoryOf(v: Record<string, unknown>): NonNullable<Facts['inventory']> {
  const role = String(v['expected-role'] || '');
  if (role && role !== 'master' && role !== 'replica')
    throw new UsageError(`--expected-role "${role}": use master or replica`);
  const peers = v['allowed-peers'] as string[];
  for (const peer of peers) {
    // RS041 matches a host, host:port, [v6]:port or an IPv4 CIDR: a malformed CIDR would match nothing, silently.
    const [net, bits, extra] = peer.split('/');
    if (bits !== undefined && (isIP(net) !== 4 || !/^\d{1,2}$/.test(bits) || Number(bits) > 32 || extra !== undefined))
      throw new UsageError(`--allowed-peers "${peer}": a CIDR must be IPv4, such as 10.0.0.0/8`);
  }
  return {
    allowedPeers: peers.length ? peers : undefined,
    expectedRole: (role || undefined) as 'master' | 'replica' | undefined,
    adminUsers: v['admin-users'] as string[],
  };
}

/**
 * A redis.conf that redis-server would not start with (`port notanumber`, an unknown directive …) describes no
 * running server: auditing it would judge a configuration that never applies. The first such line, in Redis's words.
 */
function refuseWhatRedisRefuses(facts: Facts): void {
  const refused = (facts.config?.warnings ?? []).filter((w) => w.refused);
  if (refused.length === 0) return;
  const [{ location, message }] = refused;
  const more = refused.length > 1 ? `; ${refused.length - 1} more line${refused.length > 2 ? 's' : ''} too` : '';
  throw new RedisConfParseError(location.file, location.line, `${message}${more}`);
}

async function liveReport(
  v: Record<string, unknown>,
  inventory: ReturnType<typeof inventoryOf>,
  io: CliIo,
): Promise<AuditReport> {
  const bare = parseTarget(String(v.redis));
  // Before connecting: a missing or wrong TLS file is a TlsFileError (a ConfigError, exit 2) naming the flag.
  const tls = clientTlsFromFlags(v as FlagValues);
  const filePath = String(v['redis.password-file'] || '');
  // A missing or malformed file is a PasswordFileError (exit 2; its message names the file, never a password in
  // it). Like the exporter, the file is read even when the URL or --redis.password gives the password.
  const passwords = filePath ? loadPasswordFile(filePath) : undefined;
  const { user, password, passwordFrom } = resolveCredentials(bare, {
    user: String(v['redis.user'] || ''),
    password: String(v['redis.password'] || ''),
    passwords,
  });
  const given: GivenCredentials = {
    user: user ? { name: user, from: bare.username ? 'url' : 'flags' } : undefined,
    passwordFrom,
    passwordFile: filePath || undefined,
  };
  const target = withCredentials(bare, user, password);
  // A password file without an entry for this target: the audit has no credentials; say why, once.
  const noEntry =
    filePath && !passwordFrom && !user
      ? `the password file ${filePath} (--redis.password-file) has no password for ${makeTarget(bare.scheme, bare.host, bare.port, bare.path, 0).display}`
      : undefined;
  const allowPartial = Boolean(v['allow-partial']);
  if (noEntry && allowPartial) io.stderr.write(`redoubt audit: ${noEntry}; auditing without a password\n`);
  // Credentials mean an authenticated audit: when they are refused, say so (exit 2), not an outsider's view.
  const loginRequired = Boolean(given.user || given.passwordFrom);
  const timeout = Number(v['connection-timeout']);
  const conn = new RespConnection(target, {
    connectTimeoutMs: timeout,
    commandTimeoutMs: timeout,
    tls,
  });
  try {
    const facts: Facts = await collectLiveFacts(conn, {
      deadlineMs: Date.now() + timeout,
      scanSuspiciousKeys: Boolean(v['scan-keys']),
      local: Boolean(v.local),
      configCommand: String(v['config-command'] || '') || undefined,
      adminUsers: inventory.adminUsers,
      loginRequired,
    });
    facts.now = new Date().toISOString();
    facts.inventory = inventory;
    const report = buildReport(facts, ALL_CHECKS);
    // A score from an audit that could not log in, or judged almost nothing, would read as clean: stop, or mark it.
    const incomplete = incompleteness(report);
    if (incomplete && !allowPartial)
      throw new AuditIncompleteError(
        `${incomplete.reason.replace(/\.$/, '')}${noEntry ? ` (${noEntry})` : ''}. Pass --allow-partial to report only what could be judged.`,
      );
    if (incomplete) report.partial = incomplete.summary;
    return report;
  } catch (err) {
    if (loginRequired && err instanceof RedisError && LOGIN_REFUSED_KINDS.has(err.kind))
      throw new LoginRefusedError(target.display, given, err);
    throw err;
  } finally {
    await conn.close();
  }
}

export async function runAudit(argv: string[], io: CliIo): Promise<number> {
  const { values: v, help } = parseFlags(argv, AUDIT_FLAGS, io.env);
  if (help) {
    io.stdout.write(formatHelp(USAGE, AUDIT_FLAGS));
    return 0;
  }
  const format = String(v.format);
  if (!['table', 'json', 'sarif'].includes(format))
    throw new UsageError(`--format "${format}": use table, json or sarif`);
  const failOn = String(v['fail-on'] || '');
  if (failOn && !FAIL_ON.includes(failOn as Severity))
    throw new UsageError(`--fail-on "${failOn}": use critical, high, medium or low`);
  if (!v.redis && !v.config && !v['acl-file'])
    throw new UsageError('nothing to audit: pass --redis URL, --config redis.conf, or both (see --help)');
  const inventory = inventoryOf(v);

  let report: AuditReport;
  try {
    let fileReport: AuditReport | undefined;
    if (v.config || v['acl-file']) {
      const facts = factsFromFiles({
        confPath: String(v.config || '') || undefined,
        aclPath: String(v['acl-file'] || '') || undefined,
      });
      refuseWhatRedisRefuses(facts);
      facts.now = new Date().toISOString();
      facts.inventory = inventory;
      fileReport = buildReport(facts, ALL_CHECKS);
    }
    const live = v.redis ? await liveReport(v, inventory, io) : undefined;
    if (live && fileReport) report = mergeReports(live, fileReport);
    else report = (live ?? fileReport) as AuditReport;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const e = err as Error;
    const known =
      err instanceof RedisError ||
      err instanceof TargetError ||
      err instanceof AuditIncompleteError ||
      err instanceof RedisConfParseError ||
      err instanceof AclParseError ||
      err instanceof ConfigError;
    const code = (err as NodeJS.ErrnoException).code;
    const reason = known || code ? e.message : `unexpected error: ${e.message}`;
    // One line, whatever a library put in the message (OpenSSL's errors carry a newline); reasons quote servers
    // and files, so their control characters are escaped.
    io.stderr.write(`redoubt audit: the audit could not run: ${neutralise(reason.replace(/\s*\n\s*/g, ' ').trim())}\n`);
    return 2;
  }

  const color =
    format === 'table' && !v.output && Boolean((io.stdout as { isTTY?: boolean }).isTTY) && !io.env.NO_COLOR;
  const text =
    format === 'json'
      ? renderJson(report)
      : format === 'sarif'
        ? renderSarif(report)
        : renderTable(report, { color, showPassed: Boolean(v['show-passed']) });
  if (v.output) {
    if (!writeReport(String(v.output), text, io)) return 2;
  } else io.stdout.write(text);

  if (!failOn) return 0;
  const failing = report.findings.some((f) => f.status === 'fail' && severityAtLeast(f.severity, failOn as Severity));
  return failing ? 1 : 0;
}
