import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../fs/atomic-write.ts';
import { readRegularFile } from '../../fs/read-file.ts';
import { fileSize, segmentName } from './data-dir.ts';
import { wordsOf } from './float-bits.ts';
import type { Chunk, Head } from './head.ts';
import { decodeHeadSegment, encodeHeadSegment, type HeadSegment } from './head-segment-format.ts';
import type { SeriesIndex } from './series-index.ts';
import { chunkSampleCount, decodeXorChunkInto } from './xor-chunk.ts';

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
  private nextSeq = 1;
  /** Series whose labels a segment since the last checkpoint (or start-up) holds. */
  private defined = new Set<number>();
  /** Series appended to since the last flush: a flag per id and the list of flagged ids. */
  private dirtyFlags = new Uint8Array(1024);
  private dirty: number[] = [];

  constructor(
    private readonly dir: string,
    private readonly head: Head,
    private readonly index: SeriesIndex,
  ) {}

  markDirty(id: number): void {
    if (id >= this.dirtyFlags.length) {
      const grown = new Uint8Array(Math.max(id + 1, this.dirtyFlags.length * 2));
      grown.set(this.dirtyFlags);
      this.dirtyFlags = grown;
    }
    if (this.dirtyFlags[id] === 1) return;
    this.dirtyFlags[id] = 1;
    this.dirty.push(id);
  }

  private clearDirty(): void {
    for (const id of this.dirty) this.dirtyFlags[id] = 0;
    this.dirty = [];
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
    if (this.dirty.length === 0) return;
    const seg = this.segmentOf(
      this.dirty,
      (id) => this.head.takePending(id),
      (id) => !this.defined.has(id),
    );
    if (seg.chunks.length > 0) this.writeFile(seg);
    for (const d of seg.defs) this.defined.add(d.id);
    this.clearDirty();
  }

  /** The whole head in one segment; every older segment is then redundant and removed. */
  writeCheckpoint(): void {
    const ids = this.head.ids();
    this.head.clearPending();
    const seg = this.segmentOf(
      ids,
      (id) => this.head.samplesAfter(id, Number.NEGATIVE_INFINITY),
      () => true,
    );
    const seq = this.writeFile(seg);
    for (const [s, name] of this.segments)
      if (s < seq) {
        rmSync(join(this.dir, name), { force: true });
        this.segments.delete(s);
      }
    this.defined = new Set(ids);
    this.clearDirty();
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

  private segmentOf(
    ids: number[],
    samplesOf: (id: number) => Chunk | undefined,
    define: (id: number) => boolean,
  ): HeadSegment {
    const defs: { id: number; key: string }[] = [];
    const chunks: { id: number; bytes: Uint8Array }[] = [];
    for (const id of ids) {
      const chunk = samplesOf(id);
      if (!chunk) continue;
      if (define(id)) defs.push({ id, key: this.index.keyOf(id) });
      chunks.push({ id, bytes: chunk.bytes });
    }
    return { defs, chunks };
  }

  private writeFile(seg: HeadSegment): number {
    const seq = this.nextSeq++;
    const name = segmentName(seq);
    writeFileAtomic(join(this.dir, name), encodeHeadSegment(seg), { mode: 0o600, overwrite: true });
    this.segments.set(seq, name);
    return seq;
  }
}
