import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { AtomicFileWriter } from '../../fs/atomic-write.ts';
import { readRegularFile } from '../../fs/read-file.ts';
import { fileSize, segmentName } from './data-dir.ts';
import { wordsOf } from './float-bits.ts';
import type { Head } from './head.ts';
import { decodeHeadSegment, type HeadSegment, HeadSegmentWriter } from './head-segment-format.ts';
import type { SeriesIndex } from './series-index.ts';
import { chunkSampleCount, decodeXorChunkInto } from './xor-chunk.ts';

/** Segments written before the first checkpoint (a new store's) are replaced by one past this size. */
const MIN_CHECKPOINT_BYTES = 4 * 1024 * 1024;

/** Where replay decodes chunks (one set of arrays, reused: replay decodes thousands of small chunks). */
function scratchOf(n: number) {
  const v = new Float64Array(n);
  return { t: new Float64Array(n), v, words: wordsOf(v) };
}
let scratch = scratchOf(256);

/**
 * The head's durability: every flush writes a segment of what was appended since the last one, and after a
 * compaction one checkpoint segment holds the whole head and replaces every older segment. Replaying the
 * segments in order rebuilds the head after a restart or a crash.
 */
export class HeadLog {
  private readonly segments = new Map<number, string>();
  /**
   * Bytes of the last checkpoint and of the segments written since. A flush's segment holds a few samples per
   * series (~8 B each, against ~1.3 B in the head's chunks), so once the segments outgrow the checkpoint a new
   * checkpoint replaces them: the head's files stay within about twice its chunks, not 2 h of segments.
   */
  private checkpointBytes = 0;
  private sinceCheckpoint = 0;
  private nextSeq = 1;
  /** Series whose labels a segment since the last checkpoint (or start-up) holds: a flag per id. */
  private defined = new Uint8Array(1024);

  constructor(
    private readonly dir: string,
    private readonly head: Head,
    private readonly index: SeriesIndex,
  ) {}

  private isDefined(id: number): boolean {
    return id < this.defined.length && this.defined[id] === 1;
  }

  private define(id: number): void {
    if (id >= this.defined.length) {
      const grown = new Uint8Array(Math.max(id + 1, this.defined.length * 2));
      grown.set(this.defined);
      this.defined = grown;
    }
    this.defined[id] = 1;
  }

  get segmentCount(): number {
    return this.segments.size;
  }

  bytesOnDisk(): number {
    let bytes = 0;
    for (const name of this.segments.values()) bytes += fileSize(this.dir, name);
    return bytes;
  }

  /** Replays segment files in order; a damaged one is handed to `onDamaged` and skipped. */
  replay(files: readonly { name: string; seq: number }[], onDamaged: (name: string, err: unknown) => void): void {
    const dropped = { ...this.head.dropped };
    const ids = new Map<number, number>();
    this.head.keepPending = false;
    for (const f of [...files].sort((a, b) => a.seq - b.seq)) {
      this.nextSeq = Math.max(this.nextSeq, f.seq + 1);
      try {
        this.replayOne(decodeHeadSegment(readRegularFile(join(this.dir, f.name)) ?? new Uint8Array()), ids);
        this.segments.set(f.seq, f.name);
        this.sinceCheckpoint += fileSize(this.dir, f.name);
      } catch (err) {
        onDamaged(f.name, err);
      }
    }
    this.head.keepPending = true;
    // Samples already in blocks or in an older segment are dropped as duplicates: expected, not counted.
    Object.assign(this.head.dropped, dropped);
    this.head.clearPending();
  }

  /** What the flush adds since the last one: new samples, and labels of series not yet defined. */
  writeSegment(): void {
    if (this.sinceCheckpoint > Math.max(this.checkpointBytes, MIN_CHECKPOINT_BYTES)) {
      this.writeCheckpoint();
      return;
    }
    const ids = this.head.pendingIds();
    if (ids.length === 0) return;
    let defs = 0;
    for (const id of ids) if (!this.isDefined(id)) defs++;
    this.sinceCheckpoint += this.writeFile(defs, (w) => {
      for (const id of ids) if (!this.isDefined(id)) w.def(id, this.index.keyOf(id));
      w.startChunks(ids.length);
      for (const id of ids) w.chunk(id, this.head.pendingBytes(id)!);
    });
    for (const id of ids) {
      this.define(id);
      this.head.clearPending(id);
    }
  }

  /**
   * The whole head in one segment, written chunk by chunk as the head holds them (never a second copy of the head
   * in memory); every older segment is then redundant and removed. A crash before the rename leaves the older
   * segments, which replay to the same head.
   */
  writeCheckpoint(): void {
    const ids = this.head.ids();
    let chunks = 0;
    for (const id of ids) chunks += this.head.chunkCount(id);
    const seq = this.nextSeq;
    this.checkpointBytes = this.writeFile(ids.length, (w) => {
      for (const id of ids) w.def(id, this.index.keyOf(id));
      w.startChunks(chunks);
      for (const id of ids) this.head.forEachChunk(id, (bytes) => w.chunk(id, bytes));
    });
    this.sinceCheckpoint = 0;
    this.head.clearPending();
    for (const [s, name] of this.segments)
      if (s < seq) {
        rmSync(join(this.dir, name), { force: true });
        this.segments.delete(s);
      }
    this.defined = new Uint8Array(this.defined.length);
    for (const id of ids) this.define(id);
  }

  private replayOne(seg: HeadSegment, ids: Map<number, number>): void {
    for (const d of seg.defs) ids.set(d.id, this.index.idForKey(d.key));
    for (const c of seg.chunks) {
      const id = ids.get(c.id);
      if (id === undefined) continue;
      const n = chunkSampleCount(c.bytes);
      if (n > scratch.t.length) scratch = scratchOf(n);
      decodeXorChunkInto(c.bytes, scratch.t, scratch.words, 0);
      const { t, v } = scratch;
      for (let i = 0; i < n; i++)
        if (this.head.append(id, t[i]!, v[i]!, this.index.lastTime(id))) this.index.cover(id, t[i]!, t[i]!);
    }
  }

  /** Streams a segment to a new file (atomically: complete or absent) and returns its size. */
  private writeFile(defs: number, fill: (w: HeadSegmentWriter) => void): number {
    const seq = this.nextSeq++;
    const name = segmentName(seq);
    const file = AtomicFileWriter.open(join(this.dir, name), { mode: 0o600, overwrite: true });
    let size = 0;
    try {
      const w = new HeadSegmentWriter(file, defs);
      fill(w);
      w.finish();
      size = file.length;
      file.commit();
    } catch (err) {
      file.abort();
      throw err;
    }
    this.segments.set(seq, name);
    return size;
  }
}
