import { BackupFormatError, type ByteFeed, PushParser } from './byte-feed.ts';
import { Crc64 } from './crc64.ts';
import type { RdbRecord } from './rdb-walk.ts';

/**
 * redoubt's container for a logical backup (when PSYNC is refused): the magic line, the source's RDB version, then
 * one record per key holding its DUMP payload, then a count and a CRC-64 of everything before it:
 *
 *   "REDOUBT-KEYS/1\n"  u16 rdb-version
 *   'K' u32 db  u32 key-length key  i64 expire-at-ms (-1: none)  u32 payload-length payload
 *   'E' u64 key-count  crc64 (8 bytes, little-endian)
 *
 * A payload is DUMP's output unchanged (type byte, value, RDB version, its own CRC-64), what RESTORE takes.
 */
export const LOGICAL_MAGIC = Buffer.from('REDOUBT-KEYS/1\n', 'latin1');
const MAX_KEY = 64 * 1024 * 1024;
const MAX_PAYLOAD = 512 * 1024 * 1024;

export class LogicalWriter {
  private readonly crc = new Crc64();
  private count = 0;
  bytes = 0;

  constructor(private readonly emit: (chunk: Buffer) => void) {}

  private out(chunk: Buffer): void {
    this.crc.update(chunk);
    this.bytes += chunk.length;
    this.emit(chunk);
  }

  header(rdbVersion: number): void {
    const v = Buffer.alloc(2);
    v.writeUInt16LE(rdbVersion);
    this.out(Buffer.concat([LOGICAL_MAGIC, v]));
  }

  key(db: number, key: Buffer, expireMs: number | undefined, payload: Buffer): void {
    const head = Buffer.alloc(1 + 4 + 4);
    head[0] = 0x4b;
    head.writeUInt32LE(db, 1);
    head.writeUInt32LE(key.length, 5);
    const mid = Buffer.alloc(8 + 4);
    mid.writeBigInt64LE(BigInt(expireMs ?? -1), 0);
    mid.writeUInt32LE(payload.length, 8);
    this.out(Buffer.concat([head, key, mid, payload]));
    this.count++;
  }

  end(): void {
    const tail = Buffer.alloc(9);
    tail[0] = 0x45;
    tail.writeBigUInt64LE(BigInt(this.count), 1);
    this.out(tail);
    const sum = this.crc.digestBytes();
    this.bytes += sum.length;
    this.emit(sum);
  }
}

export interface LogicalSummary {
  rdbVersion: number;
  keys: number;
  keysPerDb: Record<string, number>;
  expires: number;
  bytes: number;
}

/** A DUMP payload's trailer: 2-byte RDB version, then the CRC-64 of everything before it. */
export function checkDumpPayload(payload: Buffer, where: string): number {
  if (payload.length < 11) throw new BackupFormatError(`a DUMP payload of ${payload.length} bytes at ${where}`);
  const body = payload.subarray(0, payload.length - 8);
  const crc = new Crc64().update(body).digestBytes();
  if (!crc.equals(payload.subarray(payload.length - 8)))
    throw new BackupFormatError(`the DUMP payload of the key at ${where} fails its checksum: the data is damaged`);
  return payload.readUInt16LE(payload.length - 10);
}

function* walkLogical(f: ByteFeed, onRecord?: (r: RdbRecord) => void): Generator<void, LogicalSummary, void> {
  const magic = yield* f.take(LOGICAL_MAGIC.length, 'the header');
  if (!magic.equals(LOGICAL_MAGIC)) throw new BackupFormatError('not a redoubt logical backup');
  const s: LogicalSummary = {
    rdbVersion: (yield* f.take(2, 'the header')).readUInt16LE(0),
    keys: 0,
    keysPerDb: {},
    expires: 0,
    bytes: 0,
  };
  for (;;) {
    const tag = yield* f.u8('a record');
    if (tag === 0x45) break;
    if (tag !== 0x4b) throw new BackupFormatError(`an unknown record 0x${tag.toString(16)} at offset ${f.offset - 1}`);
    const where = `offset ${f.offset - 1}`;
    const head = yield* f.take(8, 'a key record');
    const db = head.readUInt32LE(0);
    const keyLength = head.readUInt32LE(4);
    if (keyLength > MAX_KEY || db > 1_000_000) throw new BackupFormatError(`an impossible key record at ${where}`);
    const key = Buffer.from(yield* f.take(keyLength, 'a key name'));
    const mid = yield* f.take(12, 'a key record');
    const expire = Number(mid.readBigInt64LE(0));
    const payloadLength = mid.readUInt32LE(8);
    if (payloadLength > MAX_PAYLOAD) throw new BackupFormatError(`a value of ${payloadLength} bytes at ${where}`);
    const payload = Buffer.from(yield* f.take(payloadLength, 'a value'));
    const rdbVersion = checkDumpPayload(payload, where);
    s.keys++;
    s.keysPerDb[String(db)] = (s.keysPerDb[String(db)] ?? 0) + 1;
    if (expire >= 0) s.expires++;
    onRecord?.({
      db,
      key,
      expireMs: expire >= 0 ? expire : undefined,
      value: payload.subarray(0, payload.length - 10),
      rdbVersion,
    });
  }
  const count = Number((yield* f.take(8, 'the end record')).readBigUInt64LE(0));
  f.freezeCrc();
  const computed = f.crc.digestBytes();
  const trailer = yield* f.take(8, 'the checksum');
  if (count !== s.keys) throw new BackupFormatError(`the backup says ${count} keys but holds ${s.keys}`);
  if (!trailer.equals(computed)) throw new BackupFormatError('the backup checksum does not match: the data is damaged');
  s.bytes = f.offset;
  return s;
}

export function logicalVerifier(onRecord?: (r: RdbRecord) => void): PushParser<LogicalSummary> {
  return new PushParser((f) => walkLogical(f, onRecord));
}
