import { Crc64 } from './crc64.ts';
import { OP } from './rdb-format.ts';
import type { RdbRecord } from './rdb-walk.ts';

/** A length in the RDB's encoding (6, 14 or 32/64 bits). */
export function encodeLength(n: number): Buffer {
  if (n < 64) return Buffer.of(n);
  if (n < 16384) return Buffer.of(0x40 | (n >> 8), n & 0xff);
  if (n <= 0xffffffff) {
    const b = Buffer.alloc(5);
    b[0] = 0x80;
    b.writeUInt32BE(n, 1);
    return b;
  }
  const b = Buffer.alloc(9);
  b[0] = 0x81;
  b.writeBigUInt64BE(BigInt(n), 1);
  return b;
}

/**
 * Writes records (from a logical backup) as an RDB file redis-server loads: header, then per key its database
 * (SELECTDB when it changes), expiry, type byte, name and value, then EOF and the CRC-64 trailer.
 */
export class RdbWriter {
  private readonly crc = new Crc64();
  private db = -1;

  constructor(private readonly emit: (chunk: Buffer) => void) {}

  private out(chunk: Buffer): void {
    this.crc.update(chunk);
    this.emit(chunk);
  }

  header(rdbVersion: number): void {
    this.out(Buffer.from(`REDIS${String(rdbVersion).padStart(4, '0')}`, 'latin1'));
    const aux = (k: string, v: string) =>
      Buffer.concat([
        Buffer.of(OP.AUX),
        encodeLength(k.length),
        Buffer.from(k),
        encodeLength(v.length),
        Buffer.from(v),
      ]);
    this.out(aux('redoubt', 'converted from a logical backup'));
  }

  record(r: RdbRecord): void {
    const parts: Buffer[] = [];
    if (r.db !== this.db) {
      parts.push(Buffer.of(OP.SELECTDB), encodeLength(r.db));
      this.db = r.db;
    }
    if (r.expireMs !== undefined) {
      const e = Buffer.alloc(9);
      e[0] = OP.EXPIRETIME_MS;
      e.writeBigInt64LE(BigInt(r.expireMs), 1);
      parts.push(e);
    }
    parts.push(r.value.subarray(0, 1), encodeLength(r.key.length), r.key, r.value.subarray(1));
    this.out(Buffer.concat(parts));
  }

  end(): void {
    this.out(Buffer.of(OP.EOF));
    this.emit(this.crc.digestBytes());
  }
}
