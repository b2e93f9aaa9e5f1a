import { crc32 } from 'node:zlib';
import { ByteReader, type ByteSink, ByteWriter, StoreFileFormatError } from './byte-buffer.ts';

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
  const out = new ByteWriter();
  const w = new HeadSegmentWriter(out, seg.defs.length);
  for (const d of seg.defs) w.def(d.id, d.key);
  w.startChunks(seg.chunks.length);
  for (const c of seg.chunks) w.chunk(c.id, c.bytes);
  w.finish();
  return out.result();
}

const FLUSH_BYTES = 64 * 1024;
/** Buffers of finished writers, for the next segment (one is written every flush). */
const spareBuffers: ByteWriter[] = [];

/**
 * Writes a head segment piece by piece (the checksum kept as it goes), so a checkpoint of the whole head is never
 * a second copy of it in memory. The caller announces how many definitions and chunks follow; a different number
 * throws at `finish` (the file is then abandoned, never committed).
 */
export class HeadSegmentWriter {
  private crc = 0;
  /** Fields and chunks gather here and go to `out` (and the checksum) 64 KiB at a time. */
  private readonly buf = spareBuffers.pop() ?? new ByteWriter(FLUSH_BYTES + 1024);
  private defsLeft: number;
  private chunksLeft = -1;

  constructor(
    private readonly out: ByteSink,
    defs: number,
  ) {
    this.buf.bytes(MAGIC);
    this.buf.u32(defs);
    this.defsLeft = defs;
  }

  def(id: number, key: string): void {
    if (this.defsLeft-- <= 0) throw new Error('head segment: more definitions than announced');
    this.buf.u32(id);
    this.buf.text(key);
    this.spill();
  }

  startChunks(n: number): void {
    if (this.defsLeft !== 0) throw new Error('head segment: fewer definitions than announced');
    this.buf.u32(n);
    this.chunksLeft = n;
  }

  chunk(id: number, bytes: Uint8Array): void {
    if (this.chunksLeft-- <= 0) throw new Error('head segment: more chunks than announced');
    this.buf.u32(id);
    this.buf.u32(bytes.length);
    this.buf.bytes(bytes);
    this.spill();
  }

  finish(): void {
    if (this.chunksLeft !== 0) throw new Error('head segment: fewer chunks than announced');
    this.spill(true);
    this.buf.u32(this.crc);
    this.out.write(this.buf.result());
    this.buf.clear();
    if (spareBuffers.length < 2) spareBuffers.push(this.buf);
  }

  private spill(all = false): void {
    if (!all && this.buf.length < FLUSH_BYTES) return;
    const part = this.buf.result();
    this.crc = crc32(part, this.crc);
    this.out.write(part);
    this.buf.clear();
  }
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
