import { isStaleNaN } from '../../promql/types.ts';
import type { Chunk } from './head.ts';
import { XorChunkEncoder } from './xor-chunk.ts';

/**
 * Thanos-style downsampling of one series: per bucket of `resolution` ms, the count, sum, min and max of its raw
 * samples (staleness markers left out), each stamped with the bucket's last sample time; and a "counter" column
 * that keeps exactly the raw samples Prometheus's increase() needs to come out right: the first sample, the last
 * of each bucket, and both sides of every reset. Increases between consecutive kept samples telescope, so
 * rate/increase over a rollup equal those over the raw samples between the same two points. Only for series
 * named as counters (`looksLikeCounter`): a gauge "resets" at every fall, and keeping both sides of each fall
 * would keep half its samples for 30 days; a gauge's counter column is its first sample and each bucket's last.
 */
export const COLUMNS = ['count', 'sum', 'min', 'max', 'counter'] as const;
export type Aggregate = (typeof COLUMNS)[number];

export interface Column {
  readonly t: number[];
  readonly v: number[];
}

export type Rollup = Record<Aggregate, Column>;

/** Counter, histogram and summary series by the names OpenMetrics gives them. */
export function looksLikeCounter(metricName: string | undefined): boolean {
  return metricName !== undefined && /(?:_total|_count|_sum|_bucket)$/.test(metricName);
}

export function rollUp(t: ArrayLike<number>, v: ArrayLike<number>, resolution: number, counter = true): Rollup {
  const out = Object.fromEntries(COLUMNS.map((c) => [c, { t: [], v: [] }])) as unknown as Rollup;
  let bucket = Number.NaN;
  let count = 0;
  let sum = 0;
  let min = Number.NaN;
  let max = Number.NaN;
  let lastT = 0;
  let prevT = Number.NaN;
  let prevV = Number.NaN;
  const flush = () => {
    if (count === 0) return;
    push(out.count, lastT, count);
    push(out.sum, lastT, sum);
    push(out.min, lastT, min);
    push(out.max, lastT, max);
    keep(out.counter, lastT, prevV);
  };
  for (let i = 0; i < t.length; i++) {
    const value = v[i]!;
    if (isStaleNaN(value)) continue;
    const b = Math.floor(t[i]! / resolution);
    if (b !== bucket) {
      flush();
      bucket = b;
      count = 0;
      sum = 0;
      min = Number.NaN;
      max = Number.NaN;
    }
    if (Number.isNaN(prevT)) keep(out.counter, t[i]!, value);
    else if (counter && value < prevV) {
      keep(out.counter, prevT, prevV);
      keep(out.counter, t[i]!, value);
    }
    count++;
    sum += value;
    // NaN values count and poison the sum, but an extreme is NaN only when every value is.
    if (Number.isNaN(min) || value < min) min = value;
    if (Number.isNaN(max) || value > max) max = value;
    lastT = t[i]!;
    prevT = t[i]!;
    prevV = value;
  }
  flush();
  return out;
}

function push(c: Column, t: number, v: number): void {
  c.t.push(t);
  c.v.push(v);
}

/** Appends to the counter column unless that time is already there (a bucket's last sample can be a reset's). */
function keep(c: Column, t: number, v: number): void {
  if (c.t.length > 0 && c.t[c.t.length - 1]! >= t) return;
  push(c, t, v);
}

/** A column as XOR chunks of at most `perChunk` samples. */
export function columnChunks(c: Column, perChunk = 1000): Chunk[] {
  const chunks: Chunk[] = [];
  for (let from = 0; from < c.t.length; from += perChunk) {
    const enc = new XorChunkEncoder();
    const to = Math.min(c.t.length, from + perChunk);
    for (let i = from; i < to; i++) enc.append(c.t[i]!, c.v[i]!);
    chunks.push({ bytes: enc.bytes(), minT: c.t[from]!, maxT: c.t[to - 1]!, count: to - from });
  }
  return chunks;
}

/**
 * Which rollup column answers a selection feeding `func` (Thanos's choice); 'avg' is sum / count, handed out with
 * each bucket's count so count_over_time, sum_over_time and avg_over_time come out as over the raw samples.
 */
export function aggregateFor(func: string | undefined): Aggregate | 'avg' {
  switch (func) {
    case 'rate':
    case 'increase':
    case 'irate':
    case 'resets':
    case 'changes':
      return 'counter';
    case 'min_over_time':
      return 'min';
    case 'max_over_time':
      return 'max';
    default:
      // avg with each bucket's count: sum/count/avg_over_time weigh by it (SeriesSamples.counts).
      return 'avg';
  }
}
