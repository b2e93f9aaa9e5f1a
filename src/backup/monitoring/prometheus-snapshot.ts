import { lstatSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EncryptionKey } from '../keys.ts';
import { BackupFailedError } from '../run-backup.ts';
import { type SealedArchive, sealTree } from './seal-archive.ts';

const MAX_REPLY = 64 * 1024;
const SNAPSHOT_NAME = /^[0-9A-Za-z][0-9A-Za-z_-]{0,127}$/;

/** Asks Prometheus for a TSDB snapshot (admin API) and returns its name, checked before it names a path. */
export async function requestSnapshot(baseUrl: string, timeoutMs: number): Promise<string> {
  let url: URL;
  try {
    url = new URL('api/v1/admin/tsdb/snapshot', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  } catch {
    throw new BackupFailedError(`--prometheus ${baseUrl} is not a URL (e.g. http://127.0.0.1:9090)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new BackupFailedError('--prometheus must be an http:// or https:// URL');
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (err) {
    throw new BackupFailedError(`cannot reach Prometheus at ${url.origin}: ${(err as Error).message}`);
  }
  const body = (await res.text()).slice(0, MAX_REPLY);
  if (res.status === 404 || res.status === 405 || /admin APIs disabled/i.test(body))
    throw new BackupFailedError(
      `Prometheus at ${url.origin} refused the snapshot (HTTP ${res.status}): start it with --web.enable-admin-api (and keep that API off the public proxy)`,
    );
  let name: unknown;
  try {
    name = (JSON.parse(body) as { data?: { name?: unknown } }).data?.name;
  } catch {
    name = undefined;
  }
  if (res.status !== 200 || typeof name !== 'string' || !SNAPSHOT_NAME.test(name))
    throw new BackupFailedError(
      `Prometheus at ${url.origin} answered the snapshot request with HTTP ${res.status} and no snapshot name`,
    );
  return name;
}

/**
 * Prometheus's data through its TSDB snapshot API: Prometheus hard-links a consistent copy of its blocks (and
 * its head, written out) into <data dir>/snapshots/<name>; that directory is archived and encrypted, then removed
 * (the links cost no space while both exist, all of it once Prometheus compacts the originals away).
 */
export async function backupPrometheus(
  baseUrl: string,
  dataDir: string,
  outDir: string,
  key: EncryptionKey,
  timeoutMs = 120_000,
): Promise<SealedArchive> {
  if (
    !lstatSync(join(dataDir, 'snapshots'), { throwIfNoEntry: false }) &&
    !lstatSync(dataDir, { throwIfNoEntry: false })?.isDirectory()
  )
    throw new BackupFailedError(`--prometheus-data-dir ${dataDir} is not a directory on this host`);
  const name = await requestSnapshot(baseUrl, timeoutMs);
  const snapshots = join(dataDir, 'snapshots');
  const dir = join(snapshots, name);
  const st = lstatSync(dir, { throwIfNoEntry: false });
  if (!st?.isDirectory() || realpathSync(dir) !== join(realpathSync(snapshots), name))
    throw new BackupFailedError(
      `Prometheus made snapshot ${name} but ${dir} is not there: --prometheus-data-dir must be the --storage.tsdb.path of that Prometheus, on this host`,
    );
  try {
    return await sealTree({ kind: 'prometheus', root: dir, source: baseUrl, outDir, key, attempts: 1 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
