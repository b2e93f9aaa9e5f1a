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

class HeadSeries {
  readonly closed: Chunk[] = [];
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
    const bytes = arena.copy(windowStart(this.openMinT, RAW_WINDOW), open.view());
    this.closed.push({ bytes, minT: this.openMinT, maxT: open.lastT, count: open.count });
    open.reset();
  }

  /** Every chunk, the open one copied, oldest first. */
  chunks(): Chunk[] {
    const open = this.open;
    if (open.count === 0) return this.closed;
    return [...this.closed, { bytes: open.bytes(), minT: this.openMinT, maxT: open.lastT, count: open.count }];
  }
}

const PAGE_BYTES = 128 * 1024;

/**
 * Where closed chunks' bytes live: packed into 128 KiB pages, one set per 2 h window, so a chunk costs no
 * allocation of its own and a window's pages are freed together once it is written to a block.
 */
class ChunkArena {
  private readonly pages = new Map<number, { page: Uint8Array; used: number }>();

  copy(window: number, bytes: Uint8Array): Uint8Array {
    let p = this.pages.get(window);
    if (!p || p.used + bytes.length > p.page.length) {
      p = { page: new Uint8Array(Math.max(PAGE_BYTES, bytes.length)), used: 0 };
      this.pages.set(window, p);
    }
    const at = p.used;
    p.page.set(bytes, at);
    p.used += bytes.length;
    return p.page.subarray(at, at + bytes.length);
  }

  /** Stops filling the pages of windows before `cutoff` (chunks still referenced keep theirs alive). */
  forgetBefore(cutoff: number): void {
    for (const w of this.pages.keys()) if (w + RAW_WINDOW <= cutoff) this.pages.delete(w);
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
      if (s && (s.closed.length > 0 || s.open.count > 0)) out.push(id);
    });
    return out;
  }

  /** The chunks of a series that overlap [start, end], oldest first. */
  chunks(id: number, start: number, end: number): Chunk[] {
    const s = this.series[id];
    if (!s) return [];
    return s.chunks().filter((c) => c.maxT >= start && c.minT <= end);
  }

  /** Oldest sample time in the head, or undefined when it is empty (remembered until chunks are dropped). */
  minTime(): number | undefined {
    if (this.minTimeKnown) return this.cachedMinTime;
    let min: number | undefined;
    for (const s of this.series) {
      const first = s?.closed[0]?.minT ?? (s && s.open.count > 0 ? s.openMinT : undefined);
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
    for (const c of s.closed) fn(c.bytes);
    if (s.open.count > 0) fn(s.open.view());
  }

  /** How many chunks forEachChunk hands out for a series. */
  chunkCount(id: number): number {
    const s = this.series[id];
    return s ? s.closed.length + (s.open.count > 0 ? 1 : 0) : 0;
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
      while (s.closed.length > 0 && s.closed[0]!.maxT < cutoff) {
        this.samples -= s.closed[0]!.count;
        s.closed.shift();
      }
    }
  }
}
