import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { type DecryptionKey, readIdentityFile, readPassphraseFile } from '../backup/keys.ts';
import { manifestPathFor, parseManifest } from '../backup/manifest.ts';
import { RdbWriter } from '../backup/rdb-writer.ts';
import { type BackupContents, RestoreRefusedError, readBackup, unlockBackup } from '../backup/read-backup.ts';
import { LiveRestorer } from '../backup/restore-live.ts';
import { checkLiveTraps, rdbRestoreAdvice, targetFacts } from '../backup/restore-traps.ts';
import { SealedFile } from '../backup/sealed-file.ts';
import { type FlagSpec, type FlagValues, formatHelp, parseFlags, UsageError } from '../flags/flags.ts';
import { FileWriteError } from '../fs/atomic-write.ts';
import { readInputText } from '../fs/read-input.ts';
import { RedisError } from '../redis/errors.ts';
import { RespConnection } from '../redis/resp-connection.ts';
import { neutralise } from '../text/terminal.ts';
import { CONNECTION_FLAGS, targetFromFlags } from './backup.ts';
import type { CliIo } from './io.ts';
import { clientTlsFromFlags } from './tls-flags.ts';

const USAGE = `Usage: redoubt restore FILE (--identity KEYFILE | --passphrase-file FILE) (--to-rdb PATH | --redis URL [--yes])

Decrypts and verifies a backup (age authentication, RDB structure and CRC-64, the manifest's SHA-256 when it
lies beside the file) before anything is written: a wrong key, a truncated or altered file writes nothing and
exits 2.

--to-rdb PATH writes a dump.rdb that redis-server loads (from an RDB or a logical backup).
--redis URL restores the keys into a running server (RESTORE … ABSTTL REPLACE: same values and expiry times),
after checking the known traps (a replica as target, not enough maxmemory); it asks on a terminal, and needs
--yes otherwise.`;

const RESTORE_FLAGS: FlagSpec[] = [
  {
    name: 'identity',
    type: 'string',
    default: '',
    help: 'age identity file (age-keygen output) for backups made with --recipient.',
  },
  { name: 'passphrase-file', type: 'string', default: '', help: 'File whose first line is the passphrase.' },
  { name: 'to-rdb', type: 'string', default: '', help: 'Write the data as an RDB file here (mode 0600).' },
  { name: 'force', type: 'bool', default: false, help: 'With --to-rdb: replace an existing file.' },
  { name: 'redis', type: 'string', default: '', help: 'Restore into this running server: redis://[user@]host:port.' },
  ...CONNECTION_FLAGS,
  { name: 'yes', type: 'bool', default: false, help: 'With --redis: do not ask for confirmation.' },
];

function decryptionKey(values: FlagValues): DecryptionKey {
  const identity = String(values.identity || '');
  const pass = String(values['passphrase-file'] || '');
  if (identity && pass) throw new UsageError('give --identity or --passphrase-file, not both');
  if (identity) return { kind: 'identities', identities: readIdentityFile(identity) };
  if (pass) return { kind: 'passphrase', passphrase: readPassphraseFile(pass) };
  throw new UsageError('pass --identity KEYFILE (the age key) or --passphrase-file FILE to decrypt the backup');
}

/** The manifest beside the backup, when there is one: its digest must match what was decrypted. */
function checkManifest(file: string, c: BackupContents): string {
  const path = manifestPathFor(file);
  if (!existsSync(path)) return 'no manifest beside the file';
  let m: ReturnType<typeof parseManifest>;
  try {
    // A manifest is a few hundred bytes: a larger file (or a FIFO) at its name is not one.
    m = parseManifest(readInputText(path, 1024 * 1024));
  } catch {
    throw new RestoreRefusedError(`${path} is not a redoubt manifest; move it away to restore without it`);
  }
  if (m.sha256 && m.sha256 !== c.sha256)
    throw new RestoreRefusedError(
      `the data's SHA-256 differs from ${path} (the file is not the one the manifest describes); nothing was written`,
    );
  return 'matches its manifest';
}

function describe(c: BackupContents): string {
  const dbs = Object.entries(c.keysPerDb)
    .map(([db, n]) => `db${db}=${n}`)
    .join(' ');
  return `${c.kind === 'logical' ? 'logical backup' : `RDB v${c.rdbVersion}`}: ${c.keys} keys (${dbs || 'none'}), ${c.expires} with a TTL, ${c.bytes} bytes, sha256 ${c.sha256}`;
}

async function toRdb(file: string, key: DecryptionKey, out: string, force: boolean, io: CliIo): Promise<number> {
  const sealed = await SealedFile.create(out, 0o600, force);
  const queued: Buffer[] = [];
  const writer = new RdbWriter((c) => queued.push(c));
  let started = false;
  try {
    const contents = await readBackup(file, key, {
      plaintext: async (chunk, kind) => {
        if (kind === 'rdb') await sealed.write(chunk);
      },
      recordsOfLogicalOnly: true,
      record: (r) => {
        if (!started) {
          writer.header(r.rdbVersion);
          started = true;
        }
        writer.record(r);
      },
      drain: async () => {
        for (const c of queued.splice(0)) await sealed.write(c);
      },
    });
    if (contents.kind === 'logical') {
      if (!started) writer.header(9);
      writer.end();
      for (const c of queued.splice(0)) await sealed.write(c);
    }
    const manifest = checkManifest(file, contents);
    await sealed.seal();
    io.stdout.write(
      `verified ${file} (${manifest}); ${describe(contents)}\nwrote ${out}\n${rdbRestoreAdvice(out).join('\n')}\n`,
    );
    return 0;
  } catch (err) {
    await sealed.discard();
    throw err;
  }
}

async function confirm(io: CliIo, question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: io.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** The traps and the question, before anything is sent: an exit code to stop with, or undefined to go ahead. */
async function preflight(
  conn: RespConnection,
  contents: BackupContents,
  values: FlagValues,
  io: CliIo,
): Promise<number | undefined> {
  const target = conn.target;
  const facts = targetFacts(String(await conn.call('INFO', 'all')));
  // The serialized size is a lower bound on the memory the keys take once loaded.
  const traps = checkLiveTraps(facts, Math.max(contents.valueBytes, contents.bytes));
  if (traps.refusals.length > 0) {
    io.stderr.write(
      `redoubt restore: refusing to restore into ${target.display}:\n${traps.refusals.map((r) => `  - ${r}\n`).join('')}Nothing was sent.\n`,
    );
    return 2;
  }
  for (const n of traps.notes) io.stdout.write(`note: ${n}\n`);
  if (values.yes === true) return undefined;
  const tty = process.stdin.isTTY === true && (io.stdout as { isTTY?: boolean }).isTTY === true;
  if (!tty)
    throw new UsageError(
      `restoring into ${target.display} changes its data: pass --yes to go ahead without a terminal`,
    );
  if (await confirm(io, `Restore ${contents.keys} keys into ${target.display}? [y/N] `)) return undefined;
  io.stdout.write('Nothing was restored.\n');
  return 1;
}

/** The second pass: every key RESTOREd in pipelined batches; the report says what the server refused. */
async function applyRestore(conn: RespConnection, file: string, key: DecryptionKey, io: CliIo): Promise<number> {
  const target = conn.target;
  const restorer = new LiveRestorer(conn);
  try {
    await readBackup(file, key, { record: (r) => restorer.add(r), drain: () => restorer.drain() });
    await restorer.drain(true);
  } catch (err) {
    if (/^OOM/.test(String((err as Error).message)))
      throw new RedisError(
        'command',
        `${target.display} ran out of memory (maxmemory) after ${restorer.report.restored} keys were restored: raise maxmemory and run the restore again (it replaces the keys already restored)`,
      );
    throw err;
  }
  const r = restorer.report;
  io.stdout.write(
    `restored ${r.restored} keys into ${target.display}${r.expiredSkipped ? ` (${r.expiredSkipped} had expired since the backup and were skipped)` : ''}\n`,
  );
  if (r.failed === 0) return 0;
  io.stderr.write(`redoubt restore: ${r.failed} keys were refused: ${r.firstErrors.join('; ')}\n`);
  return 1;
}

async function toRedis(file: string, key: DecryptionKey, values: FlagValues, io: CliIo): Promise<number> {
  const target = targetFromFlags(String(values.redis), values);
  const contents = await readBackup(file, key);
  const manifest = checkManifest(file, contents);
  io.stdout.write(`verified ${file} (${manifest}); ${describe(contents)}\n`);
  const conn = new RespConnection(target, {
    tls: clientTlsFromFlags(values),
    connectTimeoutMs: 15000,
    commandTimeoutMs: 120000,
    clientName: 'redoubt-restore',
  });
  try {
    await conn.ready();
    return (await preflight(conn, contents, values, io)) ?? (await applyRestore(conn, file, key, io));
  } finally {
    await conn.close();
  }
}

export async function runRestore(argv: string[], io: CliIo): Promise<number> {
  const { values, help, positionals } = parseFlags(argv, RESTORE_FLAGS, io.env, { max: 1, name: 'FILE' });
  const file = positionals[0];
  if (help) {
    io.stdout.write(formatHelp(USAGE, RESTORE_FLAGS));
    return 0;
  }
  if (!file) throw new UsageError('name the backup to restore: redoubt restore FILE …');
  const out = String(values['to-rdb'] || '');
  const redis = String(values.redis || '');
  if (!out === !redis)
    throw new UsageError(
      'pass --to-rdb PATH (write a dump.rdb) or --redis URL (restore into a running server), one of them',
    );
  try {
    const key = await unlockBackup(file, decryptionKey(values));
    return out ? await toRdb(file, key, out, values.force === true, io) : await toRedis(file, key, values, io);
  } catch (err) {
    if (err instanceof RestoreRefusedError || err instanceof FileWriteError) {
      io.stderr.write(`redoubt restore: ${neutralise(err.message)}\n`);
      return 2;
    }
    if (err instanceof RedisError) {
      io.stderr.write(`redoubt restore: ${neutralise(err.message)}\n`);
      return 1;
    }
    throw err;
  }
}
