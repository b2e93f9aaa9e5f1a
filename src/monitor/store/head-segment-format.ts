import { crc32 } from 'node:zlib';
import { ByteReader, ByteWriter, StoreFileFormatError } from './byte-buffer.ts';

/**
 * A head segment: what one flush adds to disk, so a crash loses only what came after the last flush.
 *
 *   "RDHEAD01", u32 series defined here; per definition: u32 id, key (u32 length + UTF-8);
 *   u32 chunks; per chunk: u32 id, u32 length, XOR chunk bytes; u32 CRC-32 of everything before it.
 *
 * Ids are the writing process's; a segment defines the series it is the first since the last checkpoint (or
 * restart) to mention, so replaying segments in order resolves every id.
 */
const MAGIC = Buffer.from('RDHEAD01');

export interface HeadSegment {
  readonly defs: readonly { readonly id: number; readonly key: string }[];
  readonly chunks: readonly { readonly id: number; readonly bytes: Uint8Array }[];
}

export function encodeHeadSegment(seg: HeadSegment): Uint8Array {
  const w = new ByteWriter();
  w.bytes(MAGIC);
  w.u32(seg.defs.length);
  for (const d of seg.defs) {
    w.u32(d.id);
    w.text(d.key);
  }
  w.u32(seg.chunks.length);
  for (const c of seg.chunks) {
    w.u32(c.id);
    w.u32(c.bytes.length);
    w.bytes(c.bytes);
  }
  w.u32(crc32(w.result()));
  return w.result();
}

export function decodeHeadSegment(bytes: Uint8Array): HeadSegment {
  if (bytes.length < MAGIC.length + 12 || !Buffer.from(bytes.subarray(0, 8)).equals(MAGIC))
    throw new StoreFileFormatError('not a head segment (bad magic or too short)');
  const body = bytes.subarray(0, bytes.length - 4);
  if (crc32(body) !== new DataView(bytes.buffer, bytes.byteOffset).getUint32(bytes.length - 4, true))
    throw new StoreFileFormatError('the head segment fails its checksum: truncated or corrupt');
  const r = new ByteReader(body, 8);
  const defs: { id: number; key: string }[] = [];
  for (let n = r.u32(); n > 0; n--) defs.push({ id: r.u32(), key: r.text() });
  const chunks: { id: number; bytes: Uint8Array }[] = [];
  for (let n = r.u32(); n > 0; n--) {
    const id = r.u32();
    chunks.push({ id, bytes: r.bytes(r.u32()) });
  }
  return { defs, chunks };
}
