import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import {
  BLOCK_FOOTER_BYTES,
  BLOCK_HEADER_BYTES,
  type BlockKind,
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
