import { decodeXorChunk } from './xor-chunk.ts';

/**
 * Gathers one series' samples from several sources (rollups, blocks, head) in time order into Float64Arrays
 * (a plain array would lose the staleness marker's NaN bits). Only samples in [start, end] and later than the
 * last one kept are taken, so overlapping sources never duplicate a timestamp.
 */
export class SampleCollector {
  private t: Float64Array<ArrayBuffer> = new Float64Array(64);
  private v: Float64Array<ArrayBuffer> = new Float64Array(64);
  /** Raw samples per point, once a rollup point (a bucket's average) is added; until then 1 each. */
  private c: Float64Array<ArrayBuffer> | undefined;
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

  private push(ts: number, value: number, count: number): void {
    if (this.n === this.t.length) {
      this.t = grown(this.t);
      this.v = grown(this.v);
      if (this.c) this.c = grown(this.c);
    }
    this.t[this.n] = ts;
    this.v[this.n] = value;
    if (this.c) this.c[this.n] = count;
    this.n++;
  }
}

function grown(a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const out = new Float64Array(a.length * 2);
  out.set(a);
  return out;
}
