import type { StepTimes } from '../../promql/types.ts';
import { wordsOf } from './float-bits.ts';
import { chunkSampleCount, decodeXorChunkInto } from './xor-chunk.ts';

/**
 * Gathers one series' samples from several sources (rollups, blocks, head) in time order into Float64Arrays
 * (a plain array would lose the staleness marker's NaN bits). Only samples in [start, end] and later than the
 * last one kept are taken, so overlapping sources never duplicate a timestamp.
 */
export class SampleCollector {
  private t: Float64Array<ArrayBuffer> = new Float64Array(64);
  private v: Float64Array<ArrayBuffer> = new Float64Array(64);
  private vWords = wordsOf(this.v);
  /** Raw samples per point, once a rollup point (a bucket's average) is added; until then 1 each. */
  private c: Float64Array<ArrayBuffer> | undefined;
  private n = 0;

  constructor(
    private readonly start: number,
    private readonly end: number,
    /** Keep only the samples these times read (SelectHints.readAt); absent: every sample. */
    private readonly readAt?: StepTimes,
  ) {}

  /** Empties the collector for another series, keeping its arrays (what result() returned is overwritten). */
  reset(): void {
    this.n = 0;
    this.c = undefined;
  }

  get window(): { start: number; end: number } {
    return { start: this.start, end: this.end };
  }

  get length(): number {
    return this.n;
  }

  get lastT(): number {
    return this.n === 0 ? Number.NEGATIVE_INFINITY : this.t[this.n - 1]!;
  }

  /** Adds a chunk's samples before `until` (exclusive), decoded straight into the collector's arrays. */
  addChunk(bytes: Uint8Array, until = Number.POSITIVE_INFINITY): void {
    if (this.readAt) {
      this.addChunkRead(bytes, until, this.readAt);
      return;
    }
    this.reserve(chunkSampleCount(bytes));
    const from = this.n;
    const got = decodeXorChunkInto(bytes, this.t, this.vWords, from);
    // Keep, in place, the decoded samples inside the window and after the last one already kept.
    const limit = Math.min(this.end, until - 1);
    const t = this.t;
    const w = this.vWords;
    let last = from === 0 ? Number.NEGATIVE_INFINITY : t[from - 1]!;
    let out = from;
    for (let i = from; i < from + got; i++) {
      const ts = t[i]!;
      if (ts < this.start || ts <= last) continue;
      if (ts > limit) break;
      t[out] = ts;
      w[2 * out] = w[2 * i]!;
      w[2 * out + 1] = w[2 * i + 1]!;
      if (this.c) this.c[out] = 1;
      last = ts;
      out++;
    }
    this.n = out;
  }

  /**
   * addChunk keeping only what `readAt` reads: each sample replaces the one before it unless one of the times
   * lies between the two (then the earlier one is what that time reads). Decoded into a scratch buffer first.
   */
  private addChunkRead(bytes: Uint8Array, until: number, readAt: StepTimes): void {
    const got = chunkSampleCount(bytes);
    if (scratch.t.length < got) scratch = { t: new Float64Array(got), v: new Float64Array(got) };
    const st = scratch.t;
    const sw = wordsOf(scratch.v);
    decodeXorChunkInto(bytes, st, sw, 0);
    const limit = Math.min(this.end, until - 1);
    for (let i = 0; i < got; i++) {
      const ts = st[i]!;
      if (ts < this.start || ts <= this.lastT) continue;
      if (ts > limit) break;
      let at = this.n;
      if (at > 0 && !readBetween(readAt, this.t[at - 1]!, ts)) at--;
      else this.reserve(1);
      this.t[at] = ts;
      this.vWords[2 * at] = sw[2 * i]!;
      this.vWords[2 * at + 1] = sw[2 * i + 1]!;
      if (this.c) this.c[at] = 1;
      this.n = at + 1;
    }
  }

  /**
   * Adds samples before `until` (exclusive). `counts`: how many raw samples each stands for (rollup buckets,
   * whose values are then their averages); absent, each is one raw sample.
   */
  addArrays(t: Float64Array, v: Float64Array, until = Number.POSITIVE_INFINITY, counts?: Float64Array): void {
    const limit = Math.min(this.end, until - 1);
    if (counts && !this.c) this.c = new Float64Array(this.t.length).fill(1);
    for (let i = 0; i < t.length; i++) {
      const ts = t[i]!;
      if (ts < this.start || ts <= this.lastT) continue;
      if (ts > limit) break;
      this.push(ts, v[i]!, counts ? counts[i]! : 1);
    }
  }

  result(): { t: Float64Array; v: Float64Array; counts?: Float64Array } {
    const out = { t: this.t.subarray(0, this.n), v: this.v.subarray(0, this.n) };
    return this.c ? { ...out, counts: this.c.subarray(0, this.n) } : out;
  }

  /** Room for `more` samples past the last one kept. */
  reserve(more: number): void {
    // Keeping what readAt reads, there is at most one sample per time (and the newest, kept until the next).
    const need = this.n + (this.readAt ? Math.min(more, this.readAt.count + 1) : more);
    if (need <= this.t.length) return;
    const size = Math.max(need, this.t.length * 2);
    this.t = grown(this.t, size);
    this.v = grown(this.v, size);
    this.vWords = wordsOf(this.v);
    if (this.c) this.c = grown(this.c, size);
  }

  private push(ts: number, value: number, count: number): void {
    this.reserve(1);
    this.t[this.n] = ts;
    this.v[this.n] = value;
    if (this.c) this.c[this.n] = count;
    this.n++;
  }
}

/** The decode buffer of addChunkRead, grown to the largest chunk seen. */
let scratch = { t: new Float64Array(256), v: new Float64Array(256) };

/** Whether one of the times lies in [a, b). */
function readBetween(times: StepTimes, a: number, b: number): boolean {
  const i = Math.max(0, Math.ceil((a - times.first) / times.step));
  return i < times.count && times.first + i * times.step < b;
}

function grown(a: Float64Array<ArrayBuffer>, size: number): Float64Array<ArrayBuffer> {
  const out = new Float64Array(size);
  out.set(a);
  return out;
}
