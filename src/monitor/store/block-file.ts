import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import {
  BLOCK_FOOTER_BYTES,
  BLOCK_HEADER_BYTES,
  type BlockIndex,
  parseBlockFooter,
  parseBlockIndex,
  REF_FIELDS,
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
 * An open block: its index in memory (series mapped to the store's ids), its chunks read on demand, one read per
 * series and column (a series' chunks are contiguous).
 */
export class BlockFile {
  private constructor(
    readonly path: string,
    readonly size: number,
    private readonly fd: number,
    readonly index: BlockIndex,
    /** Store ids of the block's series, ascending, and where each sits in the index. */
    private readonly ids: Int32Array,
    private readonly entries: Int32Array,
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
      const pairs = index.keys.map((key, entry) => {
        const id = series.idForKey(key);
        const span = spanOf(index, entry);
        if (span) series.cover(id, span[0], span[1]);
        return [id, entry] as const;
      });
      pairs.sort((a, b) => a[0] - b[0]);
      const ids = Int32Array.from(pairs, (p) => p[0]);
      const entries = Int32Array.from(pairs, (p) => p[1]);
      return new BlockFile(path, size, fd, index, ids, entries);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  get kind() {
    return this.index.kind;
  }
  get minT(): number {
    return this.index.minT;
  }
  get maxT(): number {
    return this.index.maxT;
  }
  get seriesCount(): number {
    return this.ids.length;
  }

  /** Store ids of the series in this block, ascending. */
  seriesIds(): Int32Array {
    return this.ids;
  }

  sampleCount(): number {
    let n = 0;
    for (let i = 4; i < this.index.refs.length; i += REF_FIELDS) n += this.index.refs[i]!;
    return n / this.index.columns;
  }

  has(id: number): boolean {
    return this.entryOf(id) >= 0;
  }

  /** The chunks of one column of a series that overlap [start, end]; a chunk failing its checksum throws. */
  chunks(id: number, column: number, start: number, end: number): Chunk[] {
    const entry = this.entryOf(id);
    if (entry < 0) return [];
    const { refs, colStart, columns } = this.index;
    const from = colStart[entry * columns + column]!;
    const to = colStart[entry * columns + column + 1]!;
    const wanted: number[] = [];
    for (let i = from; i < to; i++) {
      const at = i * REF_FIELDS;
      if (refs[at + 3]! >= start && refs[at + 2]! <= end) wanted.push(at);
    }
    if (wanted.length === 0) return [];
    const first = refs[wanted[0]!]!;
    const last = wanted[wanted.length - 1]!;
    const span = readAt(this.fd, first, refs[last]! + refs[last + 1]! - first);
    return wanted.map((at) => {
      const bytes = span.subarray(refs[at]! - first, refs[at]! - first + refs[at + 1]!);
      if (crc32(bytes) !== refs[at + 5]) throw new StoreFileFormatError('a chunk fails its checksum: corrupt');
      return { bytes, minT: refs[at + 2]!, maxT: refs[at + 3]!, count: refs[at + 4]! };
    });
  }

  close(): void {
    closeSync(this.fd);
  }

  private entryOf(id: number): number {
    let lo = 0;
    let hi = this.ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.ids[mid]!;
      if (v === id) return this.entries[mid]!;
      if (v < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}

/** [minT, maxT] of a series' chunks in a block (all columns), or undefined when it has none. */
function spanOf(index: BlockIndex, entry: number): [number, number] | undefined {
  const from = index.colStart[entry * index.columns]!;
  const to = index.colStart[(entry + 1) * index.columns]!;
  if (to <= from) return undefined;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = from; i < to; i++) {
    min = Math.min(min, index.refs[i * REF_FIELDS + 2]!);
    max = Math.max(max, index.refs[i * REF_FIELDS + 3]!);
  }
  return [min, max];
}
