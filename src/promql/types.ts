/**
 * The data model shared by the history store (src/monitor/store), the PromQL engine (src/promql) and
 * everything in `redoubt up` that reads or writes series. One source of truth: change it here only.
 *
 * Times are integer milliseconds since the epoch (as Prometheus's TSDB). Values are float64.
 */

/** A series' labels, `__name__` included, sorted by name when produced by the store or the engine. */
export type Labels = Readonly<Record<string, string>>;

/** Prometheus's staleness marker: a NaN with this exact bit pattern (value.StaleNaN). */
export const STALE_NAN_BITS = 0x7ff0000000000002n;

const staleView = new DataView(new ArrayBuffer(8));
staleView.setBigUint64(0, STALE_NAN_BITS);
/** The staleness marker as a number. Compare with `isStaleNaN`, never with `===` (NaN). */
export const STALE_NAN: number = staleView.getFloat64(0);

export function isStaleNaN(v: number): boolean {
  if (!Number.isNaN(v)) return false;
  staleView.setFloat64(0, v);
  return staleView.getBigUint64(0) === STALE_NAN_BITS;
}

/** Samples of one series in time order, as parallel arrays (no object per sample). */
export interface SeriesSamples {
  readonly labels: Labels;
  /** Strictly increasing timestamps in ms. */
  readonly t: ArrayLike<number>;
  /** Values; staleness markers included as STALE_NAN (bit pattern preserved). */
  readonly v: ArrayLike<number>;
  /**
   * How many raw samples each point stands for, when some come from rollups: such a point's value is the
   * average of its bucket and `counts[i]` the bucket's sample count (1 for a raw sample). Absent: 1 each.
   * sum_over_time, count_over_time and avg_over_time weigh by it, so they come out as over the raw samples.
   */
  readonly counts?: ArrayLike<number>;
}

export type MatchType = '=' | '!=' | '=~' | '!~';

/** A label matcher as PromQL writes it; regexes are fully anchored, as in Prometheus. */
export interface Matcher {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
}

/**
 * What the engine tells the store about a selection (Prometheus's SelectHints): the store may answer
 * from rollups when raw samples have expired, choosing the aggregate by `func` (rate/increase use the
 * counter aggregate, min_over_time the min, …).
 */
export interface SelectHints {
  /** Inclusive window in ms, lookback and range already applied. */
  readonly start: number;
  readonly end: number;
  /** Step of a range query in ms (0 for an instant query). */
  readonly step?: number;
  /** The function the selection feeds, e.g. 'rate', 'max_over_time'; undefined for a plain selector. */
  readonly func?: string;
  /** The range of a range selector in ms (e.g. 300000 for [5m]). */
  readonly range?: number;
  /**
   * An instant selector read only at these times (a range query's steps, shifted by the selector's offset; one
   * time with `@`): the store may leave out every sample that no such time reads, i.e. one followed by another
   * sample before the next of these times. What is left answers the selector at these times exactly.
   */
  readonly readAt?: StepTimes;
}

/** Evenly spaced times: first, first + step, … (count of them). */
export interface StepTimes {
  readonly first: number;
  readonly step: number;
  readonly count: number;
}

/** A selected series whose samples are decoded only when read (Queryable.selectLazy). */
export interface LazySeries {
  readonly labels: Labels;
  /** The most samples read() can return (for the query's samples limit). */
  readonly sampleCount: number;
  /** Its samples; the arrays may be reused (overwritten) by the next read() of any series of the same selection. */
  read(): SeriesSamples;
}

/** Read side of the store, all the engine needs. */
export interface Queryable {
  select(matchers: readonly Matcher[], hints: SelectHints): Iterable<SeriesSamples>;
  /**
   * select() for a consumer that reads one series at a time to the end (rate() and the *_over_time functions of a
   * range query): the store need not hold every series' samples at once. Optional: select() serves otherwise.
   */
  selectLazy?(matchers: readonly Matcher[], hints: SelectHints): Iterable<LazySeries>;
  /** Label names present in the window (for /api/v1/labels), sorted. */
  labelNames(matchers: readonly Matcher[], start: number, end: number): string[];
  /** Values of one label in the window (for /api/v1/label/<name>/values), sorted. */
  labelValues(name: string, matchers: readonly Matcher[], start: number, end: number): string[];
}

/** Write side of the store. */
export interface Appendable {
  /** Appends one sample; out-of-order or duplicate timestamps for a series are dropped and counted. */
  append(labels: Labels, t: number, v: number): void;
}

/** One element of an instant vector. */
export interface VectorSample {
  readonly labels: Labels;
  readonly t: number;
  readonly v: number;
}

/** A query's result, in the shapes of Prometheus's HTTP API (resultType scalar|string|vector|matrix). */
export type QueryValue =
  | { readonly type: 'scalar'; readonly t: number; readonly v: number }
  | { readonly type: 'string'; readonly t: number; readonly v: string }
  | { readonly type: 'vector'; readonly samples: readonly VectorSample[] }
  | { readonly type: 'matrix'; readonly series: readonly SeriesSamples[] };

export interface QueryOptions {
  /** Lookback delta in ms; Prometheus's default is 5 minutes. */
  readonly lookbackDelta?: number;
  /**
   * Step in ms of a subquery written without one (`x[1h:]`): Prometheus uses the global evaluation_interval
   * (default 1 minute); a rule test passes its own evaluation_interval.
   */
  readonly subqueryStepMs?: number;
  /**
   * Called at every step of a range query and every 256 subquery steps; it may throw to end the query (the API's
   * deadline and samples limit: queries that read little from the store, `vector(1)[1h:1ms]`, still take time).
   */
  readonly checkpoint?: () => void;
}

/**
 * The engine as `redoubt up` uses it (implemented in src/promql/engine.ts):
 *   instantQuery(q, expr, timeMs, opts) → QueryValue
 *   rangeQuery(q, expr, startMs, endMs, stepMs, opts) → { type: 'matrix', … }
 * Both throw PromqlError (src/promql/errors.ts) with Prometheus's errorType ('bad_data' for parse and
 * type errors, 'execution' for what fails at run time) and a message naming what is not supported.
 */
export interface PromqlEngine {
  instantQuery(q: Queryable, expr: string, timeMs: number, opts?: QueryOptions): QueryValue;
  rangeQuery(
    q: Queryable,
    expr: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    opts?: QueryOptions,
  ): Extract<QueryValue, { type: 'matrix' }>;
}
