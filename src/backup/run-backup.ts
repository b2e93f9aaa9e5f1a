import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import type { RedisConnection, TlsOptions } from '../redis/connection.ts';
import { RespConnection } from '../redis/resp-connection.ts';
import type { RedisTarget } from '../redis/target.ts';
import { neutralise } from '../text/terminal.ts';
import { backupFileName, backupPrefix } from './backup-names.ts';
import { chooseSource, gatherFacts } from './choose-source.ts';
import { encryptToFile, type SealedBackup } from './encrypt-to-file.ts';
import type { EncryptionKey } from './keys.ts';
import { dumpKeys } from './logical-dump.ts';
import { LogicalWriter } from './logical-format.ts';
import { type BackupManifest, manifestPathFor, renderManifest } from './manifest.ts';
import type { Progress } from './progress.ts';
import { type RdbSummary, rdbVerifier } from './rdb-walk.ts';
import {
  PsyncRefusedError,
  readRdbOverReplication,
  TransferCutError,
  type TransferStart,
} from './replication-stream.ts';
import { expiredBackups, type RetentionPolicy } from './retention.ts';
import { type CutFacts, explainCut } from './transfer-cut.ts';

export class BackupFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupFailedError';
  }
}

export interface BackupRequest {
  /** The servers given; a replica among them with its link up is preferred. */
  targets: RedisTarget[];
  tls?: TlsOptions;
  outDir: string;
  key: EncryptionKey;
  retention?: RetentionPolicy;
  idleTimeoutMs: number;
  maxBytes: number;
  /** Refuse the logical fallback (a full RDB or nothing). */
  rdbOnly: boolean;
  progress: (label: string) => Progress;
  say: (line: string) => void;
  now?: () => Date;
}

export interface BackupResult {
  path: string;
  manifestPath: string;
  manifest: BackupManifest;
  removed: string[];
}

function connect(target: RedisTarget, tls: TlsOptions | undefined, buffers = false): RespConnection {
  return new RespConnection(target, {
    tls,
    connectTimeoutMs: 15000,
    commandTimeoutMs: 60000,
    clientName: 'redoubt-backup',
    buffers,
  });
}

async function withConnection<T>(conn: RedisConnection, use: (c: RedisConnection) => Promise<T>): Promise<T> {
  try {
    await conn.ready();
    return await use(conn);
  } finally {
    await conn.close();
  }
}

async function pickSource(req: BackupRequest): Promise<RedisTarget> {
  if (req.targets.length === 1) return req.targets[0];
  const facts = await Promise.all(
    req.targets.map((t) =>
      withConnection(connect(t, req.tls), gatherFacts).catch(() => ({
        target: t,
        role: 'unknown' as const,
        linkUp: false,
      })),
    ),
  );
  const chosen = chooseSource(facts);
  req.say(
    `reading from ${chosen.target.display} (${chosen.role === 'slave' ? 'a replica with its link up' : 'no replica with its link up among those given'})`,
  );
  return chosen.target;
}

async function cutCounter(
  target: RedisTarget,
  tls: TlsOptions | undefined,
): Promise<{ count?: number; limits?: string }> {
  return withConnection(connect(target, tls), async (c) => {
    const out: { count?: number; limits?: string } = {};
    const stats = String(await c.call('INFO', 'stats').catch(() => ''));
    const m = /^client_output_buffer_limit_disconnections:(\d+)/m.exec(stats);
    if (m) out.count = Number(m[1]);
    const conf = await c.call('CONFIG', 'GET', 'client-output-buffer-limit').catch(() => undefined);
    if (Array.isArray(conf) && conf.length === 2) out.limits = String(conf[1]);
    return out;
  }).catch(() => ({}));
}

async function rdbBackup(
  req: BackupRequest,
  source: RedisTarget,
  path: string,
): Promise<{ sealed: SealedBackup; summary: RdbSummary; start: TransferStart }> {
  const before = await cutCounter(source, req.tls);
  const progress = req.progress('backup');
  let start: TransferStart | undefined;
  let summary: RdbSummary | undefined;
  let received = 0;
  const verifier = rdbVerifier();
  const payload = readRdbOverReplication(
    source,
    { tls: req.tls, idleTimeoutMs: req.idleTimeoutMs, maxBytes: req.maxBytes },
    (s) => {
      start = s;
      progress.total = s.declaredBytes;
    },
  );
  async function* verified(): AsyncGenerator<Buffer> {
    for await (const chunk of payload) {
      verifier.write(chunk);
      received += chunk.length;
      progress.update(received);
      yield chunk;
    }
    summary = verifier.end();
  }
  try {
    const sealed = await encryptToFile(verified(), req.key, path);
    progress.finish();
    return { sealed, summary: summary as RdbSummary, start: start as TransferStart };
  } catch (err) {
    progress.finish();
    if (err instanceof TransferCutError) {
      const after = await cutCounter(source, req.tls);
      const facts: CutFacts = {
        received: err.received,
        disconnectionsBefore: before.count,
        disconnectionsAfter: after.count,
        limits: after.limits ?? before.limits,
        rdbOnly: start?.rdbOnly ?? false,
      };
      throw new BackupFailedError(explainCut(facts));
    }
    throw err;
  }
}

async function logicalBackup(req: BackupRequest, source: RedisTarget, path: string) {
  const conn = connect(source, req.tls, true);
  const progress = req.progress('logical backup');
  const summary = { keys: 0, keysPerDb: {} as Record<string, number>, expires: 0, rdbVersion: 0 };
  let redisVersion = 'unknown';
  async function* records(): AsyncGenerator<Buffer> {
    await conn.ready();
    const info = String(await conn.call('INFO', 'server'));
    redisVersion = /^redis_version:(\S+)/m.exec(info)?.[1] ?? 'unknown';
    const chunks: Buffer[] = [];
    const writer = new LogicalWriter((c) => chunks.push(c));
    let headed = false;
    for await (const k of dumpKeys(conn)) {
      if (!headed) {
        summary.rdbVersion = k.payload.readUInt16LE(k.payload.length - 10);
        writer.header(summary.rdbVersion);
        headed = true;
      }
      writer.key(k.db, k.key, k.expireMs, k.payload);
      summary.keys++;
      summary.keysPerDb[String(k.db)] = (summary.keysPerDb[String(k.db)] ?? 0) + 1;
      if (k.expireMs !== undefined) summary.expires++;
      progress.update(writer.bytes);
      if (chunks.length >= 64) yield Buffer.concat(chunks.splice(0));
    }
    if (!headed) writer.header(9);
    writer.end();
    yield Buffer.concat(chunks.splice(0));
  }
  try {
    const sealed = await encryptToFile(records(), req.key, path);
    return { sealed, summary, redisVersion };
  } finally {
    progress.finish();
    await conn.close();
  }
}

/**
 * Temporary files a killed backup of this source left behind (`.<name>.<random>.tmp`), once nothing has written
 * them for an hour: a running backup writes at least every --timeout × 10, so an hour-old one is dead.
 */
function removeStaleTemporaries(req: BackupRequest, prefix: string): string[] {
  const removed: string[] = [];
  const pattern = new RegExp(
    `^\\.${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d{8}T\\d{6}Z\\.(rdb|logical)\\.age\\.[0-9a-f]{18}\\.tmp$`,
  );
  const cutoff = Date.now() - Math.max(3600_000, req.idleTimeoutMs * 20);
  for (const f of readdirSync(req.outDir)) {
    if (!pattern.test(f)) continue;
    const st = lstatSync(join(req.outDir, f), { throwIfNoEntry: false });
    if (st?.isFile() && st.mtimeMs < cutoff) {
      rmSync(join(req.outDir, f), { force: true });
      removed.push(f);
    }
  }
  return removed;
}

function applyRetention(req: BackupRequest, prefix: string): string[] {
  if (!req.retention) return [];
  const removed = expiredBackups(readdirSync(req.outDir), prefix, req.retention);
  for (const f of removed) {
    rmSync(join(req.outDir, f), { force: true });
    rmSync(manifestPathFor(join(req.outDir, f)), { force: true });
  }
  return removed;
}

/** What every manifest says about where, when and how; the kind-specific fields are added by the caller. */
interface ManifestCommon {
  path: string;
  now: Date;
  source: RedisTarget;
  key: EncryptionKey;
  sealed: SealedBackup;
}

function baseManifest(c: ManifestCommon) {
  return {
    format: 'redoubt-backup/1' as const,
    file: basename(c.path),
    created_at: c.now.toISOString(),
    source: c.source.display,
    size_bytes: c.sealed.plaintextBytes,
    sha256: c.sealed.sha256,
    encrypted_bytes: c.sealed.encryptedBytes,
    encryption: c.key.kind === 'passphrase' ? ('age-scrypt' as const) : ('age-x25519' as const),
  };
}

async function rdbManifest(req: BackupRequest, source: RedisTarget, path: string, now: Date): Promise<BackupManifest> {
  const { sealed, summary, start } = await rdbBackup(req, source, path);
  return {
    ...baseManifest({ path, now, source, key: req.key, sealed }),
    kind: 'rdb',
    redis_version: neutralise(summary.aux['redis-ver'] ?? 'unknown'),
    rdb_version: summary.rdbVersion,
    keys: summary.keys,
    keys_per_db: summary.keysPerDb,
    expires: summary.expires,
    checksum: summary.checksum,
    replication: { replid: start.replid, offset: start.offset, rdb_only: start.rdbOnly },
  };
}

async function logicalManifest(
  req: BackupRequest,
  source: RedisTarget,
  path: string,
  now: Date,
): Promise<BackupManifest> {
  const { sealed, summary, redisVersion } = await logicalBackup(req, source, path);
  return {
    ...baseManifest({ path, now, source, key: req.key, sealed }),
    kind: 'logical',
    redis_version: neutralise(redisVersion),
    rdb_version: summary.rdbVersion,
    keys: summary.keys,
    keys_per_db: summary.keysPerDb,
    expires: summary.expires,
    checksum: 'verified',
  };
}

/** One backup: a verified RDB over replication (or, where PSYNC is refused, the logical fallback), encrypted, sealed, described. */
export async function runBackup(req: BackupRequest): Promise<BackupResult> {
  const source = await pickSource(req);
  const now = (req.now ?? (() => new Date()))();
  const prefix = backupPrefix(source);
  let path = join(req.outDir, backupFileName(prefix, now, 'rdb'));
  let manifest: BackupManifest;
  try {
    manifest = await rdbManifest(req, source, path, now);
  } catch (err) {
    if (!(err instanceof PsyncRefusedError)) throw err;
    if (req.rdbOnly)
      throw new BackupFailedError(
        `${err.message}; without --rdb-only redoubt would fall back to a logical backup (SCAN + DUMP + PTTL)`,
      );
    req.say(
      `${source.display} does not allow replication (${err.reply}): falling back to a LOGICAL backup (SCAN + DUMP + PTTL). It is not a point-in-time snapshot: keys written during the backup may or may not be in it.`,
    );
    path = join(req.outDir, backupFileName(prefix, now, 'logical'));
    manifest = await logicalManifest(req, source, path, now);
  }
  const manifestPath = manifestPathFor(path);
  writeFileAtomic(manifestPath, renderManifest(manifest), { mode: 0o644, overwrite: false });
  return {
    path,
    manifestPath,
    manifest,
    removed: [...applyRetention(req, prefix), ...removeStaleTemporaries(req, prefix)],
  };
}
