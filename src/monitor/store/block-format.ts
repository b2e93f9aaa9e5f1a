import { crc32 } from 'node:zlib';
import { ByteReader, ByteWriter, StoreFileFormatError } from './byte-buffer.ts';
import type { Chunk } from './head.ts';

/**
 * A block file: the samples of many series over one time window, immutable once written.
 *
 *   header  32 B   "RDBLOCK1", kind (0 raw, 1 rollup 5 min, 2 rollup 1 h), columns, 6 B zero, minT f64, maxT f64
 *   chunks         XOR chunks, series after series, column after column
 *   index          u32 series; per series: key (u32 length + UTF-8), per column: u32 chunks, per chunk:
 *                  u32 offset, u32 length, f64 minT, f64 maxT, u32 samples, u32 CRC-32 of the chunk
 *   footer  16 B   u32 index offset, u32 index length, u32 CRC-32 of the index, "RDB1"
 *
 * The index is checked when the block is opened, a chunk when it is read: a bad chunk costs that chunk only.
 * Little-endian throughout; offsets are 32-bit, so one block holds at most 4 GiB.
 */
export type BlockKind = 'raw' | '5m' | '1h';
export const BLOCK_KINDS: readonly BlockKind[] = ['raw', '5m', '1h'];
const MAGIC = Buffer.from('RDBLOCK1');
const FOOTER_MAGIC = 0x31424452; // "RDB1"
export const BLOCK_HEADER_BYTES = 32;
export const BLOCK_FOOTER_BYTES = 16;
/** Numbers kept per chunk reference in BlockIndex.refs. */
export const REF_FIELDS = 6;

export interface BlockSeries {
  readonly key: string;
  /** One list of chunks per column, each in time order. */
  readonly columns: readonly (readonly Chunk[])[];
}

export interface BlockContents {
  readonly kind: BlockKind;
  readonly minT: number;
  readonly maxT: number;
  readonly series: readonly BlockSeries[];
}

export function encodeBlock(block: BlockContents): Uint8Array {
  const columns = block.kind === 'raw' ? 1 : 5;
  const w = new ByteWriter();
  w.bytes(MAGIC);
  w.u8(BLOCK_KINDS.indexOf(block.kind));
  w.u8(columns);
  for (let i = 0; i < 6; i++) w.u8(0);
  w.f64(block.minT);
  w.f64(block.maxT);
  const offsets: number[] = [];
  for (const s of block.series) {
    if (s.columns.length !== columns) throw new Error(`a ${block.kind} block needs ${columns} columns per series`);
    for (const col of s.columns)
      for (const c of col) {
        offsets.push(w.length);
        w.bytes(c.bytes);
      }
  }
  const indexOffset = w.length;
  let n = 0;
  w.u32(block.series.length);
  for (const s of block.series) {
    w.text(s.key);
    for (const col of s.columns) {
      w.u32(col.length);
      for (const c of col) {
        w.u32(offsets[n++]!);
        w.u32(c.bytes.length);
        w.f64(c.minT);
        w.f64(c.maxT);
        w.u32(c.count);
        w.u32(crc32(c.bytes));
      }
    }
  }
  const indexLength = w.length - indexOffset;
  if (w.length > 0xffffffff) throw new Error('a block larger than 4 GiB cannot be written');
  const index = w.result().subarray(indexOffset);
  w.u32(indexOffset);
  w.u32(indexLength);
  w.u32(crc32(index));
  w.u32(FOOTER_MAGIC);
  return w.result();
}

export interface BlockFooter {
  readonly indexOffset: number;
  readonly indexLength: number;
  readonly indexCrc: number;
}

export function parseBlockFooter(footer: Uint8Array, fileSize: number): BlockFooter {
  const r = new ByteReader(footer);
  const indexOffset = r.u32();
  const indexLength = r.u32();
  const indexCrc = r.u32();
  if (r.u32() !== FOOTER_MAGIC) throw new StoreFileFormatError('no block footer: truncated or not a block');
  if (indexOffset < BLOCK_HEADER_BYTES || indexOffset + indexLength + BLOCK_FOOTER_BYTES !== fileSize)
    throw new StoreFileFormatError('the block footer does not fit the file: truncated or corrupt');
  return { indexOffset, indexLength, indexCrc };
}

/** What a block holds, without its chunks: enough to find any series' chunks in the file. */
export interface BlockIndex {
  readonly kind: BlockKind;
  readonly columns: number;
  readonly minT: number;
  readonly maxT: number;
  readonly keys: readonly string[];
  /** Series s, column c: chunk references refs[colStart[s*columns+c] .. colStart[s*columns+c+1]) (in chunks). */
  readonly colStart: Uint32Array;
  /** Per chunk: offset, length, minT, maxT, samples, CRC-32. */
  readonly refs: Float64Array;
}

export function parseBlockIndex(header: Uint8Array, index: Uint8Array, footer: BlockFooter): BlockIndex {
  if (header.length < BLOCK_HEADER_BYTES || !Buffer.from(header.subarray(0, 8)).equals(MAGIC))
    throw new StoreFileFormatError('not a block file (bad magic)');
  if (crc32(index) !== footer.indexCrc) throw new StoreFileFormatError('the block index fails its checksum: corrupt');
  const h = new ByteReader(header, 8);
  const kind = BLOCK_KINDS[h.u8()];
  const columns = h.u8();
  if (!kind || columns !== (kind === 'raw' ? 1 : 5)) throw new StoreFileFormatError('unknown block kind: corrupt');
  h.pos = 16;
  const minT = h.f64();
  const maxT = h.f64();
  const r = new ByteReader(index);
  const count = r.u32();
  if (count > index.length / 8) throw new StoreFileFormatError('series count beyond the index: corrupt');
  const keys: string[] = [];
  const colStart = new Uint32Array(count * columns + 1);
  const refs: number[] = [];
  for (let s = 0; s < count; s++) {
    keys.push(r.text());
    for (let c = 0; c < columns; c++) {
      colStart[s * columns + c] = refs.length / REF_FIELDS;
      const chunks = r.u32();
      if (chunks * 32 > r.remaining) throw new StoreFileFormatError('chunk count beyond the index: corrupt');
      for (let i = 0; i < chunks; i++) {
        const offset = r.u32();
        const length = r.u32();
        if (offset < BLOCK_HEADER_BYTES || offset + length > footer.indexOffset)
          throw new StoreFileFormatError('a chunk reference points outside the block: corrupt');
        refs.push(offset, length, r.f64(), r.f64(), r.u32(), r.u32());
      }
    }
  }
  colStart[count * columns] = refs.length / REF_FIELDS;
  return { kind, columns, minT, maxT, keys, colStart, refs: Float64Array.from(refs) };
}
