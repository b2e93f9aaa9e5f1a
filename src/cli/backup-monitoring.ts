import { TreeChangedError } from '../backup/monitoring/archive-tree.ts';
import { backupPrometheus } from '../backup/monitoring/prometheus-snapshot.ts';
import type { SealedArchive } from '../backup/monitoring/seal-archive.ts';
import { TarNameError } from '../backup/monitoring/tar-format.ts';
import { backupUpDataDir } from '../backup/monitoring/up-data.ts';
import { BackupFailedError } from '../backup/run-backup.ts';
import { type FlagSpec, formatHelp, parseFlags, UsageError } from '../flags/flags.ts';
import { FileWriteError, makeDirectory } from '../fs/atomic-write.ts';
import { ConfigError } from '../redis/password-file.ts';
import { neutralise } from '../text/terminal.ts';
import { encryptionKey } from './backup.ts';
import type { CliIo } from './io.ts';

const USAGE = `Usage: redoubt backup monitoring --out DIR (--recipient age1… | --passphrase-file FILE)
         (--up-data-dir DIR | --prometheus URL --prometheus-data-dir DIR)

Backs up the monitoring side while it runs, archived (tar) and encrypted with age like the Redis backups, with a
manifest beside it: redoubt up's data directory (an online, consistent copy: history, alert state, console users,
audit log), or Prometheus through its TSDB snapshot API (Prometheus must run with --web.enable-admin-api and its
data directory must be on this host). Read one back with: age -d -i KEY FILE.tar.age | tar x`;

const FLAGS: FlagSpec[] = [
  { name: 'out', type: 'string', default: '', help: 'Directory for the archives (created if missing, mode 0700).' },
  { name: 'recipient', type: 'repeated', default: [], help: 'age X25519 recipient (age1…); repeatable.' },
  { name: 'passphrase-file', type: 'string', default: '', help: 'File whose first line is the passphrase.' },
  { name: 'up-data-dir', type: 'string', default: '', help: "redoubt up's data directory (its --data-dir)." },
  { name: 'prometheus', type: 'string', default: '', help: "Prometheus's URL, e.g. http://127.0.0.1:9090." },
  {
    name: 'prometheus-data-dir',
    type: 'string',
    default: '',
    help: "Prometheus's --storage.tsdb.path on this host (where the snapshot appears).",
  },
];

function describe(a: SealedArchive): string {
  const m = a.manifest;
  return `${m.kind} archive of ${neutralise(m.source)}: ${m.files} files, ${m.size_bytes} bytes, sha256 ${m.sha256}${m.skipped.length > 0 ? ` (left out, not regular files: ${m.skipped.map(neutralise).join(', ')})` : ''}\nwrote ${a.path}\nwrote ${a.manifestPath}\n`;
}

export async function runBackupMonitoring(argv: string[], io: CliIo): Promise<number> {
  const { values, help } = parseFlags(argv, FLAGS, io.env);
  if (help) {
    io.stdout.write(formatHelp(USAGE, FLAGS));
    return 0;
  }
  const out = String(values.out || '');
  if (!out) throw new UsageError('pass --out DIR: where to write the archives');
  const upDir = String(values['up-data-dir'] || '');
  const prom = String(values.prometheus || '');
  const promDir = String(values['prometheus-data-dir'] || '');
  if (!upDir && !prom)
    throw new UsageError('pass --up-data-dir DIR, or --prometheus URL with --prometheus-data-dir DIR');
  if (Boolean(prom) !== Boolean(promDir))
    throw new UsageError(
      '--prometheus and --prometheus-data-dir go together (the snapshot is read from the data directory)',
    );
  let key: ReturnType<typeof encryptionKey>;
  try {
    key = encryptionKey(values);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  try {
    makeDirectory(out, 0o700);
    if (upDir) io.stdout.write(describe(await backupUpDataDir(upDir, out, key)));
    if (prom) io.stdout.write(describe(await backupPrometheus(prom, promDir, out, key)));
    return 0;
  } catch (err) {
    if (
      err instanceof BackupFailedError ||
      err instanceof TreeChangedError ||
      err instanceof TarNameError ||
      err instanceof FileWriteError
    ) {
      io.stderr.write(`redoubt backup monitoring: ${neutralise(err.message)} (nothing was kept)\n`);
      return 1;
    }
    throw err;
  }
}
