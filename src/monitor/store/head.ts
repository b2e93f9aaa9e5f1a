import { RAW_WINDOW, windowStart } from './time-windows.ts';
import { XorChunkEncoder } from './xor-chunk.ts';

/** Samples per chunk before a new one is cut, as Prometheus (which also cuts at its 2 h block boundary). */
export const SAMPLES_PER_CHUNK = 120;

export interface Chunk {
  readonly bytes: Uint8Array;
  readonly minT: number;
  readonly maxT: number;
  readonly count: number;
}

export interface DroppedCounts {
  /** Older than the series' newest sample. */
  outOfOrder: number;
  /** Same timestamp as the series' newest sample. */
  duplicate: number;
  /** Before the oldest time the head still accepts (already written to a block). */
  tooOld: number;
  /** A timestamp that is not a safe integer. */
  invalid: number;
  /** Further ahead of the store's clock than it accepts (counted by the store, not the head). */
  tooNew: number;
}

/** A closed chunk's fields in HeadSeries.meta: its time span, samples, and where its bytes are in the arena. */
const MIN_T = 0;
const MAX_T = 1;
const COUNT = 2;
const PAGE = 3;
const OFFSET = 4;
const LENGTH = 5;
const FIELDS = 6;
const NO_META = new Float64Array(0);

class HeadSeries {
  /**
   * Closed chunks, oldest first, FIELDS numbers each: one typed array per series rather than three objects per
   * chunk (a Chunk, its bytes' view and boxed times), which at 40 000 series was 50 MB of the heap.
   */
  meta = NO_META;
  closedCount = 0;
  /** The chunk being appended to (empty when count is 0), reused from chunk to chunk. */
  readonly open = new XorChunkEncoder();
  openMinT = 0;
  /** End (exclusive) of the 2 h window the open chunk lies in. */
  openWindowEnd = Number.NEGATIVE_INFINITY;
  lastT: number;
  /** Samples not yet in a head segment (what the next flush writes), reused from flush to flush. */
  readonly pending = new XorChunkEncoder(32);

  constructor(lastT: number) {
    this.lastT = lastT;
  }

  cut(arena: ChunkArena): void {
    const open = this.open;
    if (open.count === 0) return;
    const bytes = open.view();
    arena.copy(windowStart(this.openMinT, RAW_WINDOW), bytes);
    const at = this.closedCount * FIELDS;
    if (at + FIELDS > this.meta.length) {
      const grown = new Float64Array(Math.max(4 * FIELDS, this.meta.length * 2));
      grown.set(this.meta);
      this.meta = grown;
    }
    const m = this.meta;
    m[at + MIN_T] = this.openMinT;
    m[at + MAX_T] = open.lastT;
    m[at + COUNT] = open.count;
    m[at + PAGE] = arena.lastPage;
    m[at + OFFSET] = arena.lastOffset;
    m[at + LENGTH] = bytes.length;
    this.closedCount++;
    open.reset();
  }

  closedMinT(i: number): number {
    return this.meta[i * FIELDS + MIN_T]!;
  }

  closedMaxT(i: number): number {
    return this.meta[i * FIELDS + MAX_T]!;
  }

  closedBytes(i: number, arena: ChunkArena): Uint8Array {
    const m = this.meta;
    return arena.bytes(m[i * FIELDS + PAGE]!, m[i * FIELDS + OFFSET]!, m[i * FIELDS + LENGTH]!);
  }

  closedChunk(i: number, arena: ChunkArena): Chunk {
    const at = i * FIELDS;
    const m = this.meta;
    return { bytes: this.closedBytes(i, arena), minT: m[at + MIN_T]!, maxT: m[at + MAX_T]!, count: m[at + COUNT]! };
  }

  /** Forgets the oldest `n` closed chunks; returns the samples they held. */
  dropClosed(n: number): number {
    let samples = 0;
    for (let i = 0; i < n; i++) samples += this.meta[i * FIELDS + COUNT]!;
    this.meta.copyWithin(0, n * FIELDS, this.closedCount * FIELDS);
    this.closedCount -= n;
    return samples;
  }
}

const PAGE_BYTES = 128 * 1024;

/**
 * Where closed chunks' bytes live: packed into 128 KiB pages, one set per 2 h window, so a chunk costs no
 * allocation of its own and a window's pages are freed together once it is written to a block.
 */
class ChunkArena {
  private readonly pages = new Map<number, Uint8Array>();
  /** Per window: the page being filled, how much of it is used, and every page it filled. */
  private readonly windows = new Map<number, { page: number; used: number; all: number[] }>();
  private nextPage = 0;
  /** Where the last `copy` put its bytes. */
  lastPage = 0;
  lastOffset = 0;

  copy(window: number, bytes: Uint8Array): void {
    let w = this.windows.get(window);
    if (!w) {
      w = { page: -1, used: 0, all: [] };
      this.windows.set(window, w);
    }
    let page = this.pages.get(w.page);
    if (!page || w.used + bytes.length > page.length) {
      page = new Uint8Array(Math.max(PAGE_BYTES, bytes.length));
      w.page = this.nextPage++;
      w.used = 0;
      w.all.push(w.page);
      this.pages.set(w.page, page);
    }
    page.set(bytes, w.used);
    this.lastPage = w.page;
    this.lastOffset = w.used;
    w.used += bytes.length;
  }

  bytes(page: number, offset: number, length: number): Uint8Array {
    return this.pages.get(page)!.subarray(offset, offset + length);
  }

  /** Frees the pages of windows before `cutoff` (their chunks are written to a block and dropped). */
  forgetBefore(cutoff: number): void {
    for (const [start, w] of this.windows)
      if (start + RAW_WINDOW <= cutoff) {
        for (const page of w.all) this.pages.delete(page);
        this.windows.delete(start);
      }
  }
}

/**
 * The newest samples, in memory as XOR chunks per series (ids from the SeriesIndex). Chunks are cut at 120
 * samples and at every 2 h window boundary, so a window's chunks can be written to a block as they are.
 */
export class Head {
  private readonly series: (HeadSeries | undefined)[] = [];
  private readonly arena = new ChunkArena();
  readonly dropped: DroppedCounts = { outOfOrder: 0, duplicate: 0, tooOld: 0, invalid: 0, tooNew: 0 };
  /** Samples before this time are refused: their window is already in a block. */
  minValidTime = Number.NEGATIVE_INFINITY;
  private samples = 0;
  /** Whether appended samples are also kept for the next head segment (not while replaying segments). */
  keepPending = true;
  private cachedMinTime: number | undefined;
  private minTimeKnown = false;

  get sampleCount(): number {
    return this.samples;
  }

  /**
   * Appends a sample for series `id`, whose newest stored sample (from blocks, after a restart) is at
   * `knownLastT`. Returns false when the sample is dropped (and counted).
   */
  append(id: number, t: number, v: number, knownLastT = Number.NEGATIVE_INFINITY): boolean {
    if (!Number.isSafeInteger(t)) {
      this.dropped.invalid++;
      return false;
    }
    if (t < this.minValidTime) {
      this.dropped.tooOld++;
      return false;
    }
    let s = this.series[id];
    if (!s) {
      s = new HeadSeries(knownLastT);
      this.series[id] = s;
    }
    if (t <= s.lastT) {
      if (t === s.lastT) this.dropped.duplicate++;
      else this.dropped.outOfOrder++;
      return false;
    }
    const open = s.open;
    if (open.count > 0 && (open.count >= SAMPLES_PER_CHUNK || t >= s.openWindowEnd)) s.cut(this.arena);
    if (open.count === 0) {
      s.openMinT = t;
      s.openWindowEnd = windowStart(t, RAW_WINDOW) + RAW_WINDOW;
    }
    open.append(t, v);
    if (this.minTimeKnown && (this.cachedMinTime === undefined || t < this.cachedMinTime)) this.cachedMinTime = t;
    if (this.keepPending) s.pending.append(t, v);
    s.lastT = t;
    this.samples++;
    return true;
  }

  /** Ids of the series holding samples, ascending. */
  ids(): number[] {
    const out: number[] = [];
    this.series.forEach((s, id) => {
      if (s && (s.closedCount > 0 || s.open.count > 0)) out.push(id);
    });
    return out;
  }

  /** The chunks of a series that overlap [start, end], oldest first. */
  chunks(id: number, start: number, end: number): Chunk[] {
    const s = this.series[id];
    if (!s) return [];
    const out: Chunk[] = [];
    for (let i = 0; i < s.closedCount; i++)
      if (s.closedMaxT(i) >= start && s.closedMinT(i) <= end) out.push(s.closedChunk(i, this.arena));
    const open = s.open;
    if (open.count > 0 && open.lastT >= start && s.openMinT <= end)
      out.push({ bytes: open.bytes(), minT: s.openMinT, maxT: open.lastT, count: open.count });
    return out;
  }

  /** Oldest sample time in the head, or undefined when it is empty (remembered until chunks are dropped). */
  minTime(): number | undefined {
    if (this.minTimeKnown) return this.cachedMinTime;
    let min: number | undefined;
    for (const s of this.series) {
      if (!s) continue;
      const first = s.closedCount > 0 ? s.closedMinT(0) : s.open.count > 0 ? s.openMinT : undefined;
      if (first !== undefined && (min === undefined || first < min)) min = first;
    }
    this.cachedMinTime = min;
    this.minTimeKnown = true;
    return min;
  }

  /** Ids of the series with samples not yet in a head segment, ascending. */
  pendingIds(): number[] {
    const out: number[] = [];
    const series = this.series;
    for (let id = 0; id < series.length; id++) if (series[id] && series[id]!.pending.count > 0) out.push(id);
    return out;
  }

  /** The samples appended since the last `clearPending`, as chunk bytes (not copied: valid until the next append). */
  pendingBytes(id: number): Uint8Array | undefined {
    const p = this.series[id]?.pending;
    return p && p.count > 0 ? p.view() : undefined;
  }

  /** Forgets what is pending for one series (it is on disk), or everywhere (replayed, or in a checkpoint). */
  clearPending(id?: number): void {
    if (id !== undefined) this.series[id]?.pending.reset();
    else for (const s of this.series) if (s && s.pending.count > 0) s.pending.reset();
  }

  /**
   * Calls `fn` with each chunk of a series, oldest first, the open one not copied (valid only during the call):
   * what a checkpoint writes.
   */
  forEachChunk(id: number, fn: (bytes: Uint8Array) => void): void {
    const s = this.series[id];
    if (!s) return;
    for (let i = 0; i < s.closedCount; i++) fn(s.closedBytes(i, this.arena));
    if (s.open.count > 0) fn(s.open.view());
  }

  /** How many chunks forEachChunk hands out for a series. */
  chunkCount(id: number): number {
    const s = this.series[id];
    return s ? s.closedCount + (s.open.count > 0 ? 1 : 0) : 0;
  }

  /** Cuts every open chunk that lies before `t`'s window, so whole windows can be written out. */
  cutBefore(t: number): void {
    const w = windowStart(t, RAW_WINDOW);
    for (const s of this.series) if (s && s.open.count > 0 && s.openWindowEnd <= w) s.cut(this.arena);
  }

  /** Forgets every chunk that ends before `cutoff` (written to a block) and refuses samples before it. */
  truncateBefore(cutoff: number): void {
    this.minValidTime = Math.max(this.minValidTime, cutoff);
    this.minTimeKnown = false;
    this.arena.forgetBefore(cutoff);
    for (const s of this.series) {
      if (!s) continue;
      let n = 0;
      while (n < s.closedCount && s.closedMaxT(n) < cutoff) n++;
      if (n > 0) this.samples -= s.dropClosed(n);
    }
  }
}
