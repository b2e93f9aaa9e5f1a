import { BackupFormatError } from '../backup/byte-feed.ts';
import { checkRecipients, type EncryptionKey, readPassphraseFile } from '../backup/keys.ts';
import { parseBackupMetrics, renderBackupMetrics } from '../backup/metrics-file.ts';
import { Progress } from '../backup/progress.ts';
import { BackupFailedError, runBackup } from '../backup/run-backup.ts';
import { EXPORTER_FLAGS } from '../exporter/flags.ts';
import { type FlagSpec, type FlagValues, formatHelp, parseFlags, UsageError } from '../flags/flags.ts';
import { FileWriteError, makeDirectory, writeFileAtomic } from '../fs/atomic-write.ts';
import { readRegularFile } from '../fs/read-file.ts';
import { RedisError } from '../redis/errors.ts';
import { loadPasswordFile, resolveCredentials } from '../redis/password-file.ts';
import { parseTarget, type RedisTarget, withCredentials } from '../redis/target.ts';
import { neutralise } from '../text/terminal.ts';
import type { CliIo } from './io.ts';
import { CLIENT_TLS_FLAGS, clientTlsFromFlags } from './tls-flags.ts';

const USAGE = `Usage: redoubt backup --redis URL --out DIR (--recipient age1… | --passphrase-file FILE) [--keep N]

Takes a full RDB snapshot over the replication protocol (as a replica would: no access to the server's disk),
verifies it while it streams (RDB magic and version, the structure of every record, the CRC-64 trailer), encrypts
it with age while it streams, and keeps it only when all of that passed: DIR/<name>.rdb.age and
DIR/<name>.manifest.json. Decrypt it with redoubt restore, or with age -d.

Give --redis several times (a master and its replicas) and redoubt reads from a replica whose link is up. Where
the server refuses replication (an ACL without PSYNC, a managed service), it falls back to a logical backup
(SCAN + DUMP + PTTL) and says so; --rdb-only refuses that instead.`;

/** Connection flags shared with restore: as the exporter takes credentials. */
export const CONNECTION_FLAGS: FlagSpec[] = [
  {
    name: 'redis.user',
    type: 'string',
    env: ['REDIS_USER'],
    default: '',
    help: 'ACL user (default: the URL\'s user; else, for backup, "backup" when a password is given, and for restore the default user).',
  },
  {
    name: 'redis.password',
    type: 'string',
    env: ['REDIS_PASSWORD'],
    default: '',
    help: 'Password (prefer the environment variable to the command line).',
  },
  EXPORTER_FLAGS.find((f) => f.name === 'redis.password-file') as FlagSpec,
  ...CLIENT_TLS_FLAGS,
];

const BACKUP_FLAGS: FlagSpec[] = [
  {
    name: 'redis',
    type: 'repeated',
    default: [],
    help: 'Server to back up: redis://[user@]host:port; repeat for a master and its replicas.',
  },
  ...CONNECTION_FLAGS,
  { name: 'out', type: 'string', default: '', help: 'Directory for the backups (created if missing, mode 0700).' },
  {
    name: 'recipient',
    type: 'repeated',
    default: [],
    help: 'age X25519 recipient (age1…, from age-keygen -y); repeatable.',
  },
  {
    name: 'passphrase-file',
    type: 'string',
    default: '',
    help: 'File whose first line is the passphrase (age scrypt).',
  },
  {
    name: 'keep',
    type: 'int',
    default: 0,
    help: 'Keep the newest N backups of this server in DIR, delete older ones (0: keep all).',
  },
  { name: 'keep-daily', type: 'int', default: 0, help: 'Also keep the newest backup of each of the last N days.' },
  { name: 'keep-weekly', type: 'int', default: 0, help: 'Also keep the newest backup of each of the last N weeks.' },
  {
    name: 'timeout',
    type: 'duration',
    default: 60000,
    help: 'Give up when no byte arrives for this long (keepalives count).',
  },
  { name: 'rdb-only', type: 'bool', default: false, help: 'Never fall back to a logical backup.' },
  {
    name: 'metrics-file',
    type: 'string',
    default: '',
    help: "Write the outcome as Prometheus metrics to this file (node_exporter's textfile collector: a *.prom file).",
  },
];

/** Updates --metrics-file after a run: success time and size, or one more failure. */
function recordOutcome(path: string, source: string, outcome: { sizeBytes: number } | 'failed'): void {
  if (!path) return;
  const existing = readRegularFile(path);
  const previous = existing ? parseBackupMetrics(existing.toString('utf8')) : { failures: 0 };
  const next =
    outcome === 'failed'
      ? { ...previous, failures: previous.failures + 1 }
      : { ...previous, lastSuccessSeconds: Math.floor(Date.now() / 1000), lastSizeBytes: outcome.sizeBytes };
  writeFileAtomic(path, renderBackupMetrics(source, next), { mode: 0o644, overwrite: true });
}

/**
 * The target with credentials as the exporter takes them (URL, --redis.user/--redis.password, REDIS_PASSWORD,
 * --redis.password-file). `defaultUser` is the user to log in as when none is named but a password is given.
 */
export function targetFromFlags(url: string, values: FlagValues, defaultUser?: string): RedisTarget {
  const bare = parseTarget(url);
  const file = String(values['redis.password-file'] || '');
  const { user, password } = resolveCredentials(bare, {
    user: String(values['redis.user'] || ''),
    password: String(values['redis.password'] || ''),
    passwords: file ? loadPasswordFile(file) : undefined,
  });
  return withCredentials(bare, user ?? (password ? defaultUser : undefined), password);
}

/** Whether the user to log in as was named (in a URL or with --redis.user / REDIS_USER). */
function namedUser(urls: string[], values: FlagValues): boolean {
  return Boolean(values['redis.user']) || urls.some((u) => parseTarget(u).username !== undefined);
}

export function encryptionKey(values: FlagValues): EncryptionKey {
  const recipients = (values.recipient as string[]) ?? [];
  const file = String(values['passphrase-file'] || '');
  if (recipients.length > 0 && file) throw new UsageError('give --recipient or --passphrase-file, not both');
  if (recipients.length > 0) return { kind: 'recipients', recipients: checkRecipients(recipients) };
  if (file) return { kind: 'passphrase', passphrase: readPassphraseFile(file) };
  throw new UsageError(
    'backups are always encrypted: pass --recipient age1… (a public key from age-keygen) or --passphrase-file FILE',
  );
}

function isTty(io: CliIo): boolean {
  return (io.stderr as { isTTY?: boolean }).isTTY === true;
}

export async function runBackupCommand(argv: string[], io: CliIo): Promise<number> {
  if (argv[0] === 'monitoring') return (await import('./backup-monitoring.ts')).runBackupMonitoring(argv.slice(1), io);
  const { values, help } = parseFlags(argv, BACKUP_FLAGS, io.env);
  if (help) {
    io.stdout.write(formatHelp(USAGE, BACKUP_FLAGS));
    return 0;
  }
  const urls = (values.redis as string[]) ?? [];
  if (urls.length === 0) throw new UsageError('pass --redis URL: the server to back up');
  const outDir = String(values.out || '');
  if (!outDir) throw new UsageError('pass --out DIR: where to write the backup');
  const key = encryptionKey(values);
  for (const n of ['keep', 'keep-daily', 'keep-weekly'])
    if (Number(values[n]) < 0) throw new UsageError(`--${n} must be 0 or more`);
  const tls = clientTlsFromFlags(values);
  const targets = urls.map((u) => targetFromFlags(u, values, 'backup'));
  const retention =
    Number(values.keep) > 0 || Number(values['keep-daily']) > 0 || Number(values['keep-weekly']) > 0
      ? { last: Number(values.keep) || 1, daily: Number(values['keep-daily']), weekly: Number(values['keep-weekly']) }
      : undefined;
  const metricsFile = String(values['metrics-file'] || '');
  try {
    makeDirectory(outDir, 0o700);
    const result = await runBackup({
      targets,
      tls,
      outDir,
      key,
      retention,
      idleTimeoutMs: Number(values.timeout),
      maxBytes: 1024 ** 4,
      rdbOnly: values['rdb-only'] === true,
      progress: (label) => new Progress(io.stderr, isTty(io), label),
      say: (line) => io.stderr.write(`redoubt backup: ${line}\n`),
    });
    const m = result.manifest;
    recordOutcome(metricsFile, targets[0].display, { sizeBytes: m.size_bytes });
    io.stdout.write(
      `${m.kind === 'logical' ? 'LOGICAL backup' : 'RDB backup'} of ${m.source} (Redis ${m.redis_version}, RDB v${m.rdb_version}): ${m.keys} keys, ${m.size_bytes} bytes, checksum ${m.checksum}, sha256 ${m.sha256}\n` +
        `wrote ${result.path}\nwrote ${result.manifestPath}\n` +
        result.removed.map((f) => `removed ${f}\n`).join(''),
    );
    return 0;
  } catch (err) {
    recordOutcome(metricsFile, targets[0].display, 'failed');
    if (
      err instanceof BackupFailedError ||
      err instanceof BackupFormatError ||
      err instanceof FileWriteError ||
      err instanceof RedisError
    ) {
      const defaulted = err instanceof RedisError && err.kind === 'wrong_password' && !namedUser(urls, values);
      io.stderr.write(
        `redoubt backup: ${neutralise(err.message)}${err instanceof BackupFormatError ? ' (the snapshot did not verify; nothing was kept)' : ''}${defaulted ? ' No user was named, so redoubt logged in as "backup" (the user redoubt harden creates); for a server with only requirepass, name the default user: redis://default@host:port.' : ''}\n`,
      );
      return err instanceof FileWriteError ? 2 : 1;
    }
    throw err;
  }
}
