import { decodeXorChunk } from './xor-chunk.ts';

/**
 * Gathers one series' samples from several sources (rollups, blocks, head) in time order into Float64Arrays
 * (a plain array would lose the staleness marker's NaN bits). Only samples in [start, end] and later than the
 * last one kept are taken, so overlapping sources never duplicate a timestamp.
 */
export class SampleCollector {
  private t = new Float64Array(64);
  private v = new Float64Array(64);
  private n = 0;

  constructor(
    private readonly start: number,
    private readonly end: number,
  ) {}

  get window(): { start: number; end: number } {
    return { start: this.start, end: this.end };
  }

  get length(): number {
    return this.n;
  }

  get lastT(): number {
    return this.n === 0 ? Number.NEGATIVE_INFINITY : this.t[this.n - 1]!;
  }

  addChunk(bytes: Uint8Array, until = Number.POSITIVE_INFINITY): void {
    const d = decodeXorChunk(bytes);
    this.addArrays(d.t, d.v, until);
  }

  /** Adds samples before `until` (exclusive). */
  addArrays(t: Float64Array, v: Float64Array, until = Number.POSITIVE_INFINITY): void {
    const limit = Math.min(this.end, until - 1);
    for (let i = 0; i < t.length; i++) {
      const ts = t[i]!;
      if (ts < this.start || ts <= this.lastT) continue;
      if (ts > limit) break;
      this.push(ts, v[i]!);
    }
  }

  result(): { t: Float64Array; v: Float64Array } {
    return { t: this.t.subarray(0, this.n), v: this.v.subarray(0, this.n) };
  }

  private push(ts: number, value: number): void {
    if (this.n === this.t.length) {
      const t = new Float64Array(this.n * 2);
      const v = new Float64Array(this.n * 2);
      t.set(this.t);
      v.set(this.v);
      this.t = t;
      this.v = v;
    }
    this.t[this.n] = ts;
    this.v[this.n] = value;
    this.n++;
  }
}
