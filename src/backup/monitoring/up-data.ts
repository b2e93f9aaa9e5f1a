import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { EncryptionKey } from '../keys.ts';
import { BackupFailedError } from '../run-backup.ts';
import { type SealedArchive, sealTree } from './seal-archive.ts';

const LOCK_FILE = 'redoubt.lock';
/**
 * The console's sessions (their ids' hashes, users, expiry): left out, so an archive restores with everyone
 * signed out and holds nothing of a live session; the restored up starts with no sessions.
 */
const SESSIONS_FILE = 'sessions.json';
/** The history store's data files: immutable once renamed into place, removed by compaction and retention. */
const STORE_FILE = /^history\/(?:(?:raw|5m|1h)-\d{1,16}\.block|head-\d{1,12}\.seg)$/;

/**
 * An online, consistent copy of `redoubt up`'s data directory (history, alert state, console users, audit log,
 * TLS key; not its lock nor the console's sessions), archived and encrypted. The store writes every file whole through a rename and never changes it
 * after, so a file present from the listing to the end of the copy is the file of the listing; when a
 * compaction or checkpoint removes one meanwhile the copy starts over. What it holds is what a `kill -9` at the
 * moment of the listing would have left: up reopens it as it reopens after a crash (the last flush, ≤ 30 s, is
 * the newest data).
 */
export async function backupUpDataDir(dataDir: string, outDir: string, key: EncryptionKey): Promise<SealedArchive> {
  const st = lstatSync(dataDir, { throwIfNoEntry: false });
  if (!st?.isDirectory())
    throw new BackupFailedError(`${dataDir} is not a directory (redoubt up's --data-dir, not a link to one)`);
  if (!lstatSync(join(dataDir, 'history'), { throwIfNoEntry: false })?.isDirectory())
    throw new BackupFailedError(`${dataDir} holds no history/: it is not a redoubt up data directory`);
  return sealTree({
    kind: 'up-data',
    root: dataDir,
    source: dataDir,
    outDir,
    key,
    keep: (p) => p !== LOCK_FILE && p !== SESSIONS_FILE && !/(^|\/)\.[^/]*\.tmp$/.test(p),
    mustStay: (p) => STORE_FILE.test(p),
  });
}
