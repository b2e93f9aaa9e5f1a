/** The values the evaluator passes between nodes at one evaluation time. */

import type { Labels } from './types.js';

export interface Sample {
  readonly labels: Labels;
  readonly v: number;
  /** The stored sample's own time, set by instant vector selectors only (timestamp() reads it). */
  readonly t?: number;
}

/** One series' samples inside a range window, staleness markers removed. */
export interface RangeSeries {
  readonly labels: Labels;
  readonly t: readonly number[];
  readonly v: readonly number[];
  /** Raw samples each point stands for (SeriesSamples.counts); absent: 1 each. */
  readonly counts?: readonly number[];
}

export type Value =
  | { readonly type: 'scalar'; readonly v: number }
  | { readonly type: 'string'; readonly v: string }
  | { readonly type: 'vector'; readonly samples: readonly Sample[] }
  | {
      readonly type: 'matrix';
      readonly series: readonly RangeSeries[];
      /** The window (inclusive at both ends, as Prometheus 2.42) and its length, for extrapolation. */
      readonly start: number;
      readonly end: number;
      readonly range: number;
    };

export function scalar(v: number): Value {
  return { type: 'scalar', v };
}

export function vector(samples: readonly Sample[]): Value {
  return { type: 'vector', samples };
}
