import { createHash } from 'node:crypto';
import { closeSync, createReadStream, lstatSync, openSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import { BackupFormatError, type PushParser } from './byte-feed.ts';
import { type DecryptionKey, decrypter } from './keys.ts';
import { LOGICAL_MAGIC, type LogicalSummary, logicalVerifier } from './logical-format.ts';
import { type RdbRecord, type RdbSummary, rdbVerifier } from './rdb-walk.ts';

/** A backup that cannot be restored as it is: wrong key, damaged, truncated, not a backup. Nothing was written. */
export class RestoreRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreRefusedError';
  }
}

export interface BackupContents {
  kind: 'rdb' | 'logical';
  rdbVersion: number;
  keys: number;
  keysPerDb: Record<string, number>;
  expires: number;
  /** Plaintext bytes and their SHA-256. */
  bytes: number;
  sha256: string;
  /** Sum of the serialized values' sizes: a lower bound on the memory the data takes in Redis. */
  valueBytes: number;
}

export interface BackupSink {
  /** Each plaintext chunk, after it passed verification so far. */
  plaintext?: (chunk: Buffer, kind: 'rdb' | 'logical') => Promise<void> | void;
  /** Each key (captured only when this is given). */
  record?: (r: RdbRecord) => void;
  /** Only the keys of logical backups go to record() (an RDB is copied as it is); default: all. */
  recordsOfLogicalOnly?: boolean;
  /** Called after each chunk's records were delivered: where a consumer applies backpressure. */
  drain?: () => Promise<void>;
}

function describeAgeError(path: string, err: unknown, key: DecryptionKey): RestoreRefusedError {
  const msg = String((err as Error)?.message ?? err);
  const kind = key.kind === 'file-key' ? key.unlockedWith : key.kind;
  if (/no identity matched|incorrect passphrase|passphrase|scrypt|failed to decrypt file key|no.*identit/i.test(msg))
    return new RestoreRefusedError(
      `${kind === 'passphrase' ? 'the passphrase' : 'the identity'} does not open ${path} (wrong ${kind === 'passphrase' ? 'passphrase' : 'key'}, or the file was encrypted for someone else); nothing was written`,
    );
  if (/header|intro|version line|invalid|malformed|unexpected/i.test(msg))
    return new RestoreRefusedError(
      `${path} is not an age-encrypted backup (its header does not parse); nothing was written`,
    );
  return new RestoreRefusedError(`cannot decrypt ${path}; nothing was written`);
}

/**
 * Unwraps the backup's file key once, so that the passes over it (verify, then restore) do not each pay for the
 * passphrase's scrypt. A wrong key is reported here, before anything else.
 */
export async function unlockBackup(path: string, key: DecryptionKey): Promise<DecryptionKey> {
  if (key.kind === 'file-key') return key;
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st?.isFile()) throw new RestoreRefusedError(`${path} does not exist or is not a regular file`);
  const fd = openSync(path, 'r');
  let head: Buffer;
  try {
    const buf = Buffer.alloc(Math.min(st.size, 64 * 1024));
    head = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0));
  } finally {
    closeSync(fd);
  }
  try {
    const fileKey = await decrypter(key).decryptHeader(head);
    return { kind: 'file-key', fileKey, unlockedWith: key.kind };
  } catch (err) {
    throw describeAgeError(path, err, key);
  }
}

/**
 * Decrypts and verifies a backup as a stream: the age layer authenticates every 64 KiB chunk and the end of the
 * file (truncation is caught), the RDB or logical walk checks the structure and the CRC-64. The sink sees each
 * chunk only after the bytes before it verified; it must not make anything final before this resolves.
 */
export async function readBackup(path: string, key: DecryptionKey, sink: BackupSink = {}): Promise<BackupContents> {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st?.isFile()) throw new RestoreRefusedError(`${path} does not exist or is not a regular file`);
  const source = Readable.toWeb(createReadStream(path, { highWaterMark: 256 * 1024 })) as ReadableStream<Uint8Array>;
  let plain: ReadableStream<Uint8Array>;
  try {
    plain = await decrypter(key).decrypt(source);
  } catch (err) {
    throw describeAgeError(path, err, key);
  }
  const hash = createHash('sha256');
  let bytes = 0;
  let valueBytes = 0;
  let head = Buffer.alloc(0);
  let parser: PushParser<RdbSummary> | PushParser<LogicalSummary> | undefined;
  let kind: 'rdb' | 'logical' = 'rdb';
  const onRecord = (r: RdbRecord) => {
    valueBytes += r.value.length + r.key.length;
    sink.record?.(r);
  };
  const feed = async (chunk: Buffer) => {
    (parser as PushParser<unknown>).write(chunk);
    await sink.plaintext?.(chunk, kind);
    await sink.drain?.();
  };
  try {
    for await (const c of plain as unknown as AsyncIterable<Uint8Array>) {
      const chunk = Buffer.from(c.buffer, c.byteOffset, c.byteLength);
      hash.update(chunk);
      bytes += chunk.length;
      if (parser) {
        await feed(chunk);
        continue;
      }
      head = Buffer.concat([head, chunk]);
      if (head.length < LOGICAL_MAGIC.length) continue;
      kind = head.subarray(0, LOGICAL_MAGIC.length).equals(LOGICAL_MAGIC) ? 'logical' : 'rdb';
      parser =
        kind === 'logical'
          ? logicalVerifier(onRecord)
          : rdbVerifier({ onRecord: sink.record && !sink.recordsOfLogicalOnly ? onRecord : undefined });
      await feed(head);
    }
    if (!parser) {
      kind = 'rdb';
      parser = rdbVerifier();
      await feed(head);
    }
    const s = parser.end();
    await sink.drain?.();
    return {
      kind,
      rdbVersion: s.rdbVersion,
      keys: s.keys,
      keysPerDb: s.keysPerDb,
      expires: s.expires,
      bytes,
      sha256: hash.digest('hex'),
      valueBytes,
    };
  } catch (err) {
    if (err instanceof BackupFormatError)
      throw new RestoreRefusedError(
        `${path} decrypted, but it is not a valid backup: ${err.message}; nothing was written`,
      );
    if (err instanceof RestoreRefusedError) throw err;
    const msg = String((err as Error)?.message ?? err);
    if (/chunk|decrypt|tag|truncat|final|stream|short|empty|invalid/i.test(msg) && !(err as { code?: string }).code)
      throw new RestoreRefusedError(
        `${path} is damaged or truncated (the age authentication failed); nothing was written`,
      );
    throw err;
  }
}
