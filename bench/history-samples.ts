/**
 * The simulated history of bench/history.ts: K recorded snapshots of every series (from `redoubt up`'s own
 * scrapes), replayed over and over with advancing timestamps. Counter-named series (looksLikeCounter) are shifted
 * up by their growth over the recording at each pass, so they never reset; other series repeat as recorded.
 * Pure and deterministic: both systems receive exactly the same samples.
 */
import { looksLikeCounter } from '../src/monitor/store/rollup.ts';
import type { Labels } from '../src/promql/types.ts';

export interface RecordedSeries {
  readonly labels: Labels;
  /** One value per snapshot (no staleness markers). */
  readonly values: readonly number[];
}

export interface Recording {
  readonly snapshots: number;
  readonly series: readonly RecordedSeries[];
}

export interface Timeline {
  /** First sample time (ms). */
  readonly start: number;
  readonly intervalMs: number;
  readonly steps: number;
}

/** Per series: the value at step `i` is values[i % K] + floor(i / K) * growth. */
export interface ReplaySeries {
  readonly labels: Labels;
  readonly values: Float64Array;
  readonly growth: number;
}

export function replaySeries(rec: Recording): ReplaySeries[] {
  return rec.series.map((s) => {
    const values = Float64Array.from(s.values);
    const counter = looksLikeCounter(s.labels.__name__);
    const growth = counter ? Math.max(0, values[values.length - 1]! - values[0]!) : 0;
    return { labels: s.labels, values, growth };
  });
}

export function valueAt(s: ReplaySeries, step: number): number {
  const k = s.values.length;
  const pass = Math.floor(step / k);
  return pass === 0 || s.growth === 0 ? s.values[step % k]! : s.values[step % k]! + pass * s.growth;
}

/** A timeline of `hours` ending at `end` (ms, aligned down to the interval). */
export function timelineEnding(end: number, hours: number, intervalMs: number): Timeline {
  const steps = Math.floor((hours * 3_600_000) / intervalMs);
  const last = Math.floor(end / intervalMs) * intervalMs;
  return { start: last - (steps - 1) * intervalMs, intervalMs, steps };
}
