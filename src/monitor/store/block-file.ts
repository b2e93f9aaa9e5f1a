import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import {
  BLOCK_FOOTER_BYTES,
  BLOCK_HEADER_BYTES,
  type BlockKind,
  type ChunkRef,
  parseBlockFooter,
  parseBlockIndex,
  readEntryColumn,
} from './block-format.ts';
import { StoreFileFormatError } from './byte-buffer.ts';
import type { Chunk } from './head.ts';
import type { SeriesIndex } from './series-index.ts';

/** Opens a regular file for reading, never through a symbolic link. */
export function openNoFollow(path: string): number {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new StoreFileFormatError('not a regular file');
  }
  return fd;
}

function readAt(fd: number, offset: number, length: number): Uint8Array {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, offset + done);
    if (n === 0) throw new StoreFileFormatError('the file ends early: truncated');
    done += n;
  }
  return buf;
}

/** Ranges closer than this are read together (a read costs about as much as copying this many bytes). */
const READ_GAP_BYTES = 32 * 1024;
/** Never more than this in one read. */
const MAX_READ_BYTES = 8 * 1024 * 1024;

/** The bytes of each [from, to) range (in the ranges' order), neighbouring ranges read together. */
function readRanges(fd: number, ranges: readonly { from: number; to: number }[]): Uint8Array[] {
  const order = ranges.map((_, k) => k).sort((a, b) => ranges[a]!.from - ranges[b]!.from);
  const out: Uint8Array[] = new Array(ranges.length);
  for (let g = 0; g < order.length; ) {
    const from = ranges[order[g]!]!.from;
    let to = ranges[order[g]!]!.to;
    let h = g + 1;
    for (; h < order.length; h++) {
      const next = ranges[order[h]!]!;
      if (next.from - to > READ_GAP_BYTES || Math.max(to, next.to) - from > MAX_READ_BYTES) break;
      to = Math.max(to, next.to);
    }
    const bytes = readAt(fd, from, to - from);
    for (let k = g; k < h; k++) {
      const r = ranges[order[k]!]!;
      out[order[k]!] = bytes.subarray(r.from - from, r.to - from);
    }
    g = h;
  }
  return out;
}

/**
 * An open block: per series only its store id and where its chunk references sit in the index (a few bytes per
 * series in memory; the references are read from the file when a query wants them), its chunks read on demand,
 * one read per series and column (a series' chunks are contiguous).
 */
export class BlockFile {
  private constructor(
    readonly path: string,
    readonly size: number,
    private readonly fd: number,
    readonly kind: BlockKind,
    readonly minT: number,
    readonly maxT: number,
    private readonly columns: number,
    private readonly indexOffset: number,
    private readonly samples: number,
    /** Store ids of the block's series, ascending, and where each one's entry sits in the index. */
    private readonly ids: Int32Array,
    private readonly entryStart: Uint32Array,
    private readonly entryEnd: Uint32Array,
  ) {}

  static open(path: string, series: SeriesIndex): BlockFile {
    const fd = openNoFollow(path);
    try {
      const size = fstatSync(fd).size;
      if (size < BLOCK_HEADER_BYTES + BLOCK_FOOTER_BYTES + 4) throw new StoreFileFormatError('too short for a block');
      const footer = parseBlockFooter(readAt(fd, size - BLOCK_FOOTER_BYTES, BLOCK_FOOTER_BYTES), size);
      const index = parseBlockIndex(
        readAt(fd, 0, BLOCK_HEADER_BYTES),
        readAt(fd, footer.indexOffset, footer.indexLength),
        footer,
      );
      const n = index.keys.length;
      const order = new Int32Array(n);
      const idOf = new Int32Array(n);
      for (let entry = 0; entry < n; entry++) {
        const id = series.idForKey(index.keys[entry]!);
        const lo = index.spans[2 * entry]!;
        if (lo !== Number.POSITIVE_INFINITY) series.cover(id, lo, index.spans[2 * entry + 1]!);
        idOf[entry] = id;
        order[entry] = entry;
      }
      order.sort((a, b) => idOf[a]! - idOf[b]!);
      const ids = new Int32Array(n);
      const entryStart = new Uint32Array(n);
      const entryEnd = new Uint32Array(n);
      order.forEach((entry, i) => {
        ids[i] = idOf[entry]!;
        entryStart[i] = index.entryStart[entry]!;
        entryEnd[i] = index.entryEnd[entry]!;
      });
      const { kind, minT, maxT, columns, samples } = index;
      return new BlockFile(
        path,
        size,
        fd,
        kind,
        minT,
        maxT,
        columns,
        footer.indexOffset,
        samples,
        ids,
        entryStart,
        entryEnd,
      );
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  get seriesCount(): number {
    return this.ids.length;
  }

  /** Store ids of the series in this block, ascending. */
  seriesIds(): Int32Array {
    return this.ids;
  }

  sampleCount(): number {
    return this.samples;
  }

  has(id: number): boolean {
    return this.positionOf(id) >= 0;
  }

  /** The chunks of one column of a series that overlap [start, end]; a chunk failing its checksum throws. */
  chunks(id: number, column: number, start: number, end: number): Chunk[] {
    const at = this.positionOf(id);
    if (at < 0) return [];
    const from = this.indexOffset + this.entryStart[at]!;
    const entry = readAt(this.fd, from, this.indexOffset + this.entryEnd[at]! - from);
    const wanted = readEntryColumn(entry, this.columns, column, this.indexOffset).filter(
      (r) => r.maxT >= start && r.minT <= end,
    );
    if (wanted.length === 0) return [];
    const first = wanted[0]!.offset;
    const last = wanted[wanted.length - 1]!;
    const span = readAt(this.fd, first, last.offset + last.length - first);
    return wanted.map((r) => {
      const bytes = span.subarray(r.offset - first, r.offset - first + r.length);
      if (crc32(bytes) !== r.crc) throw new StoreFileFormatError('a chunk fails its checksum: corrupt');
      return { bytes, minT: r.minT, maxT: r.maxT, count: r.count };
    });
  }

  /**
   * chunks() for many series at once (ids ascending): their index entries, and then their chunks, are read in as
   * few reads as neighbouring ranges allow (a selection's series often sit side by side in the file). A series
   * whose chunk fails its checksum gets the error instead of its chunks; the others are unaffected.
   */
  chunksOfMany(ids: readonly number[], column: number, start: number, end: number): Map<number, Chunk[] | Error> {
    const out = new Map<number, Chunk[] | Error>();
    const wanted: Array<{ id: number; from: number; to: number }> = [];
    for (const id of ids) {
      const at = this.positionOf(id);
      if (at < 0) continue;
      wanted.push({ id, from: this.indexOffset + this.entryStart[at]!, to: this.indexOffset + this.entryEnd[at]! });
    }
    const entries = readRanges(this.fd, wanted);
    const spans: Array<{ id: number; from: number; to: number; refs: ChunkRef[] }> = [];
    wanted.forEach((w, k) => {
      const refs = readEntryColumn(entries[k]!, this.columns, column, this.indexOffset).filter(
        (r) => r.maxT >= start && r.minT <= end,
      );
      const last = refs[refs.length - 1];
      if (last) spans.push({ id: w.id, from: refs[0]!.offset, to: last.offset + last.length, refs });
      else out.set(w.id, []);
    });
    const bytes = readRanges(this.fd, spans);
    spans.forEach((span, k) => {
      const chunks: Chunk[] = [];
      for (const r of span.refs) {
        const chunk = bytes[k]!.subarray(r.offset - span.from, r.offset - span.from + r.length);
        if (crc32(chunk) !== r.crc) {
          out.set(span.id, new StoreFileFormatError('a chunk fails its checksum: corrupt'));
          return;
        }
        chunks.push({ bytes: chunk, minT: r.minT, maxT: r.maxT, count: r.count });
      }
      out.set(span.id, chunks);
    });
    return out;
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Where series `id` sits in `ids`, or -1. */
  private positionOf(id: number): number {
    let lo = 0;
    let hi = this.ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.ids[mid]!;
      if (v === id) return mid;
      if (v < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
