import { Crc64 } from './crc64.ts';

/** What DUMP returns and RESTORE takes: type byte and value, the 2-byte RDB version, the CRC-64 of all that. */
export function dumpPayload(value: Buffer, rdbVersion: number): Buffer {
  const version = Buffer.alloc(2);
  version.writeUInt16LE(rdbVersion);
  const crc = new Crc64().update(value).update(version).digestBytes();
  return Buffer.concat([value, version, crc]);
}
