import { RAW_WINDOW, windowStart } from './time-windows.ts';
import { decodeXorChunk, XorChunkEncoder } from './xor-chunk.ts';

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
  open: XorChunkEncoder | undefined;
  openMinT = 0;
  lastT: number;
  /** Samples not yet in a head segment (what the next flush writes). */
  pending: XorChunkEncoder | undefined;
  pendingMinT = 0;

  constructor(lastT: number) {
    this.lastT = lastT;
  }

  cut(): void {
    if (!this.open || this.open.count === 0) return;
    this.closed.push({ bytes: this.open.bytes(), minT: this.openMinT, maxT: this.open.lastT, count: this.open.count });
    this.open = undefined;
  }

  /** Every chunk, the open one copied, oldest first. */
  chunks(): Chunk[] {
    if (!this.open) return this.closed;
    const open = { bytes: this.open.bytes(), minT: this.openMinT, maxT: this.open.lastT, count: this.open.count };
    return [...this.closed, open];
  }
}

/**
 * The newest samples, in memory as XOR chunks per series (ids from the SeriesIndex). Chunks are cut at 120
 * samples and at every 2 h window boundary, so a window's chunks can be written to a block as they are.
 */
export class Head {
  private readonly series: (HeadSeries | undefined)[] = [];
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
    if (
      s.open &&
      (s.open.count >= SAMPLES_PER_CHUNK || windowStart(t, RAW_WINDOW) !== windowStart(s.openMinT, RAW_WINDOW))
    )
      s.cut();
    if (!s.open) {
      s.open = new XorChunkEncoder();
      s.openMinT = t;
    }
    s.open.append(t, v);
    if (this.minTimeKnown && (this.cachedMinTime === undefined || t < this.cachedMinTime)) this.cachedMinTime = t;
    if (!this.keepPending) {
      // replaying what is already on disk: nothing to write again
    } else if (!s.pending) {
      s.pending = new XorChunkEncoder(24);
      s.pendingMinT = t;
      s.pending.append(t, v);
    } else s.pending.append(t, v);
    s.lastT = t;
    this.samples++;
    return true;
  }

  /** Ids of the series holding samples, ascending. */
  ids(): number[] {
    const out: number[] = [];
    this.series.forEach((s, id) => {
      if (s && (s.closed.length > 0 || s.open)) out.push(id);
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
      const first = s?.closed[0]?.minT ?? (s?.open ? s.openMinT : undefined);
      if (first !== undefined && (min === undefined || first < min)) min = first;
    }
    this.cachedMinTime = min;
    this.minTimeKnown = true;
    return min;
  }

  /** The samples appended since the last call (or `clearPending`), as one chunk; undefined when none. */
  takePending(id: number): Chunk | undefined {
    const s = this.series[id];
    const p = s?.pending;
    if (!s || !p) return undefined;
    s.pending = undefined;
    return { bytes: p.bytes(), minT: s.pendingMinT, maxT: p.lastT, count: p.count };
  }

  /** Forgets what is pending everywhere (all of it is on disk: replayed, or in a checkpoint). */
  clearPending(): void {
    for (const s of this.series) if (s) s.pending = undefined;
  }

  /** Samples of a series after `after` (exclusive), as one chunk; undefined when there are none. */
  samplesAfter(id: number, after: number): Chunk | undefined {
    const enc = new XorChunkEncoder();
    let minT = 0;
    for (const c of this.chunks(id, after + 1, Number.POSITIVE_INFINITY)) {
      const d = decodeXorChunk(c.bytes);
      for (let i = 0; i < d.t.length; i++) {
        if (d.t[i]! <= after) continue;
        if (enc.count === 0) minT = d.t[i]!;
        enc.append(d.t[i]!, d.v[i]!);
      }
    }
    return enc.count === 0 ? undefined : { bytes: enc.bytes(), minT, maxT: enc.lastT, count: enc.count };
  }

  /** Cuts every open chunk that lies before `t`'s window, so whole windows can be written out. */
  cutBefore(t: number): void {
    const w = windowStart(t, RAW_WINDOW);
    for (const s of this.series) if (s?.open && windowStart(s.openMinT, RAW_WINDOW) < w) s.cut();
  }

  /** Forgets every chunk that ends before `cutoff` (written to a block) and refuses samples before it. */
  truncateBefore(cutoff: number): void {
    this.minValidTime = Math.max(this.minValidTime, cutoff);
    this.minTimeKnown = false;
    for (const s of this.series) {
      if (!s) continue;
      while (s.closed.length > 0 && s.closed[0]!.maxT < cutoff) {
        this.samples -= s.closed[0]!.count;
        s.closed.shift();
      }
    }
  }
}
