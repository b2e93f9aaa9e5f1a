import { crc32 } from 'node:zlib';
import { ByteReader, type ByteSink, ByteWriter, StoreFileFormatError } from './byte-buffer.ts';
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

/** A block in memory (tests and small blocks); the store streams its blocks through BlockWriter. */
export function encodeBlock(block: BlockContents): Uint8Array {
  const out = new ByteWriter();
  const w = new BlockWriter(out, block.kind, block.minT, block.maxT);
  for (const s of block.series) w.add(s.key, s.columns);
  w.finish();
  return out.result();
}

/**
 * Writes a block series by series: chunk bytes go straight to `out` as each series is added; only the index (a
 * key and 32 bytes per chunk) is held until `finish` writes it and the footer. Memory is the index's, not the
 * block's.
 */
export class BlockWriter {
  private readonly columns: number;
  private readonly index = new ByteWriter(64 * 1024);
  private count = 0;

  constructor(
    private readonly out: ByteSink,
    private readonly kind: BlockKind,
    minT: number,
    maxT: number,
  ) {
    this.columns = kind === 'raw' ? 1 : 5;
    const h = new ByteWriter(BLOCK_HEADER_BYTES);
    h.bytes(MAGIC);
    h.u8(BLOCK_KINDS.indexOf(kind));
    h.u8(this.columns);
    for (let i = 0; i < 6; i++) h.u8(0);
    h.f64(minT);
    h.f64(maxT);
    out.write(h.result());
    this.index.u32(0);
  }

  /** Series added so far. */
  get seriesCount(): number {
    return this.count;
  }

  add(key: string, columns: readonly (readonly Chunk[])[]): void {
    if (columns.length !== this.columns)
      throw new Error(`a ${this.kind} block needs ${this.columns} columns per series`);
    const ix = this.index;
    ix.text(key);
    for (const col of columns) {
      ix.u32(col.length);
      for (const c of col) {
        const offset = this.out.length;
        if (offset + c.bytes.length > 0xffffffff) throw new Error('a block larger than 4 GiB cannot be written');
        this.out.write(c.bytes);
        ix.u32(offset);
        ix.u32(c.bytes.length);
        ix.f64(c.minT);
        ix.f64(c.maxT);
        ix.u32(c.count);
        ix.u32(crc32(c.bytes));
      }
    }
    this.count++;
  }

  /** Writes the index and the footer; the block is complete once `out` is. */
  finish(): void {
    this.index.setU32(0, this.count);
    const index = this.index.result();
    const indexOffset = this.out.length;
    if (indexOffset + index.length + BLOCK_FOOTER_BYTES > 0xffffffff)
      throw new Error('a block larger than 4 GiB cannot be written');
    this.out.write(index);
    const f = new ByteWriter(BLOCK_FOOTER_BYTES);
    f.u32(indexOffset);
    f.u32(index.length);
    f.u32(crc32(index));
    f.u32(FOOTER_MAGIC);
    this.out.write(f.result());
  }
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

/**
 * What a block's index says, kept small: where each series' chunk references sit in the index (read again from
 * the file when a query wants them, as Prometheus reads its index through mmap), its keys only until they are
 * mapped to the store's ids, each series' time span, and the raw samples it holds.
 */
export interface BlockIndex {
  readonly kind: BlockKind;
  readonly columns: number;
  readonly minT: number;
  readonly maxT: number;
  readonly keys: readonly string[];
  /** Series s: its chunk references are index bytes [entryStart[s], entryEnd[s]). */
  readonly entryStart: Uint32Array;
  readonly entryEnd: Uint32Array;
  /** Series s: minT at [2s], maxT at [2s+1] over all its chunks (+/-Infinity when it has none). */
  readonly spans: Float64Array;
  /** Samples in the block, per column. */
  readonly samples: number;
}

/** One chunk reference of a series' index entry. */
export interface ChunkRef {
  readonly offset: number;
  readonly length: number;
  readonly minT: number;
  readonly maxT: number;
  readonly count: number;
  readonly crc: number;
}

const REF_BYTES = 32;

/**
 * Reads one column's chunk references out of a series' index entry (`entry`: the bytes parseBlockIndex located);
 * a reference outside the chunk area (`chunksEnd`, the index offset) throws.
 */
export function readEntryColumn(entry: Uint8Array, columns: number, column: number, chunksEnd: number): ChunkRef[] {
  const r = new ByteReader(entry);
  for (let c = 0; c < column; c++) {
    const skip = r.u32() * REF_BYTES;
    r.pos += skip;
  }
  const out: ChunkRef[] = [];
  if (column >= columns) return out;
  for (let n = r.u32(); n > 0; n--) {
    const ref = { offset: r.u32(), length: r.u32(), minT: r.f64(), maxT: r.f64(), count: r.u32(), crc: r.u32() };
    if (ref.offset < BLOCK_HEADER_BYTES || ref.offset + ref.length > chunksEnd)
      throw new StoreFileFormatError('a chunk reference points outside the block: corrupt');
    out.push(ref);
  }
  return out;
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
  const entryStart = new Uint32Array(count);
  const entryEnd = new Uint32Array(count);
  const spans = new Float64Array(count * 2);
  let samples = 0;
  for (let s = 0; s < count; s++) {
    keys.push(r.text());
    entryStart[s] = r.pos;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < columns; c++) {
      const chunks = r.u32();
      if (chunks * REF_BYTES > r.remaining) throw new StoreFileFormatError('chunk count beyond the index: corrupt');
      for (let i = 0; i < chunks; i++) {
        const offset = r.u32();
        const length = r.u32();
        if (offset < BLOCK_HEADER_BYTES || offset + length > footer.indexOffset)
          throw new StoreFileFormatError('a chunk reference points outside the block: corrupt');
        lo = Math.min(lo, r.f64());
        hi = Math.max(hi, r.f64());
        samples += r.u32();
        r.pos += 4;
      }
    }
    entryEnd[s] = r.pos;
    spans[2 * s] = lo;
    spans[2 * s + 1] = hi;
  }
  return { kind, columns, minT, maxT, keys, entryStart, entryEnd, spans, samples: samples / columns };
}
